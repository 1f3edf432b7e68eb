// Workflow entry point for the worker bundle: every workflow type the worker registers is exported here.
export {};
