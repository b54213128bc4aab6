/**
 * This file defines a minimal recording CardService for the bundle load test: every builder
 * records its calls, and build() returns a plain object naming what was built. The faithful
 * CardService fake lives in src/emulator/gas.
 */

/** What a recording builder's build() returns. */
export interface RecordedObject {
  built: string;
  calls: { method: string; args: unknown[] }[];
}

function recordingBuilder(name: string): unknown {
  const recorded: RecordedObject = { built: name.replace(/Builder$/, ''), calls: [] };
  const builder: Record<string, unknown> = new Proxy(
    {},
    {
      get(_target, method: string) {
        if (method === 'build') return () => recorded;
        if (method === 'printJson') return () => JSON.stringify(recorded);
        return (...args: unknown[]) => {
          recorded.calls.push({ method, args });
          return builder;
        };
      },
    },
  );
  return builder;
}

/** Creates a CardService whose newX() factories return recording builders. */
export function createRecordingCardService(): Record<string, unknown> {
  return new Proxy(
    {},
    {
      get(_target, name: string) {
        if (name.startsWith('new')) return () => recordingBuilder(name.slice(3));
        return new Proxy({}, { get: (_enum, value: string) => `${name}.${value}` });
      },
    },
  );
}
