/**
 * This file defines how a contract suite sees a port: every method awaited, because an adapter's
 * calls may cross to a script's worker.
 */

/** `Port` with each method answering a promise of what it answers. */
export type AwaitedPort<Port> = {
  [Method in keyof Port]: Port[Method] extends (...args: infer Args) => infer Result
    ? (...args: Args) => Promise<Result>
    : never;
};
