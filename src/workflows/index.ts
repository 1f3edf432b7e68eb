// Workflow entry point for the worker bundle: every workflow type the worker registers is exported here.
export { rolloutWorkflow } from './rollout';
export { tenantWorkflow } from './tenant';
export { tenantSyncWorkflow } from './sync';
export { reloadWatcherWorkflow } from './reload-watcher';
