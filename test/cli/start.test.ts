import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/common';
import { workflowIds } from '../../src/workflows/messages';
import { connectTestTemporal, type TestTemporal, uniqueTaskQueue } from '../helpers/temporal';
import { cli, cliEnv, uniqueName } from './run-cli';

const EXAMPLE = fs.readFileSync(path.resolve(__dirname, '..', '..', 'examples', 'plan.yaml'), 'utf8');

let t: TestTemporal;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-start-'));
const taskQueue = uniqueTaskQueue('cli-start');
const env = () => cliEnv({ QLIK_ROLLOUT_TASK_QUEUE: taskQueue });

function writePlan(name: string, mutate: (text: string) => string = (x) => x): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, mutate(EXAMPLE.replace('name: spring-2026', `name: ${name}`)));
  return file;
}

beforeAll(async () => { t = await connectTestTemporal(); });
afterAll(async () => { await t.close(); fs.rmSync(dir, { recursive: true, force: true }); });

test('a bad plan: exit 2, a clear error, and no workflow started', async () => {
  const name = uniqueName('bad');
  const file = writePlan(name, (text) => text.replace('https://globex.us.qlikcloud.com', 'http://globex.us.qlikcloud.com'));
  const run = await cli(['start', file], { env: env() });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/tenants\[1\]\.url: "http:\/\/globex\.us\.qlikcloud\.com" must use https/);
  await expect(t.client.workflow.getHandle(workflowIds.rollout(name)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
});

test('start is idempotent, list finds the rollout, unknown rollouts are bad input', async () => {
  const name = uniqueName('start');
  const file = writePlan(name);
  const first = await cli(['--json', 'start', file], { env: env() });
  expect(first.code).toBe(0);
  expect(JSON.parse(first.stdout)).toMatchObject({ rolloutId: name, started: true, workflowId: `rollout-${name}` });
  const second = await cli(['start', file], { env: env() });
  expect(second).toMatchObject({ code: 0, stdout: expect.stringMatching(/already running; nothing new was started/) });
  const description = await t.client.workflow.getHandle(workflowIds.rollout(name)).describe();
  expect(description.status.name).toBe('RUNNING');
  expect(description.taskQueue).toBe(taskQueue);
  const list = await cli(['--json', 'list', '--running'], { env: env() });
  expect(JSON.parse(list.stdout).map((r: { rolloutId: string }) => r.rolloutId)).toContain(name);
  expect(await cli(['status', 'no-such-rollout'], { env: env() })).toMatchObject({ code: 2, stderr: expect.stringMatching(/no-such-rollout does not exist/) });
  await t.client.workflow.getHandle(workflowIds.rollout(name)).terminate('test done');
});

test('schedules: create (idempotent), describe, pause, delete', async () => {
  const name = uniqueName('sched');
  const file = writePlan(name);
  expect(await cli(['schedule', 'create', file, '--cron', '0 3 * * *'], { env: env() })).toMatchObject({ code: 0, stdout: expect.stringMatching(/Created schedule qlik-rollout-/) });
  expect(await cli(['schedule', 'create', file, '--every', '6h'], { env: env() })).toMatchObject({ code: 0, stdout: expect.stringMatching(/Updated schedule/) });
  const id = `qlik-rollout-${name}`;
  expect((await cli(['schedule', 'pause', id, '--note', 'freeze'], { env: env() })).stdout).toMatch(/paused \(freeze\)/);
  const described = JSON.parse((await cli(['--json', 'schedule', 'describe', id], { env: env() })).stdout);
  expect(described).toMatchObject({ scheduleId: id, paused: true, workflowType: 'rolloutWorkflow', when: 'every 6h' });
  expect((await cli(['schedule', 'delete', id], { env: env() })).code).toBe(0);
  expect(await cli(['schedule', 'describe', id], { env: env() })).toMatchObject({ code: 2 });
  expect(await cli(['schedule', 'create', file, '--cron', 'nightly'], { env: env() })).toMatchObject({ code: 2 });
});
