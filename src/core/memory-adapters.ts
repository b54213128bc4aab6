/**
 * This file defines in-memory adapters for the core ports, used by Node tests and the emulator.
 * They are stateful and count calls, so that tests can assert what was done.
 */
import type { AuditEvent, AuditSink, Clock, ExpiringCache, KeyValueStore, Sleeper } from './ports';
import type { Share } from './sharing-model';
import type { ShareDirectory } from './sync-ports';

/** A KeyValueStore in a Map. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly values = new Map<string, string>();
  calls = 0;

  get(key: string): string | null {
    this.calls++;
    return this.values.get(key) ?? null;
  }

  set(key: string, value: string): void {
    this.calls++;
    this.values.set(key, value);
  }

  delete(key: string): void {
    this.calls++;
    this.values.delete(key);
  }

  keys(): string[] {
    this.calls++;
    return [...this.values.keys()];
  }
}

/** An ExpiringCache in a Map, whose entries expire on the injected clock. */
export class MemoryExpiringCache implements ExpiringCache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  calls = 0;

  constructor(private readonly clock: Clock) {}

  get(key: string): string | null {
    return this.getAll([key])[key] ?? null;
  }

  getAll(keys: string[]): Record<string, string> {
    this.calls++;
    const found: Record<string, string> = {};
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry && entry.expiresAt > this.clock.now()) found[key] = entry.value;
    }
    return found;
  }

  put(key: string, value: string, ttlSeconds: number): void {
    this.putAll({ [key]: value }, ttlSeconds);
  }

  putAll(values: Record<string, string>, ttlSeconds: number): void {
    this.calls++;
    const expiresAt = this.clock.now() + ttlSeconds * 1000;
    for (const [key, value] of Object.entries(values)) this.entries.set(key, { value, expiresAt });
  }
}

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}

/** An AuditSink that keeps what it was given. */
export class MemoryAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];

  record(events: AuditEvent[]): void {
    this.events.push(...events);
  }
}

/** A Sleeper that advances a clock instead of waiting, and keeps the total slept. */
export class ClockSleeper implements Sleeper {
  slept = 0;
  calls = 0;

  constructor(private readonly clock: { advance(milliseconds: number): void }) {}

  sleep(milliseconds: number): void {
    this.calls++;
    this.slept += milliseconds;
    this.clock.advance(milliseconds);
  }
}

/** A ShareDirectory over a Map, for tests and the emulator. */
export class MemoryShareDirectory implements ShareDirectory {
  readonly shares = new Map<string, Share>();
  calls = 0;

  getShare(shareId: string): Share | null {
    this.calls++;
    return this.shares.get(shareId) ?? null;
  }

  transferAdopted(shareId: string): void {
    this.calls++;
    const share = this.shares.get(shareId);
    if (share) this.shares.set(shareId, { ...share, formerOwner: null, formerLabel: null });
  }
}
