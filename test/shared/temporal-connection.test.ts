/**
 * A connection closed while a call still waits for its retry (a query given up after a deadline) must not throw
 * "Channel has been shut down" out of a timer: with the project's interceptors the call ends as CANCELLED.
 */
import net from 'node:net';
import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { temporalClientInterceptors } from '../../src/shared/temporal-connection';

test('a call retrying when its connection is closed ends with CANCELLED, nothing is thrown from a timer', async () => {
  // A port that accepts and drops every connection: each attempt fails UNAVAILABLE and is retried.
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), { interceptors: temporalClientInterceptors() });
    const ended = new Promise<ServiceError>((resolve) => {
      client.makeUnaryRequest('/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo', (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (err) => resolve(err as ServiceError));
    });
    // Let the first attempt fail and its retry be scheduled, then close the channel under it.
    await new Promise((resolve) => setTimeout(resolve, 150));
    client.close();
    const err = await ended;
    expect(err.code).toBe(status.CANCELLED);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
    server.close();
  }
});
