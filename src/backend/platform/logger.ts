/**
 * This file defines structured logging in Cloud Logging's JSON format (severity, message, trace,
 * httpRequest). Callers pass only non-sensitive fields: never tokens, secrets or contact data.
 */

export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

/** Writes one structured log entry. */
export interface Logger {
  log(severity: Severity, message: string, fields?: Record<string, unknown>): void;
}

/** Writes entries as single JSON lines to a stream (stdout on Cloud Functions). */
export function jsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  return {
    log(severity, message, fields = {}) {
      write(
        `${JSON.stringify({ severity, message, time: new Date().toISOString(), ...fields })}\n`,
      );
    },
  };
}

/** A logger that keeps entries in memory, for tests that check what is (not) logged. */
export function memoryLogger(): Logger & { entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  return {
    entries,
    log(severity, message, fields = {}) {
      entries.push({ severity, message, ...fields });
    },
  };
}

/** The Cloud Logging trace field for an `X-Cloud-Trace-Context` header, when there is one. */
export function traceField(
  header: string | undefined,
  projectId: string | undefined,
): Record<string, string> {
  const traceId = header?.split('/')[0];
  if (!traceId || !/^[0-9a-f]{32}$/i.test(traceId)) return {};
  return {
    'logging.googleapis.com/trace': projectId ? `projects/${projectId}/traces/${traceId}` : traceId,
  };
}
