/**
 * Hardening: every bad plan exits 2 within seconds, names the file, the line and the path, never prints a stack
 * trace, never echoes a secret and never prints a raw control character. One fixture per class
 * (test/badinput/fixtures/), each run through `qlik-rollout validate` (text and --json) as a person would.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli, type CliRun } from '../cli/run-cli';

const FIXTURES = path.join(__dirname, 'fixtures');
const ROOT = path.resolve(__dirname, '..', '..');

/** What must never reach a terminal raw: C0/C1 controls but newline, DEL, bidi and zero-width formatting characters. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const STACK_LINE = /^\s+at /m;

interface BadPlan {
  /** The fixture (or generated file) name. */
  file: string;
  /** The line and path of the first problem the plan must name. */
  line: number;
  path?: string;
  message: RegExp;
  /** Text from the plan that must not be printed (secrets). */
  secrets?: string[];
  /** More `line N: path` pairs that must be reported. */
  more?: Array<[number, string, RegExp]>;
}

const CASES: BadPlan[] = [
  {
    file: 'inline-api-key.yaml', line: 18, path: 'tenants[0].auth.key', message: /holds a JWT.*not shown.*env:VAR_NAME/,
    secrets: ['eyJhbGciOiJFUzM4NCIsImtpZCI6IlNFQ1JFVEtJRCJ9', 'eyJzdWIi', 'SECRETSIGNATURE'],
  },
  {
    file: 'inline-client-secret.yaml', line: 16, path: 'tenants[0].auth.clientSecret', message: /clientSecret holds a literal value, not a reference; the value is not shown/,
    secrets: ['Sup3rS3cretClientValue', 'eyJhbGciOiJIUzI1NiJ9', 'SECRETENVJWT', 'SECRETENVSIG'],
    more: [[19, 'tenants[1].auth.key', /holds a JWT/]],
  },
  {
    file: 'inline-private-key.yaml', line: 10, path: 'source.qrs.auth.key', message: /holds a PEM private key; the value is not shown/,
    secrets: ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDSECRETPEMBODY0', 'SECRETPEMBODY', 'MIIFSECRETONELINE'],
    more: [[14, 'source.qrs.auth.passphrase', /PEM private key/]],
  },
  {
    file: 'url-credentials.yaml', line: 15, path: 'tenants[0].url', message: /URL with credentials \(user:password@host\); the value is not shown/,
    secrets: ['TenantPassw0rd', 'QrsPassw0rd', 'SchemaPassw0rd', 'QueryTok3n', 'svc_qlik', 'schemauser', 'admin:'],
    more: [[7, 'source.qrs.url', /credentials/], [2, '$schema', /credentials/]],
  },
  {
    file: 'control-characters.yaml', line: 10, path: 'apps[0].name', message: /control or invisible characters \(shown escaped\): "Sales\\x1b\[2J\\x1b\[31m"/,
    more: [
      [8, 'source.qrs.user.directory', /"INTERNAL\\x1b\]0;pwned\\x07"/],
      [12, 'policy.name', /"rule\\u202egnp\.exe"/],
      [13, 'policy.customProperty', /"Deploy\\x1b\[8mments"/],
      [15, 'tenantDefaults.managedSpace', /\\u200b/],
      [18, 'tenants[0].name', /"acme\\x1b\[1;31mRED"/],
      [21, 'waves[0].name', /"canary\\u2066\\u202e"/],
      [22, '"unknown\\x1b[5mkey"', /unknown field "unknown\\x1b\[5mkey"/],
    ],
  },
  { file: 'alias-bomb.yaml', line: 5, message: /aliases \(\*name\) expand to more than 1,000,000 values \(as in a "billion laughs" file\)/ },
  { file: 'alias-cycle.yaml', line: 6, message: /alias \*tenants is inside the anchor it names \(a cycle\)/ },
  { file: 'deep-block.yaml', line: 35, path: 'tenants.k1', message: /nested too deeply: more than 32 levels/ },
  { file: 'deep-flow.yaml', line: 3, message: /nested too deeply: more than 32 levels of \[ or \{/ },
  { file: 'deep-compact.yaml', line: 4, message: /nested too deeply: more than 64 columns/ },
  { file: 'duplicate-keys.yaml', line: 17, path: 'concurrency', message: /duplicate key "concurrency" \(first at line 15\)/ },
  { file: 'multiple-documents.yaml', line: 15, message: /a second YAML document starts here \(---\)/ },
  { file: 'root-list.yaml', line: 2, message: /the top level is a list; a plan is a mapping/ },
  { file: 'root-scalar.yaml', line: 2, message: /the top level is a text value; a plan is a mapping/ },
  { file: 'root-empty.yaml', line: 1, message: /the file is empty \(or only comments\)/ },
  {
    file: 'case-collisions.yaml', line: 17, path: 'tenants[2].name',
    message: /tenant name "acme" differs only in case from "Acme"; Qlik compares deployment names, custom property values and subject\.name without regard to case.*\(the other: tenants\[0\]\.name, line 15\)/,
    more: [
      [10, 'apps[1].name', /app name "SALES" differs only in case from "Sales".*\(the other: apps\[0\]\.name, line 9\)/],
      [20, 'waves[1].name', /wave name "canary" differs only in case from "Canary".*\(the other: waves\[0\]\.name, line 19\)/],
      [20, 'waves[1].tenants[0]', /unknown tenant "ACME".*tenant "acme" differs only in case/],
    ],
  },
  {
    file: 'same-tenant-url.yaml', line: 15, path: 'tenants[1].url',
    message: /tenant "acme-eu" has the same tenant URL as tenant "acme".*\(the other: tenants\[0\]\.url, line 14\)/,
    more: [[16, 'tenants[2].url', /tenant "acme-again" has the same tenant URL as tenant "acme"/]],
  },
  {
    file: 'out-of-bounds.yaml', line: 13, path: 'limits.maxAppSize', message: /must be 1MB to 100GB/,
    more: [
      [18, 'waves[0].soak', /soak must be 0s to 14d/],
      [18, 'waves[0].concurrency', /expected at least 1 /],
      [18, 'waves[0].failureBudget', /expected at least 0 /],
      [19, 'waves[1].concurrency', /expected at most 1,000 /],
      [20, 'concurrency', /expected at most 1,000 /],
      [21, 'failureBudget.perWave', /expected at most 100,000 /],
      [21, 'failureBudget.overall', /expected a whole number/],
      [22, 'sync.pollInterval', /sync\.pollInterval must be 1s to 1h/],
      [23, 'distribution.resendAfter', /must be 1s to 1d/],
      [23, 'distribution.reloadTimeTolerance', /must be 0ms to 10m/],
    ],
  },
];

/** Files too big or too binary to commit: written once per run. */
function generated(dir: string): BadPlan[] {
  const write = (name: string, content: string | Buffer) => {
    fs.writeFileSync(path.join(dir, name), content);
    return name;
  };
  const head = 'apiVersion: qlik-rollout/v1\nname: huge\n';
  const tenantLine = (i: number) => `  - { name: tenant-${i}, url: https://tenant-${i}.eu.qlikcloud.com }\n`;
  let tenants = `${head}tenants:\n`;
  for (let i = 0; tenants.length < 2.5 * 1024 * 1024; i++) tenants += tenantLine(i);
  const limitLine = tenants.slice(0, 2 * 1024 * 1024).split('\n').length;
  return [
    { file: write('huge.yaml', tenants), line: limitLine, message: /larger than 2 MiB, the limit for a plan file/ },
    { file: write('binary.yaml', Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0x9b, 0xc3])])), line: 3, message: /not UTF-8 text/ },
    { file: write('deep-flow-100k.yaml', `${head}tenants: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`), line: 3, message: /nested too deeply/ },
    { file: write('flow-bomb.yaml', `${head}tenants: [${'[],'.repeat(200_000)}]\n`), line: 1, message: /too many entries for a plan/ },
    { file: write('many-aliases.yaml', `${head}x: &x 1\ntenants: [${'*x,'.repeat(1_001)}]\n`), line: 4, message: /more than 1,000 aliases/ },
  ];
}

let tmp: string;
let extra: BadPlan[];
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-plans-'));
  extra = generated(tmp);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What every bad plan's output must satisfy, whatever the class. */
function expectSafe(runs: CliRun[], secrets: string[] = []): void {
  for (const run of runs) {
    for (const output of [run.stdout, run.stderr]) {
      expect(output).not.toMatch(STACK_LINE);
      expect(output).not.toMatch(RAW_CONTROL);
      for (const secret of secrets) expect(output).not.toContain(secret);
    }
  }
}

async function checkBadPlan(plan: BadPlan, file: string): Promise<void> {
  const started = Date.now();
  const text = await cli(['validate', file]);
  const json = await cli(['--json', 'validate', file]);
  // Generous: the point is "seconds, not minutes or a hang" (the alias bomb would never finish unguarded).
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(text.code).toBe(2);
  expect(json.code).toBe(2);
  expect(text.stdout).toBe('');
  expect(text.stderr).toContain(`${file}: the plan is invalid`);
  expect(text.stderr).toMatch(new RegExp(`\\n  line ${plan.line}: ${plan.path ? escapeRe(plan.path) : '[^\\n]*'}[^\\n]*${plan.message.source}`));
  for (const [line, issuePath, message] of plan.more ?? []) {
    expect(text.stderr).toMatch(new RegExp(`\\n  line ${line}: ${escapeRe(issuePath)}: [^\\n]*${message.source}`));
  }
  const result = JSON.parse(json.stdout) as { valid: boolean; file: string; issues: Array<{ path: string; line?: number; message: string }> };
  expect(result.valid).toBe(false);
  expect(result.issues).toContainEqual(expect.objectContaining({ line: plan.line, message: expect.stringMatching(plan.message) }));
  expectSafe([text, json], plan.secrets);
}

describe('bad plans: exit 2 within seconds with file, line and path; no stack, no secret, no raw control character', () => {
  test.each(CASES.map((plan) => [plan.file, plan] as const))('%s', async (_name, plan) => {
    await checkBadPlan(plan, path.join(FIXTURES, plan.file));
  });

  test('generated: a file over the size limit, a binary file, 100,000 nested brackets, a flow bomb, 1,001 aliases', async () => {
    for (const plan of extra) await checkBadPlan(plan, path.join(tmp, plan.file));
  });

  test('a directory, a missing file and an endless device are bad input too', async () => {
    for (const [file, message] of [[tmp, /is a directory/], [path.join(tmp, 'missing.yaml'), /file not found/], ['/dev/zero', /larger than 2 MiB/]] as const) {
      const run = await cli(['validate', file]);
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toContain(file);
      expect(run.stderr).toMatch(message);
      expectSafe([run]);
    }
  });

  test('a file name with control characters is shown escaped', async () => {
    const file = path.join(tmp, 'evil\u001b[2J\u202ename.yaml');
    fs.copyFileSync(path.join(FIXTURES, 'root-list.yaml'), file);
    const run = await cli(['validate', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('evil\\x1b[2J\\u202ename.yaml');
    expectSafe([run, await cli(['--json', 'validate', file])]);
  });

  test('the real command, from an empty directory: exit 2, no stack trace, nothing raw', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-plans-cwd-'));
    const runs = await Promise.all(['alias-bomb.yaml', 'control-characters.yaml', 'inline-private-key.yaml'].map((name) => new Promise<CliRun>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), path.join(ROOT, 'src', 'cli', 'main.ts'), 'validate', path.join(FIXTURES, name)], {
        cwd: empty,
        env: { PATH: process.env.PATH, HOME: empty, NO_COLOR: '1', TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    })));
    fs.rmSync(empty, { recursive: true, force: true });
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/the plan is invalid[\s\S]*\n {2}line \d+: /);
    }
    expectSafe(runs, ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDSECRETPEMBODY0', 'MIIFSECRETONELINE']);
  });
});
