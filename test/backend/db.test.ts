/**
 * This file tests the database layer's prepared statements on the PostgreSQL server: statements
 * keep answering after a migration changes the columns a prepared `SELECT *` returns (the stale
 * connections are replaced), and inside a transaction such a change is a retryable 503-class error
 * that leaves nothing half-written.
 */
import { Client } from 'pg';
import {
  DatabaseUnavailableError,
  openDatabase,
  type Database,
} from '../../src/backend/platform/db';
import { POSTGRES_URL, dropSchema, freshSchema } from './harness';

describe('prepared statements on PostgreSQL', () => {
  const schema = freshSchema();
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: POSTGRES_URL, databaseSchema: schema });
    await db.exec('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
    await db.query("INSERT INTO notes VALUES (1, 'one'), (2, 'two')");
  });
  afterAll(async () => {
    await db.close();
    await dropSchema(schema);
  });

  /** Prepares `SELECT *` on several pooled connections at once. */
  const readAllConcurrently = () =>
    Promise.all(
      Array.from({ length: 6 }, () => db.query('SELECT * FROM notes WHERE id = $1', [1])),
    );

  it('answers the same statement with new values, and after a change of the table', async () => {
    expect(await readAllConcurrently()).toEqual(Array(6).fill([{ id: 1, body: 'one' }]));
    expect(await db.query('SELECT * FROM notes WHERE id = $1', [2])).toEqual([
      { id: 2, body: 'two' },
    ]);
    // The premise: a connection that prepared the statement before the change cannot run it again.
    const raw = new Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await raw.connect();
    const prepared = {
      name: 'notes_by_id',
      text: 'SELECT * FROM notes WHERE id = $1',
      values: [1],
    };
    await raw.query(prepared);
    await db.exec("ALTER TABLE notes ADD COLUMN tag text NOT NULL DEFAULT 'x'");
    await expect(raw.query(prepared)).rejects.toThrow('cached plan must not change result type');
    await raw.end();
    expect(await readAllConcurrently()).toEqual(Array(6).fill([{ id: 1, body: 'one', tag: 'x' }]));
  });

  it('fails a transaction that meets a stale statement as retryable, writing nothing', async () => {
    await readAllConcurrently();
    await db.exec("ALTER TABLE notes ADD COLUMN extra text NOT NULL DEFAULT 'y'");
    const attempt = () =>
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes (id, body) VALUES (3, 'three') ON CONFLICT DO NOTHING");
        return tx.query('SELECT * FROM notes WHERE id = $1', [1]);
      });
    let outcome: unknown;
    const failures: unknown[] = [];
    const writtenAfterFailure: unknown[] = [];
    for (let tries = 0; tries < 12; tries += 1) {
      try {
        outcome = await attempt();
        break;
      } catch (error) {
        failures.push(error);
        writtenAfterFailure.push(...(await db.query('SELECT id FROM notes WHERE id = 3')));
      }
    }
    // The stale statement must have been met (else this test proves nothing), each time as a
    // retryable error that wrote nothing; a later attempt on a fresh connection then succeeds.
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    expect(writtenAfterFailure).toEqual([]);
    expect(outcome).toEqual([{ id: 1, body: 'one', tag: 'x', extra: 'y' }]);
  });
});
