/**
 * Every Temporal client connection of the project (CLI, worker process, bench, tests) goes through here.
 *
 * Why: the client's gRPC retry interceptor schedules a retry with setTimeout and `Connection.close()` does not clear
 * it; when the timer fires after the close, grpc-js throws "Channel has been shut down" synchronously inside the
 * timer, off any awaited path, and the process gets an uncaught exception. That happens whenever a call is given up
 * (a query with a deadline that found no worker) and the connection is closed while the call still retries. The
 * guard below sits under the retry interceptor: a retry on a closed channel ends the call with CANCELLED instead.
 */
import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';

/** A call that never reaches the network: it ends at once with CANCELLED. */
function cancelledCall(): ConstructorParameters<typeof InterceptingCall>[0] {
  return {
    start(_metadata, listener) {
      setImmediate(() => listener?.onReceiveStatus?.({ code: status.CANCELLED, details: 'the Temporal connection was closed', metadata: new Metadata() }));
    },
    cancelWithStatus() {},
    getPeer: () => '',
    sendMessageWithContext() {},
    sendMessage() {},
    startRead() {},
    halfClose() {},
    getAuthContext: () => null,
  };
}

const closedChannelGuard: Interceptor = (options, nextCall) => {
  try {
    return new InterceptingCall(nextCall(options));
  } catch (err) {
    if (!(err instanceof Error) || !/Channel has been shut down/.test(err.message)) throw err;
    return new InterceptingCall(cancelledCall());
  }
};

/** The SDK's default retries, then the closed-channel guard under them. */
export function temporalClientInterceptors(): Interceptor[] {
  return [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), closedChannelGuard];
}

/** Connection.connect with temporalClientInterceptors(). */
export function connectTemporalClient(options: ConnectionOptions): Promise<Connection> {
  return Connection.connect({ ...options, interceptors: temporalClientInterceptors() });
}
