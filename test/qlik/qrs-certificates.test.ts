/**
 * QRS with the certificates exported from the QMC (client.pem, client_key.pem, root.pem), over real mutual TLS.
 * The simulator speaks plain HTTP, so this file stands up an HTTPS endpoint that, like the Repository Service on
 * port 4242, demands a client certificate signed by the site's root CA; certificates are made with openssl.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { FailureTypes } from '../../src/activities/types';
import type { SourceSpec } from '../../src/plan/types';
import { toActivityFailure } from '../../src/qlik/errors';
import { closeAllPools } from '../../src/qlik/pools';
import { about } from '../../src/qlik/qrs/about';
import { qrsClient } from '../../src/qlik/qrs/client';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const describeTls = hasOpenssl ? describe : describe.skip;

describeTls('QRS certificate authentication (mutual TLS)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrs-certs-'));
  const file = (name: string) => path.join(dir, name);
  const seen: Array<{ clientCn: string; xrfOk: boolean; user: string | undefined }> = [];
  let server: https.Server;
  let base: string;

  beforeAll(async () => {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root_key.pem', '-out', 'root.pem', '-days', '2', '-subj', '/CN=QlikRootCA');
    fs.writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, cn, ext] of [['server', 'qseow', ['-extfile', 'server.ext']], ['client', 'QlikClient', []]] as const) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}_key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'root.pem', '-CAkey', 'root_key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...ext);
    }
    server = https.createServer(
      { key: fs.readFileSync(file('server_key.pem')), cert: fs.readFileSync(file('server.pem')), ca: fs.readFileSync(file('root.pem')), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const url = new URL(req.url ?? '/', 'https://127.0.0.1');
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        seen.push({ clientCn: String(peer.subject?.CN), xrfOk: url.searchParams.get('xrfkey') === req.headers['x-qlik-xrfkey'], user: req.headers['x-qlik-user'] as string | undefined });
        res.writeHead(url.pathname === '/qrs/about' ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ buildVersion: '38.22.0.0', nodeType: 1 }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await closeAllPools();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const source = (overrides: Partial<SourceSpec> & { withCa?: boolean } = {}): SourceSpec => ({
    qrsUrl: base,
    deploymentsUrl: base,
    auth: { type: 'certificate', cert: `file:${file('client.pem')}`, key: `file:${file('client_key.pem')}`, ...(overrides.withCa === false ? {} : { ca: `file:${file('root.pem')}` }) },
    user: { directory: 'INTERNAL', id: 'sa_api' },
    rejectUnauthorized: overrides.rejectUnauthorized ?? true,
  });

  test('client certificate, root CA, Xrfkey and X-Qlik-User reach the server', async () => {
    expect(await about(await qrsClient(source()))).toMatchObject({ buildVersion: '38.22.0.0' });
    expect(seen.at(-1)).toEqual({ clientCn: 'QlikClient', xrfOk: true, user: 'UserDirectory=INTERNAL; UserId=sa_api' });
  });

  test('without the root CA, TLS verification fails non-retryably and says how to fix it', async () => {
    const failure = toActivityFailure(await about(await qrsClient(source({ withCa: false }))).catch((err: unknown) => err));
    expect(failure).toMatchObject({ type: FailureTypes.Config, nonRetryable: true });
    expect(failure.message).toMatch(/TLS verification failed .*root\.pem.*rejectUnauthorized/);
  });

  test('rejectUnauthorized: false (a plan choice for test servers) skips server verification', async () => {
    expect(await about(await qrsClient(source({ withCa: false, rejectUnauthorized: false })))).toMatchObject({ buildVersion: '38.22.0.0' });
  });
});
