/**
 * This file defines the rate limit that holds across instances: a token bucket per caller kept in
 * PostgreSQL (table `rate_limit_buckets`, migration 007), refilled and taken in one atomic
 * statement, so that N instances together grant what one would. Each instance keeps the same
 * bucket in memory as a pre-filter: it has seen a subset of the caller's requests, so when its
 * own bucket is empty the shared one is too, and a flood is refused without a database write.
 */
import type { Sql } from './db';
import { HttpError } from './errors';
import { RateLimiter } from './http';

/** Takes one request from a caller's bucket or throws 429. */
export interface RequestLimiter {
  take(key: string): Promise<void>;
}

/** Buckets untouched for this long are full again and may be forgotten. */
const IDLE_MS = 10 * 60_000;

function rateLimited(seconds: number): HttpError {
  return new HttpError(429, 'rate_limited', `too many requests; retry in ${seconds} s`, {
    'retry-after': String(seconds),
  });
}

/**
 * A token bucket per caller in the shared database: `perMinute` requests a minute, bursts up to
 * the same number. The bucket is refilled for the time since its last use and one token is taken
 * in a single INSERT … ON CONFLICT DO UPDATE, which the row lock makes atomic across instances.
 */
export class SharedRateLimiter implements RequestLimiter {
  private readonly local: RateLimiter;

  constructor(
    private readonly sql: Sql,
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {
    this.local = new RateLimiter(perMinute, now);
  }

  /** True when this instance's copy of the caller's bucket holds a request (nothing is taken). */
  available(key: string): boolean {
    return this.local.available(key);
  }

  async take(key: string): Promise<void> {
    this.local.take(key);
    const now = this.now();
    const rate = this.perMinute / 60_000;
    const [row] = await this.sql.query<{ granted: boolean; tokens: number }>(
      `INSERT INTO rate_limit_buckets AS b (key, tokens, updated_ms, granted)
       VALUES ($1, $2::float8 - 1, $3::bigint, true)
       ON CONFLICT (key) DO UPDATE SET
         granted = least($2::float8, b.tokens + greatest(0, $3::bigint - b.updated_ms) * $4::float8) >= 1,
         tokens = least($2::float8, b.tokens + greatest(0, $3::bigint - b.updated_ms) * $4::float8)
           - CASE WHEN least($2::float8, b.tokens + greatest(0, $3::bigint - b.updated_ms) * $4::float8) >= 1
             THEN 1 ELSE 0 END,
         updated_ms = greatest(b.updated_ms, $3::bigint)
       RETURNING granted, tokens`,
      [key, this.perMinute, now, rate],
    );
    if (row && !row.granted)
      throw rateLimited(Math.max(1, Math.ceil((1 - Number(row.tokens)) / rate / 1000)));
  }
}

/** Forgets buckets idle long enough to be full again (run by /v1/scan); returns how many. */
export async function pruneRateLimitBuckets(sql: Sql, now: number): Promise<number> {
  const rows = await sql.query<{ key: string }>(
    'DELETE FROM rate_limit_buckets WHERE updated_ms < $1 RETURNING key',
    [now - IDLE_MS],
  );
  return rows.length;
}
