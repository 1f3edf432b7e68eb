/**
 * The worker's HTTP endpoint: /metrics (the project's metrics, with the SDK runtime's metrics appended so
 * Prometheus needs one scrape target per worker) and /healthz (200 while the Temporal worker is running).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { RolloutMetrics } from './metrics';

export interface MetricsServerOptions {
  metrics: RolloutMetrics;
  /** host:port to listen on, e.g. 0.0.0.0:9464; port 0 picks a free port. */
  bindAddress: string;
  /** Where Core's Prometheus exporter answers (Runtime telemetry bindAddress); its text is appended. */
  sdkMetricsUrl?: string;
  /** Health of the process, e.g. the Temporal worker's state is RUNNING. */
  healthy: () => boolean;
  logger: Logger;
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function parseBindAddress(bindAddress: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(bindAddress);
  if (!match) throw new Error(`Invalid bind address "${bindAddress}": expected host:port, e.g. 0.0.0.0:9464`);
  return { host: match[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(match[2]) };
}

async function sdkMetricsText(url: string | undefined, logger: Logger): Promise<string> {
  if (!url) return '';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? await response.text() : '';
  } catch (err) {
    // The project's metrics are still worth serving when Core's exporter does not answer.
    logger.debug({ err: (err as Error).message, url }, 'SDK metrics endpoint did not answer');
    return '';
  }
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { host, port } = parseBindAddress(options.bindAddress);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/metrics') {
      void Promise.all([options.metrics.render(), sdkMetricsText(options.sdkMetricsUrl, options.logger)]).then(
        ([own, sdk]) => {
          res.writeHead(200, { 'content-type': own.contentType });
          res.end(sdk ? `${own.body}\n${sdk}` : own.body);
        },
        (err: Error) => {
          options.logger.error({ err: err.message }, 'rendering metrics failed');
          res.writeHead(500).end();
        },
      );
    } else if (path === '/healthz') {
      const healthy = options.healthy();
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'ok\n' : 'worker not running\n');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${actualPort}`,
    port: actualPort,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
