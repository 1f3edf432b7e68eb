/**
 * OAuth2 client credentials for Qlik Cloud (POST {tenant}/oauth/token). The simulator authenticates tenants by
 * API key only, so this file runs a small HTTP endpoint that issues short-lived tokens the way Qlik's does and
 * accepts only the newest one, to show the client caches, refreshes before expiry and recovers from a revoked token.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { cloudClient } from '../../src/qlik/cloud/client';
import { getMe } from '../../src/qlik/cloud/users';
import { closeAllPools } from '../../src/qlik/pools';
import type { TenantSpec } from '../../src/plan/types';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-test-'));
const secretFile = path.join(dir, 'client.secret');
fs.writeFileSync(secretFile, 'the-client-secret');

let server: http.Server;
let tenant: TenantSpec;
const tokenRequests: Array<Record<string, unknown>> = [];
let currentToken = '';
let lifetimeSeconds = 3600;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'POST' && req.url === '/oauth/token') {
        const grant = JSON.parse(body) as Record<string, unknown>;
        tokenRequests.push(grant);
        if (grant.client_secret !== 'the-client-secret') return send(401, { errors: [{ code: 'OAUTH-1', title: 'invalid client' }] });
        currentToken = `token-${tokenRequests.length}`;
        return send(200, { access_token: currentToken, token_type: 'bearer', expires_in: lifetimeSeconds });
      }
      if (req.headers.authorization !== `Bearer ${currentToken}`) return send(401, { errors: [{ code: 'HTTP-401', title: 'Unauthorized' }] });
      return send(200, { id: 'bot-user', tenantId: 'tenant-id-1' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tenant = { name: 'oauth-tenant', url, managedSpace: 'x', auth: { type: 'oauth', clientId: 'client-1', clientSecret: `file:${secretFile}` } };
});

afterAll(async () => {
  await closeAllPools();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('client credentials: one token request, JSON body per Qlik docs, token reused while valid', async () => {
  const cloud = cloudClient(tenant);
  expect(await getMe(cloud)).toMatchObject({ tenantId: 'tenant-id-1' });
  await getMe(cloud);
  await getMe(cloudClient(tenant));
  expect(tokenRequests).toEqual([{ client_id: 'client-1', client_secret: 'the-client-secret', grant_type: 'client_credentials' }]);
});

test('a revoked token (401) is replaced once, transparently', async () => {
  const before = tokenRequests.length;
  currentToken = 'revoked-by-the-server';
  expect(await getMe(cloudClient(tenant))).toMatchObject({ id: 'bot-user' });
  expect(tokenRequests.length).toBe(before + 1);
});

test('a token close to expiry is refreshed before use', async () => {
  lifetimeSeconds = 1; // shorter than the safety margin: cached for half its life
  currentToken = 'force-refresh';
  await getMe(cloudClient(tenant));
  const afterShortToken = tokenRequests.length;
  await new Promise((resolve) => setTimeout(resolve, 600));
  await getMe(cloudClient(tenant));
  expect(tokenRequests.length).toBe(afterShortToken + 1);
});
