/** The workflow bundle the bench worker loads: built once per bench invocation from the current workflow code. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

export async function buildWorkflowBundle(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => process.stderr.write(`${m}\n`) },
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qlik-bench-bundle-')), 'workflow-bundle.js');
  fs.writeFileSync(file, code);
  return file;
}
