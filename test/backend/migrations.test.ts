/**
 * This file tests the migration runner on the PostgreSQL server: instances starting together on
 * the same schema apply each migration exactly once, and a restart applies nothing again.
 */
import { loadMigrations, openDatabase } from '../../src/backend/platform/db';
import { POSTGRES_URL, dropSchema, freshSchema } from './harness';

describe('migrations', () => {
  it('apply once when four instances start together, and not again on restart', async () => {
    const schema = freshSchema();
    const location = { databaseUrl: POSTGRES_URL, databaseSchema: schema };
    try {
      const databases = await Promise.all(Array.from({ length: 4 }, () => openDatabase(location)));
      const applied = await databases[0]?.query<{ name: string }>(
        'SELECT name FROM schema_migrations ORDER BY name',
      );
      expect(applied?.map((row) => row.name)).toEqual(loadMigrations().map((m) => m.name));
      await Promise.all(databases.map((db) => db.close()));
      const again = await openDatabase(location);
      expect(await again.query('SELECT name FROM schema_migrations')).toHaveLength(
        loadMigrations().length,
      );
      await again.close();
    } finally {
      await dropSchema(schema);
    }
  });

  it('ship with the init migration first', () => {
    expect(loadMigrations()[0]?.name).toBe('001_init.sql');
  });
});
