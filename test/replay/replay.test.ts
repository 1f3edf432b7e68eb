import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { DEFAULT_WORKFLOWS_PATH } from '../../src/worker/worker';
import { historyFromCliJson } from './history-json';
import { dataConverter } from '../../src/shared/payload-codec';

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npx jest test/workflows) must replay against the current
 * workflow code without a determinism error: a change that breaks running workflows fails here, not in production.
 */
const dir = path.resolve(__dirname, '..', 'fixtures', 'histories');
const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('the recorded histories cover every workflow type', () => {
  const types = new Set(fixtures.map((f) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }> };
    return history.events[0].workflowExecutionStartedEventAttributes?.workflowType?.name;
  }));
  expect([...types].sort()).toEqual(['reloadWatcherWorkflow', 'rolloutWorkflow', 'tenantSyncWorkflow', 'tenantWorkflow']);
});

test('every recorded history replays without a determinism error', async () => {
  const histories = fixtures.map((file) => ({ workflowId: file, history: historyFromCliJson(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath: DEFAULT_WORKFLOWS_PATH, replayName: 'fixtures', dataConverter }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
  expect(histories.length).toBeGreaterThanOrEqual(8);
});
