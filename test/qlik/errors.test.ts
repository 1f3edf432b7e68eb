import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from '../../src/activities/types';
import { QlikHttpError, QlikNetworkError, networkErrorCode, parseRetryAfter, toActivityFailure, type CallSite } from '../../src/qlik/errors';
import { errorDetail } from '../../src/qlik/transport';

const cloudCall: CallSite = { kind: 'cloud', target: 'tenant acme (https://acme.eu.qlikcloud.com)', method: 'GET', route: '/api/v1/users/me', credentialRef: 'file:/secrets/acme.key' };
const qrsCall: CallSite = { kind: 'qrs', target: 'QSEoW site https://qseow/jwt', method: 'PUT', route: '/qrs/app/{id}', credentialRef: 'env:QRS_JWT' };

describe('error classification (one place: src/qlik/errors.ts)', () => {
  test('429 is retryable, typed RateLimited, with nextRetryDelay = Retry-After', () => {
    const failure = toActivityFailure(new QlikHttpError(cloudCall, 429, 'HTTP-429 - API rate limit reached.', parseRetryAfter('13')));
    expect(failure.type).toBe(FailureTypes.RateLimited);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(13_000);
    expect(failure.message).toContain('retrying after 13s');
  });

  test('401 from the cloud is a non-retryable config error naming tenant, call and secret reference', () => {
    const failure = toActivityFailure(new QlikHttpError(cloudCall, 401, ''));
    expect(failure.type).toBe(FailureTypes.Config);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('tenant acme');
    expect(failure.message).toContain('GET /api/v1/users/me');
    expect(failure.message).toContain('file:/secrets/acme.key');
  });

  test.each([400, 403, 404, 405, 413])('%i is non-retryable config', (status) => {
    const failure = toActivityFailure(new QlikHttpError(qrsCall, status, 'nope'));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureTypes.Config, true]);
    expect(failure.message).toContain('PUT /qrs/app/{id}');
  });

  test('an unexpected 409 is a non-retryable conflict', () => {
    const failure = toActivityFailure(new QlikHttpError(qrsCall, 409, 'Conflict'));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureTypes.Conflict, true]);
  });

  test.each([500, 502, 503, 504])('%i is retryable transient', (status) => {
    const failure = toActivityFailure(new QlikHttpError(qrsCall, status, ''));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureTypes.Transient, false]);
  });

  test.each([
    ['ECONNRESET', false], ['ECONNREFUSED', false], ['UND_ERR_CONNECT_TIMEOUT', false], ['UND_ERR_HEADERS_TIMEOUT', false],
    ['EAI_AGAIN', false], ['ENOTFOUND', true], ['DEPTH_ZERO_SELF_SIGNED_CERT', true],
  ])('network error %s -> nonRetryable %s', (code, nonRetryable) => {
    const failure = toActivityFailure(new QlikNetworkError(cloudCall, code as string, new Error(code as string)));
    expect(failure.nonRetryable).toBe(nonRetryable);
    expect(failure.type).toBe(nonRetryable ? FailureTypes.Config : FailureTypes.Transient);
  });

  test('the code is taken from the innermost cause that is not undici-generic', () => {
    const inner = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    const outer = Object.assign(new Error('socket', { cause: inner }), { code: 'UND_ERR_SOCKET' });
    expect(networkErrorCode(outer)).toBe('ECONNRESET');
  });

  test('Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  test('ApplicationFailures pass through unchanged', () => {
    const original = ApplicationFailure.nonRetryable('x', FailureTypes.Verification);
    expect(toActivityFailure(original)).toBe(original);
  });
});

describe('error detail from Qlik error bodies (transport errorDetail; audit F17)', () => {
  test.each([
    ['JSON:API errors[0]', '{"errors":[{"code":"HTTP-404","title":"Not Found","detail":"no such space"}],"traceId":"t"}', 'HTTP-404 - Not Found - no such space'],
    ['a flat {code, title} body', '{"code":"AssignmentConflict","title":"Assignment already exists"}', 'AssignmentConflict - Assignment already exists'],
    ['a flat body with detail only', '{"detail":"spaceId is required","status":400}', 'spaceId is required'],
    ['an HDS {statusCode, message} body', '{"statusCode":409,"message":"A deployment named \\"x\\" already exists"}', 'A deployment named "x" already exists'],
    ['QRS plain text', 'Conflict:\n  the entity was modified', 'Conflict: the entity was modified'],
    ['an empty errors[] falls back to the flat fields', '{"errors":[],"code":"E1","title":"Bad"}', 'E1 - Bad'],
    ['nothing', '', ''],
  ])('%s', (_what, body, detail) => {
    expect(errorDetail(body)).toBe(detail);
  });

  test('the detail is trimmed to 300 characters', () => {
    expect(errorDetail(JSON.stringify({ code: 'X', title: 'y'.repeat(1000) }))).toHaveLength(300);
  });
});
