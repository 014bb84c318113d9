/**
 * Structured JSON logs (pino). Secrets never reach a log line: authorization headers, tokens,
 * webhook keys and passwords are redacted wherever they appear, and connection strings are
 * logged without their password ({@link redactUrl}).
 */
import pino, { Logger } from 'pino';
import { currentRequestId } from './http/requestId';

export type { Logger };

export const redactPaths = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'webhookSecret',
  '*.webhookSecret',
  'password',
  '*.password',
  'callerPhone',
  '*.callerPhone',
  // The SDK's logs (temporal/runtime.ts) carry activity task tokens: enough to complete an activity.
  'taskToken',
  '*.taskToken',
];

/** A pino logger writing JSON to stdout (or to `destination`, e.g. in tests). */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hotline' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Every line written while an HTTP request is handled carries its id.
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    destination,
  );
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
