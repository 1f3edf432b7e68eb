/**
 * The certificates of the simulated Repository port, made as a QSEoW install makes its own: a site root CA
 * (root.pem), a server certificate for 127.0.0.1 and a client certificate (client.pem + client_key.pem), the three
 * files the QMC exports for QRS API callers (doc QRS-CERT). Node cannot issue X.509 certificates, so openssl does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RepositoryCertificates {
  /** PEM text for the server side. */
  serverKey: string;
  serverCert: string;
  ca: string;
  /** Files a client references (`file:` secret references), mode 0600. */
  files: { cert: string; key: string; ca: string };
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes a root CA, a server certificate (SAN IP:127.0.0.1) and a client certificate; client files go to `outDir`. */
export function makeRepositoryCertificates(outDir: string): RepositoryCertificates {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qlik-sim-ca-'));
  try {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'ignore' });
    const days = '30';
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root_key.pem', '-out', 'root.pem', '-days', days, '-subj', '/CN=QlikSimulatorRootCA');
    fs.writeFileSync(path.join(work, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    for (const [name, cn, ext] of [['server', 'qseow-simulator', ['-extfile', 'server.ext']], ['client', 'QlikClient', []]] as const) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}_key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'root.pem', '-CAkey', 'root_key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', days, ...ext);
    }
    const read = (name: string) => fs.readFileSync(path.join(work, name), 'utf8');
    const files = { cert: path.join(outDir, 'client.pem'), key: path.join(outDir, 'client_key.pem'), ca: path.join(outDir, 'root.pem') };
    fs.writeFileSync(files.cert, read('client.pem'), { mode: 0o600 });
    fs.writeFileSync(files.key, read('client_key.pem'), { mode: 0o600 });
    fs.writeFileSync(files.ca, read('root.pem'), { mode: 0o600 });
    return { serverKey: read('server_key.pem'), serverCert: read('server.pem'), ca: read('root.pem'), files };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
