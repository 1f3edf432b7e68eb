/**
 * The project's pino logger. Redaction is a second line of defence: code never logs secret values, but if a
 * header bag or an error object carrying one slips into a log call, pino replaces it with [redacted].
 */
import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths pino censors wherever they appear (one level of nesting is enough for our log objects). */
export const REDACTED_PATHS = [
  'authorization', 'Authorization', '*.authorization', '*.Authorization',
  'headers.authorization', 'headers.Authorization', '*.headers.authorization',
  'token', '*.token', 'accessToken', '*.accessToken', 'access_token', '*.access_token',
  'apiKey', '*.apiKey', 'key', '*.key', 'secret', '*.secret', 'clientSecret', '*.clientSecret',
  'client_secret', '*.client_secret', 'password', '*.password', 'passphrase', '*.passphrase',
  'base64Encoded', '*.base64Encoded', 'cookie', '*.cookie',
];

export function createLogger(options: { level?: string; name?: string } = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: options.name ?? 'qlik-rollout',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

let rootLogger: Logger | undefined;

/** The process-wide logger (created on first use so tests and the CLI can set LOG_LEVEL first). */
export function logger(): Logger {
  rootLogger ??= createLogger();
  return rootLogger;
}

/** Lets the worker or a test install its own root logger (e.g. writing to a file or silent). */
export function setLogger(next: Logger): void {
  rootLogger = next;
}
