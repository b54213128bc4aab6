/**
 * This file defines the backend's database access: one small interface over PostgreSQL (`pg`) and
 * PGlite, with transactions, and the migration runner that applies migrations/*.sql at start
 * under an advisory lock, so that instances starting together apply each migration once. On
 * PostgreSQL every statement is parsed once per connection.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import { PGlite } from '@electric-sql/pglite';

/** Runs parameterised SQL. */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (a migration). */
  exec(script: string): Promise<void>;
}

/** A database: queries, transactions, multi-statement scripts. */
export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite';
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The database cannot be reached (server down or restarting); the request may be retried. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DatabaseUnavailableError';
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
]);

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_CODES.has(code)) return true;
    // Class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now).
    if (code.startsWith('08') || /^57P0[123]$/.test(code)) return true;
  }
  return /Connection terminated|connection error|Client has encountered a connection error/i.test(
    error.message,
  );
}

/**
 * True when a connection's prepared statement no longer fits its table (a migration changed the
 * columns a `SELECT *` returns): that connection must be dropped so the statement is prepared anew.
 */
function isStalePlan(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === '0A000' &&
    /cached plan must not change result type/.test(error.message)
  );
}

function wrap(error: unknown): never {
  if (isUnavailable(error) || isStalePlan(error)) throw new DatabaseUnavailableError(error);
  throw error;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const statementNames = new Map<string, string>();

/**
 * A prepared-statement name for an SQL text: each connection parses a text once and then only
 * binds values (plans are still made for each execution's values: plan_cache_mode is
 * force_custom_plan). Names come from a digest of the text, so one name never means two texts;
 * the texts are few, since no SQL is built from values (test/security/sql-parameterised).
 */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `s_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    statementNames.set(text, name);
  }
  return name;
}

class PostgresDatabase implements Database {
  readonly kind = 'postgres';
  constructor(
    private readonly pool: Pool,
    private readonly maxConnections: number,
  ) {}

  /** Runs one statement on a pooled connection; a connection with a stale plan is replaced. */
  async query<Row>(text: string, params: unknown[] = []): Promise<Row[]> {
    for (let attempt = 0; ; attempt += 1) {
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        return wrap(error);
      }
      let broken = false;
      try {
        return (await client.query({ name: statementName(text), text, values: params }))
          .rows as Row[];
      } catch (error) {
        broken = isUnavailable(error) || isStalePlan(error);
        if (!isStalePlan(error) || attempt >= this.maxConnections) return wrap(error);
      } finally {
        client.release(broken);
      }
    }
  }

  async exec(script: string): Promise<void> {
    try {
      await this.pool.query(script);
    } catch (error) {
      wrap(error);
    }
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return wrap(error);
    }
    const tx: Sql = {
      query: async <Row>(text: string, params: unknown[] = []) =>
        (await client.query({ name: statementName(text), text, values: params })).rows as Row[],
      exec: async (script: string) => {
        await client.query(script);
      },
    };
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = isUnavailable(error) || isStalePlan(error);
      if (!isUnavailable(error)) await client.query('ROLLBACK').catch(() => undefined);
      return wrap(error);
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class PgliteDatabase implements Database {
  readonly kind = 'pglite';
  constructor(private readonly db: PGlite) {}

  async query<Row>(text: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.db.query<Row>(text, params)).rows;
  }

  async exec(script: string): Promise<void> {
    await this.db.exec(script);
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.db.transaction(async (inner) =>
      work({
        query: async <Row>(text: string, params: unknown[] = []) =>
          (await inner.query<Row>(text, params)).rows,
        exec: async (script: string) => {
          await inner.exec(script);
        },
      }),
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

const POOL_SIZE = 10;

/** Where the database is: a PostgreSQL URL and schema, or PGlite (in memory or in a folder). */
export interface DatabaseLocation {
  databaseUrl?: string;
  databaseSchema: string;
  pgliteDir?: string;
}

/** Opens the database, creates the schema if needed and applies pending migrations. */
export async function openDatabase(
  location: DatabaseLocation,
  onError: (error: Error) => void = () => undefined,
): Promise<Database> {
  let database: Database;
  if (location.databaseUrl) {
    const pool = new Pool({
      connectionString: location.databaseUrl,
      options: `-c search_path=${quoteIdentifier(location.databaseSchema)} -c plan_cache_mode=force_custom_plan`,
      max: POOL_SIZE,
      connectionTimeoutMillis: 5000,
    });
    pool.on('error', onError);
    database = new PostgresDatabase(pool, POOL_SIZE);
  } else {
    const pglite = new PGlite(location.pgliteDir);
    await pglite.waitReady;
    if (location.databaseSchema !== 'public')
      await pglite.exec(`SET search_path TO ${quoteIdentifier(location.databaseSchema)}`);
    database = new PgliteDatabase(pglite);
  }
  try {
    await migrate(database, location.databaseSchema);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  return database;
}

/** The migrations shipped beside this file (or the bundle), in name order. */
export function loadMigrations(): { name: string; sql: string }[] {
  const folder = path.join(__dirname, 'migrations');
  return fs
    .readdirSync(folder)
    .filter((name) => /^\d+_.*\.sql$/.test(name))
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(folder, name), 'utf8') }));
}

const MIGRATION_LOCK = 583_112_907;

/**
 * Applies pending migrations in one transaction holding a transaction-scoped advisory lock, so
 * that two instances starting together apply each migration exactly once.
 */
export async function migrate(database: Database, schema: string): Promise<string[]> {
  const migrations = loadMigrations();
  return database.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at text NOT NULL)',
    );
    const done = new Set(
      (await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name),
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [
        migration.name,
        new Date().toISOString(),
      ]);
      applied.push(migration.name);
    }
    return applied;
  });
}
