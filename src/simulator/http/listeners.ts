import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Every simulated host gets its own loopback address on one shared port. One net.Server per address hands its
 * sockets to a single http.Server, so 10,000 tenants cost 10,000 listening fds and nothing else.
 */
export class AddressListeners {
  private readonly servers: net.Server[] = [];
  /** Open sockets: http.Server does not track sockets handed to it by emit('connection'), so we do. */
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly httpServer: http.Server) {}

  /** Listens on `address:port`; port 0 picks a free port. Resolves with the port actually bound. */
  listen(address: string, port: number): Promise<number> {
    const server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      this.httpServer.emit('connection', socket);
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port, backlog: 511 }, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Binds many addresses with bounded parallelism (binding 10,000 at once floods the event loop). */
  async listenAll(addresses: string[], port: number, parallel = 256): Promise<void> {
    for (let i = 0; i < addresses.length; i += parallel) {
      await Promise.all(addresses.slice(i, i + parallel).map((a) => this.listen(a, port)));
    }
  }

  async close(): Promise<void> {
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** tenant 1 -> 127.1.0.1, tenant 256 -> 127.1.1.0 ... (65,535 tenants fit in 127.1.0.0/16). */
export function tenantAddress(index: number): string {
  if (index < 1 || index > 0xffff) throw new Error(`tenant index ${index} out of range 1..65535`);
  return `127.1.${index >> 8}.${index & 0xff}`;
}

export const QSEOW_ADDRESS = '127.0.0.1';

/**
 * The Repository port (QSEoW's 4242, where the QRS takes certificate callers): HTTPS that demands a client
 * certificate signed by the site's root CA, as the Repository Service does (doc QRS-CERT). A client without one
 * fails in the TLS handshake.
 */
export class RepositoryListener {
  private server?: https.Server;
  private readonly sockets = new Set<net.Socket>();

  async listen(tls: { key: string; cert: string; ca: string }, handler: http.RequestListener, port = 0): Promise<number> {
    const server = https.createServer({ ...tls, requestCert: true, rejectUnauthorized: true }, handler);
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: QSEOW_ADDRESS, port }, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
