import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backends } from '../serverHarness';
import {
  LATEST_SERVER_SCHEMA,
  migrateServerDb,
  serverMigrations,
} from '../../../../src/server/db/migrations';
import { databaseAt } from './migrationHarness';

/**
 * Servers migrated before the migrations were split into numbered files (issue #14) recorded
 * versions 1-4 under these names, having run exactly this SQL (sha256 of each, taken from the old
 * single `migrations.ts`). An edit to a shipped migration shows here first.
 */
const SHIPPED = [
  [1, 'initial', '3c9c42a7c601624c362ecd140c6c2d8775773feb28d966f746d35d31487dfd2c'],
  [2, 'review_workflow', '619ff3850bdd1b39c86a452656355d8a65fa0a3c9e0c46958a50e26766a53342'],
  [3, 'audit_log', '4e2f613b2df4ae2cc3903951107c122b2c37ca309ca084c3141e8f42d2b54e79'],
  [4, 'consent_records', 'fc5b36d4fbea8e40c7b5d6ee4439bd69d2d1ada5a63c11f6b432c2459d67ade5'],
] as const;

describe('server migrations as numbered files', () => {
  it('keep the versions, names and SQL the single file shipped, numbered in order', () => {
    const shipped = serverMigrations
      .slice(0, SHIPPED.length)
      .map((m) => [m.version, m.name, createHash('sha256').update(m.sql).digest('hex')]);
    expect(shipped).toEqual(SHIPPED.map((row) => [...row]));
    expect(serverMigrations.map((m) => m.version)).toEqual(
      Array.from({ length: LATEST_SERVER_SCHEMA }, (_, i) => i + 1),
    );
  });
});

describe.each(backends)('server migrations upgrading in place on %s', (backend) => {
  it('run only what a server at version 4 has not run, once', async () => {
    const fixture = await databaseAt(backend, 4);
    const recorded = await fixture.db.query('SELECT version, name FROM schema_migrations');
    expect(await migrateServerDb(fixture.db)).toEqual(
      serverMigrations.slice(4).map((m) => m.version),
    );
    expect(await migrateServerDb(fixture.db)).toEqual([]);
    expect(
      await fixture.db.query('SELECT version, name FROM schema_migrations WHERE version <= 4'),
    ).toEqual(recorded);
    expect(await fixture.version()).toBe(LATEST_SERVER_SCHEMA);
  });

  it('refuse a database whose recorded migration has another name, and one from a newer server', async () => {
    const fixture = await databaseAt(backend, 2);
    const renamed = serverMigrations.map((m) =>
      m.version === 2 ? { ...m, name: 'reviews_renamed' } : m,
    );
    await expect(migrateServerDb(fixture.db, renamed)).rejects.toThrow(
      /ran here as "review_workflow".*renamed or reordered/,
    );
    expect(await fixture.version()).toBe(2);
    await expect(migrateServerDb(fixture.db, serverMigrations.slice(0, 1))).rejects.toThrow(
      /newer framewise-server/,
    );
  });
});
