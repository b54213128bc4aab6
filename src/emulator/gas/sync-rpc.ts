/**
 * This file defines the synchronous call from the script's worker thread to the host (the main
 * thread): the worker posts a request on a MessagePort and sleeps on a SharedArrayBuffer with
 * Atomics.wait; the host answers asynchronously, then wakes it with Atomics.notify, and the worker
 * takes the answer with receiveMessageOnPort (the pattern of the synckit library). The host
 * never blocks, so it can serve the API emulator and real HTTP while the script waits.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** A request from the worker to the host. */
export interface HostCallRequest {
  id: number;
  method: string;
  args: unknown[];
}

/** The host's answer: a value, or an error the script sees as an Apps Script exception. */
export type HostCallAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string; kind: 'exception' | 'abort'; modelledMs: number };

/** An error a host handler throws to make the script see an Apps Script `Exception`. */
export class ScriptFacingError extends Error {
  constructor(
    message: string,
    readonly kind: 'exception' | 'abort' = 'exception',
    /** The modelled time spent before the failure, e.g. a request's timeout. */
    readonly modelledMs = 0,
  ) {
    super(message);
    this.name = 'ScriptFacingError';
  }
}

/** Creates the worker's synchronous caller over a port and a 4-byte shared flag. */
export function createSyncCaller(
  port: MessagePort,
  flag: SharedArrayBuffer,
): (method: string, args: unknown[]) => HostCallAnswer {
  const state = new Int32Array(flag);
  let nextId = 1;
  return (method, args) => {
    const id = nextId++;
    Atomics.store(state, 0, 0);
    port.postMessage({ id, method, args } satisfies HostCallRequest);
    Atomics.wait(state, 0, 0);
    const received = receiveMessageOnPort(port);
    if (!received) throw new Error(`The host did not answer ${method}`);
    const answer = received.message as HostCallAnswer;
    if (answer.id !== id) throw new Error(`The host answered call ${answer.id}, not ${id}`);
    return answer;
  };
}

/** Serves the worker's synchronous calls on the host; never blocks the host's event loop. */
export function serveSyncCalls(
  port: MessagePort,
  flag: SharedArrayBuffer,
  handlers: (method: string) => ((...args: unknown[]) => unknown) | undefined,
): void {
  const state = new Int32Array(flag);
  port.on('message', (request: HostCallRequest) => {
    void answer(request).then((reply) => {
      port.postMessage(reply);
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
    });
  });
  async function answer(request: HostCallRequest): Promise<HostCallAnswer> {
    const handler = handlers(request.method);
    if (!handler) {
      return {
        id: request.id,
        ok: false,
        kind: 'exception',
        modelledMs: 0,
        message: `Unknown host call ${request.method}`,
      };
    }
    try {
      return { id: request.id, ok: true, value: await handler(...request.args) };
    } catch (error) {
      if (error instanceof ScriptFacingError) {
        return {
          id: request.id,
          ok: false,
          kind: error.kind,
          message: error.message,
          modelledMs: error.modelledMs,
        };
      }
      const message = error instanceof Error ? error.message : String(error);
      return {
        id: request.id,
        ok: false,
        kind: 'exception',
        modelledMs: 0,
        message: `Unexpected error: ${message}`,
      };
    }
  }
}
