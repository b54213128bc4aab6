/**
 * This file runs the backend stores' contract on every database the backend supports: PGlite in
 * memory, and the PostgreSQL server in a fresh schema that is dropped afterwards.
 */
import { openDatabase } from '../../src/backend/platform/db';
import {
  DATABASES,
  POSTGRES_URL,
  dropSchema,
  freshSchema,
  type DatabaseKind,
} from '../backend/harness';
import { describeBackendStores, type OpenedDatabase } from './backend-stores.contract';

/** Opens a migrated database of the given kind. */
async function openKind(kind: DatabaseKind): Promise<OpenedDatabase> {
  if (kind === 'pglite') {
    const db = await openDatabase({ databaseSchema: 'public' });
    return { db, close: () => db.close() };
  }
  const schema = freshSchema();
  const db = await openDatabase({ databaseUrl: POSTGRES_URL, databaseSchema: schema });
  return {
    db,
    async close() {
      await db.close();
      await dropSchema(schema);
    },
  };
}

for (const kind of DATABASES) describeBackendStores(kind, () => openKind(kind));
