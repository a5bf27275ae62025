import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { downloadClip, type ClipDelivery } from '../src/main/services/delivery/downloadClip';
import { sha256File } from '../src/node/media/sha256File';
import { buildServer } from '../src/server/app';
import { openBlobStore } from '../src/server/blobs/blobStore';
import { openDb } from '../src/server/db/Db';
import { migrateServerDb } from '../src/server/db/migrations';
import { ingestBatchFolder } from '../src/server/delivery/ingest';
import { uploadBatchFolder } from '../src/server/delivery/uploadClient';
import { addUser, assignClip, createProject, issueToken } from '../src/server/team';
import { startLossyProxy } from '../tests/support/lossyProxy';

const MB = 1024 * 1024;

function ffmpeg(args: string[]): void {
  execFileSync('/usr/bin/ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    ...args,
  ]);
}

const manifest = (batchId: string) =>
  JSON.stringify({
    version: 1,
    batchId,
    contributor: { pseudonym: 'bench_contrib' },
    consent: { id: `consent-${batchId}`, scope: ['training'], grantedAt: '2026-11-01' },
  });

/**
 * A large phone-like clip (720p, near-lossless noise, tagged with a location and an iPhone) and
 * `count` distinct one-second clips, made once with ffmpeg.
 */
function makeSources(folder: string, count: number): { big: string; shortDir: string } {
  mkdirSync(folder, { recursive: true });
  const big = join(folder, 'big', 'phone.mov');
  if (!existsSync(big)) {
    mkdirSync(join(folder, 'big'), { recursive: true });
    ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=4', '-vf', 'noise=alls=60:allf=t',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '8',
      '-metadata', 'location=+48.8584+002.2945/', '-metadata', 'make=Apple',
      '-metadata', 'model=iPhone 15 Pro', '-movflags', 'use_metadata_tags', big,
    ]); // prettier-ignore
  }
  writeFileSync(join(folder, 'big', 'batch.json'), manifest('bench-big'));
  const shortDir = join(folder, 'short');
  mkdirSync(shortDir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const file = join(shortDir, `clip${String(i).padStart(4, '0')}.mp4`);
    if (existsSync(file)) continue;
    ffmpeg([
      '-f', 'lavfi', '-i', `testsrc2=s=320x240:r=30:d=1,drawtext=text=${i}:fontsize=40:x=10:y=10`,
      '-c:v', 'libx264', '-preset', 'ultrafast', file,
    ]); // prettier-ignore
  }
  writeFileSync(join(shortDir, 'batch.json'), manifest('bench-short'));
  return { big, shortDir };
}

export async function runDeliveryBench(workDir: string): Promise<Record<string, number>> {
  const root = join(workDir, 'delivery');
  // The issue's figure is 1,000 short clips; DELIVERY_SHORT_CLIPS makes a quicker run.
  const shortCount = Number(process.env.DELIVERY_SHORT_CLIPS ?? 1000);
  const { big, shortDir } = makeSources(join(root, 'sources'), shortCount);
  const run = join(root, `run-${Date.now()}`);
  mkdirSync(run, { recursive: true });
  const db = await openDb({ dataDir: join(run, 'pglite') });
  await migrateServerDb(db);
  const blobs = await openBlobStore({ kind: 'folder', dir: join(run, 'blobs') });
  const deps = { db, blobs, stagingDir: join(run, 'staging') };
  await addUser(db, 'lead', 'lead');
  await addUser(db, 'ann', 'annotator');
  const leadToken = (await issueToken(db, 'lead')).token;
  const annToken = (await issueToken(db, 'ann')).token;
  const { projectId } = await createProject(db, 'bench', 'lead');
  const admin = { id: 'admin:bench', name: 'admin:bench', role: 'admin' as const };
  const figures: Record<string, number> = {};
  try {
    // Ingest from the server's disk: hash, probe, strip, re-probe, store both, register.
    const shortBytes = Array.from(
      { length: shortCount },
      (_, i) => statSync(join(shortDir, `clip${String(i).padStart(4, '0')}.mp4`)).size,
    ).reduce((a, b) => a + b, 0);
    let started = performance.now();
    const shortReport = await ingestBatchFolder(deps, admin, shortDir, projectId, 'bench');
    let seconds = (performance.now() - started) / 1000;
    if (shortReport.ingested !== shortCount) throw new Error(JSON.stringify(shortReport.files));
    figures.ingestShortClips = shortCount;
    figures.ingestShortClipsPerSecond = shortCount / seconds;
    figures.ingestShortMBPerSecond = shortBytes / MB / seconds;

    const app = await buildServer({
      db,
      rateLimitPerMinute: 1_000_000,
      delivery: { blobs, stagingDir: deps.stagingDir },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    const url = `http://127.0.0.1:${address.port}`;
    try {
      // The big clip by the resumable upload route, on a clean link.
      const bigSize = statSync(big).size;
      figures.bigClipMB = bigSize / MB;
      started = performance.now();
      const upload = await uploadBatchFolder(
        { baseUrl: url, token: leadToken },
        join(root, 'sources', 'big'),
        projectId,
      );
      seconds = (performance.now() - started) / 1000;
      const outcome = upload.files[0];
      if (outcome?.status !== 'ok') throw new Error(JSON.stringify(upload.files));
      figures.uploadIngestMBPerSecond = bigSize / MB / seconds;
      await assignClip(db, { clipRef: outcome.clipRef, projectId, annotator: 'ann' });
      const list = (await (
        await fetch(`${url}/v1/deliveries`, { headers: { authorization: `Bearer ${annToken}` } })
      ).json()) as { clips: ClipDelivery[] };
      const delivery = list.clips[0];
      if (delivery === undefined) throw new Error('nothing to download');

      // Download, clean link.
      const clean = join(run, 'clean');
      mkdirSync(clean);
      started = performance.now();
      await downloadClip({ baseUrl: url, token: annToken }, delivery, clean);
      seconds = (performance.now() - started) / 1000;
      figures.downloadCleanMBPerSecond = delivery.sizeBytes / MB / seconds;

      // Download through a link that cuts 30 % of requests and responses (and, in a long answer,
      // 30 % of each 4 MB stretch), several times over.
      const rounds = 5;
      let lossyBytes = 0;
      let lossySeconds = 0;
      let corrupt = 0;
      let refetched = 0;
      let cuts = 0;
      let wire = 0;
      for (let round = 0; round < rounds; round++) {
        const proxy = await startLossyProxy(url, {
          dropShare: 0.3,
          seed: 100 + round,
          maxCutBytes: 8 * MB,
        });
        const dir = join(run, `lossy-${round}`);
        mkdirSync(dir);
        started = performance.now();
        const result = await downloadClip({ baseUrl: proxy.url, token: annToken }, delivery, dir, {
          maxAttempts: 200,
          pauseMs: () => 20,
        });
        lossySeconds += (performance.now() - started) / 1000;
        lossyBytes += delivery.sizeBytes;
        if ((await sha256File(result.path)) !== delivery.sha256) corrupt += 1;
        // Bytes the client wrote beyond the file's size: bytes fetched twice after a resume.
        refetched += result.bytesReceived - delivery.sizeBytes;
        cuts += proxy.stats.cut;
        wire += proxy.stats.bytesDown;
        await proxy.close();
      }
      figures.downloadLossyMB = lossyBytes / MB;
      figures.downloadLossyMBPerSecond = lossyBytes / MB / lossySeconds;
      figures.downloadLossyConnectionsCut = cuts;
      figures.downloadLossyCorruptFiles = corrupt;
      figures.downloadLossyRefetchedBytes = refetched;
      // Bytes that crossed the link per byte delivered (HTTP headers and bytes lost in cuts).
      figures.downloadLossyWireOverhead = wire / lossyBytes - 1;
    } finally {
      await app.close();
    }
  } finally {
    await blobs.close();
    await db.close();
    rmSync(run, { recursive: true, force: true });
  }
  return figures;
}
