import path from 'node:path';
import { cli, cliEnv } from './run-cli';

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'plan.yaml');
const BAD = path.resolve(__dirname, 'fixtures', 'bad-plan.yaml');

describe('qlik-rollout validate and usage', () => {
  test('a valid plan: exit 0 and a summary a person can check', async () => {
    const run = await cli(['validate', EXAMPLE]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('is valid');
    expect(run.stdout).toContain('Rollout spring-2026');
    expect(run.stdout).toMatch(/canary: 1 tenant, 1 at once, approval/);
    expect(run.stdout).toMatch(/early: 2 tenants, 5 at once, soak 10m/);
  });

  test('--json gives the validated plan to scripts', async () => {
    const run = await cli(['--json', 'validate', EXAMPLE]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.valid).toBe(true);
    expect(result.plan.waves.map((w: { tenants: string[] }) => w.tenants.length)).toEqual([1, 2, 2]);
  });

  test('a bad plan: exit 2, every problem with file, line and path', async () => {
    const run = await cli(['validate', BAD]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${BAD}: the plan is invalid`);
    expect(run.stderr).toMatch(/\(2 problems\)/);
    expect(run.stderr).toMatch(/line 12: tenants\[1\]\.url: "http:\/\/b\.example\.com" must use https/);
    expect(run.stderr).toMatch(/line 15: waves\[0\]\.tenants\[1\]: unknown tenant "c"/);
    const json = await cli(['--json', 'validate', BAD]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).issues).toContainEqual({ path: 'tenants[1].url', line: 12, column: 10, message: expect.stringMatching(/https/) });
  });

  test('a missing file and wrong usage are bad input (exit 2)', async () => {
    expect(await cli(['validate', '/nonexistent/plan.yaml'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/file not found/) });
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command/) });
    expect(await cli(['start'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/missing required argument/) });
  });

  test('every command has help', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    const commands = ['validate', 'plan', 'start', 'status', 'watch', 'pause', 'resume', 'abort', 'approve', 'retry', 'skip', 'list', 'sync', 'schedule', 'worker', 'simulator', 'demo'];
    for (const name of commands) expect(top.stdout).toMatch(new RegExp(`\\n  ${name}\\b`));
    expect(top.stdout).toContain('TEMPORAL_ADDRESS');
    for (const args of [['start', '--help'], ['schedule', 'create', '--help'], ['sync', 'stop', '--help'], ['demo', '--help']]) {
      const run = await cli(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: qlik-rollout /);
    }
  });

  test('an unreachable Temporal is a failure with a message that says what to do', async () => {
    const run = await cli(['list'], { env: cliEnv({ TEMPORAL_ADDRESS: '127.0.0.1:1' }) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Cannot reach Temporal at 127\.0\.0\.1:1.*TEMPORAL_ADDRESS/s);
  });
});
