#!/usr/bin/env node
// `npm run build:bundle`: bundles the workflow code once at build time (after `npm run build`), so production
// workers load dist/workflow-bundle.js instead of running webpack at every start (seconds of CPU per replica).
const fs = require('node:fs');
const path = require('node:path');
const { bundleWorkflowCode } = require('@temporalio/worker');

const root = path.resolve(__dirname, '..');
const workflowsPath = path.join(root, 'dist', 'workflows', 'index.js');
const out = path.join(root, 'dist', 'workflow-bundle.js');

async function main() {
  if (!fs.existsSync(workflowsPath)) throw new Error(`${workflowsPath} is missing: run \`npm run build\` first`);
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath });
  fs.writeFileSync(out, code);
  console.log(`workflow bundle: ${path.relative(root, out)} (${(code.length / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
