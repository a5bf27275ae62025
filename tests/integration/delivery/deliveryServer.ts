import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildServer } from '../../../src/server/app';
import { openBlobStore, type BlobStore } from '../../../src/server/blobs/blobStore';
import type { Db } from '../../../src/server/db/Db';
import { ingestBatchFolder, type IngestReport } from '../../../src/server/delivery/ingest';
import { openTestDb, seedTeam, type Team } from '../server/serverHarness';

const GENERATED_BATCH = resolve(import.meta.dirname, '../../fixtures/generated/batch');

export type DeliveryServer = {
  db: Db;
  team: Team;
  blobs: BlobStore;
  url: string;
  /** What the ingest of the contributor batch reported. */
  ingested: IngestReport;
  /** Stops the server and throws away its database and blobs' handles (not `scratch`). */
  close(): Promise<void>;
};

/**
 * A team server on PGlite with the delivery routes, over HTTP on a free port, and a contributor
 * batch already ingested into the team's project: `files` maps each name in the batch to a clip
 * of tests/fixtures/generated/batch. Blobs, staging and the batch live under `scratch`.
 */
export async function startDeliveryServer(
  scratch: string,
  batchId: string,
  files: Readonly<Record<string, string>>,
): Promise<DeliveryServer> {
  const { db, dispose } = await openTestDb('pglite');
  const team = await seedTeam(db);
  const blobs = await openBlobStore({ kind: 'folder', dir: join(scratch, 'blobs') });
  const stagingDir = join(scratch, 'staging');
  const app = await buildServer({
    db,
    rateLimitPerMinute: 1_000_000,
    delivery: { blobs, stagingDir },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  const batch = join(scratch, 'batch');
  mkdirSync(batch);
  for (const [name, fixture] of Object.entries(files)) {
    copyFileSync(join(GENERATED_BATCH, fixture), join(batch, name));
  }
  writeFileSync(
    join(batch, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId,
      contributor: { pseudonym: `contrib_${batchId}` },
      consent: { id: `consent-${batchId}`, scope: ['training'], grantedAt: '2026-11-01' },
    }),
  );
  const admin = { id: 'admin:test', name: 'admin:test', role: 'admin' as const };
  const ingested = await ingestBatchFolder(
    { db, blobs, stagingDir },
    admin,
    batch,
    team.projectId,
    'admin:test',
  );
  return {
    db,
    team,
    blobs,
    url: `http://127.0.0.1:${address.port}`,
    ingested,
    close: async () => {
      await app.close();
      await blobs.close();
      await dispose();
    },
  };
}
