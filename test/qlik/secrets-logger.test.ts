import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { FailureTypes } from '../../src/activities/types';
import { newXrfkey } from '../../src/qlik/qrs/client';
import { createLogger } from '../../src/shared/logger';
import { forgetSecret, resolveSecret } from '../../src/shared/secrets';

describe('secrets', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-test-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('env: and file: references resolve; values are cached briefly', async () => {
    process.env.QR_TEST_SECRET = 'from-env';
    expect(await resolveSecret('env:QR_TEST_SECRET', 'test')).toBe('from-env');
    const file = path.join(dir, 'key');
    fs.writeFileSync(file, 'from-file\n');
    expect(await resolveSecret(`file:${file}`, 'test')).toBe('from-file');
    fs.writeFileSync(file, 'rotated');
    expect(await resolveSecret(`file:${file}`, 'test')).toBe('from-file');
    forgetSecret(`file:${file}`);
    expect(await resolveSecret(`file:${file}`, 'test')).toBe('rotated');
  });

  test('a missing env var or unreadable file is a non-retryable config error naming the reference', async () => {
    await expect(resolveSecret('env:QR_TEST_DOES_NOT_EXIST', 'API key of tenant acme')).rejects.toMatchObject({
      type: FailureTypes.Config,
      nonRetryable: true,
      message: expect.stringContaining('env:QR_TEST_DOES_NOT_EXIST'),
    });
    const missing = path.join(dir, 'missing.key');
    await expect(resolveSecret(`file:${missing}`, 'API key of tenant acme')).rejects.toMatchObject({
      type: FailureTypes.Config,
      message: expect.stringMatching(/API key of tenant acme.*ENOENT/),
    });
  });
});

describe('logger', () => {
  test('redacts authorization headers, tokens and keys', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = createLogger({ level: 'info' }, sink);
    log.info({ headers: { authorization: 'Bearer SECRET1' }, token: 'SECRET2', apiKey: 'SECRET3', tenant: 'acme' }, 'call');
    const text = lines.join('');
    expect(text).toContain('acme');
    expect(text).not.toMatch(/SECRET[123]/);
    expect(text).toContain('[redacted]');
  });
});

test('Xrfkey: 16 characters of 0-9a-zA-Z, fresh on every call', () => {
  const keys = new Set(Array.from({ length: 50 }, () => newXrfkey()));
  expect(keys.size).toBe(50);
  for (const key of keys) expect(key).toMatch(/^[0-9a-zA-Z]{16}$/);
});
