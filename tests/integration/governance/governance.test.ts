import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PROJECT_ID,
  defaultProjectSchema,
} from '../../../src/main/services/labels/defaultProject';
import { calls } from '../../../src/shared/api/contract';
import { ExportRequest } from '../../../src/shared/api/exportSchemas';
import type { Command } from '../../../src/shared/domain/labels';
import { requireFixtures } from '../fixturePaths';
import { framewise } from '../runFramewise';
import {
  buildWorld,
  labelClip,
  sampleTracks,
  VALID_CONSENT,
  type BatchSpec,
  type World,
} from '../export/exportWorld';

let worlds: World[] = [];
afterEach(() => {
  for (const world of worlds) world.remove();
  worlds = [];
});
beforeAll(requireFixtures);

async function world(batches: readonly BatchSpec[]): Promise<World> {
  const built = await buildWorld(batches, 'governance');
  worlds.push(built);
  return built;
}

function id(w: World, key: string): string {
  const clip = w.clips.get(key);
  if (clip === undefined) throw new Error(`no clip ${key}`);
  return clip.clipId;
}

/** Rewrites a batch's manifest and imports the folder again, as a lead correcting consent would. */
async function reimport(w: World, batch: string, consent: BatchSpec['consent'], files: string[]) {
  const folder = join(w.root, 'batches', batch);
  writeFileSync(
    join(folder, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId: batch,
      contributor: { pseudonym: `contrib_${batch}`, region: 'PT' },
      ...(consent === 'none' || consent === 'no-manifest' ? {} : { consent }),
      clips: files.map((path) => ({ path })),
    }),
  );
  await w.services.handlers.importBatch({ folder });
}

/** Every byte of the database file and its -wal, as latin1 text for substring search. */
function rawBytes(databasePath: string): string {
  let text = readFileSync(databasePath).toString('latin1');
  const wal = `${databasePath}-wal`;
  if (existsSync(wal)) text += readFileSync(wal).toString('latin1');
  return text;
}

const SECRET_LABEL = 'Zebra-Kite-7781';

describe('consent states', () => {
  it('shows each clip its state and moves through every transition the manifest and withdrawals make', async () => {
    const w = await world([
      { name: 'ok', files: ['cfr30.mp4'], consent: VALID_CONSENT },
      { name: 'none', files: ['clip.webm'], consent: 'no-manifest' },
      {
        name: 'old',
        files: ['ntsc2997.mp4'],
        consent: { ...VALID_CONSENT, id: 'consent-old', expiresAt: '2021-01-01' },
      },
      {
        name: 'later',
        files: ['vfr.mp4'],
        consent: { ...VALID_CONSENT, id: 'consent-later', grantedAt: '2999-01-01' },
      },
      {
        name: 'gone',
        files: ['cfr60.mp4'],
        consent: { ...VALID_CONSENT, id: 'consent-gone', withdrawn: true },
      },
    ]);
    const { store } = w.services;
    const state = (key: string) => store.media.getClip(id(w, key))?.consent.state;
    expect(state('ok/cfr30.mp4')).toBe('valid');
    expect(state('none/clip.webm')).toBe('missing');
    expect(state('old/ntsc2997.mp4')).toBe('expired');
    expect(state('later/vfr.mp4')).toBe('not_yet_valid');
    expect(state('gone/cfr60.mp4')).toBe('withdrawn');
    // The clip list carries the same states.
    const listed = store.media.listClips(w.clips.get('old/ntsc2997.mp4')?.batchId ?? '');
    expect(listed[0]?.consent).toEqual({
      state: 'expired',
      consentId: 'consent-old',
      message: 'Consent consent-old expired on 2021-01-01.',
    });

    // missing → valid: the lead adds the consent record and imports again.
    await reimport(w, 'none', { ...VALID_CONSENT, id: 'consent-none' }, ['clip.webm']);
    expect(state('none/clip.webm')).toBe('valid');
    // valid → expired → valid: a corrected expiry, then a renewal.
    await reimport(w, 'none', { ...VALID_CONSENT, id: 'consent-none', expiresAt: '2022-01-01' }, [
      'clip.webm',
    ]);
    expect(state('none/clip.webm')).toBe('expired');
    await reimport(w, 'none', { ...VALID_CONSENT, id: 'consent-none' }, ['clip.webm']);
    expect(state('none/clip.webm')).toBe('valid');
    // valid → withdrawn, and a re-import of the same manifest does not bring consent back.
    await w.services.governance.withdrawConsent({ consentId: 'consent-none', source: 'server' });
    expect(state('none/clip.webm')).toBe('withdrawn');
    await reimport(w, 'none', { ...VALID_CONSENT, id: 'consent-none' }, ['clip.webm']);
    expect(state('none/clip.webm')).toBe('withdrawn');
    // A clip-level withdrawal touches only that clip.
    await w.services.governance.withdrawConsent({
      clipId: id(w, 'later/vfr.mp4'),
      source: 'local',
    });
    expect(state('later/vfr.mp4')).toBe('withdrawn');
    expect(state('ok/cfr30.mp4')).toBe('valid');
  });

  it('locks labeling of clips without valid consent under a "lock" project, and never a valid one', async () => {
    const w = await world([
      { name: 'ok', files: ['cfr30.mp4'], consent: VALID_CONSENT },
      { name: 'none', files: ['cfr60.mp4'], consent: 'none' },
    ]);
    const { store } = w.services;
    store.labels.ensureProject(
      {
        id: 'strict',
        schema: { ...defaultProjectSchema(), name: 'Strict', consentPolicy: 'lock' },
      },
      'lead',
    );
    const person = sampleTracks()[0];
    if (person === undefined) throw new Error('no sample track');
    const add = { type: 'addTrack', track: person } satisfies Command;

    // The default project labels clips without consent (they are still never exported).
    const loose = store.labels.openAnnotationSet(
      id(w, 'none/cfr60.mp4'),
      'annotator_a',
      DEFAULT_PROJECT_ID,
    );
    expect(store.labels.applyLabelEdit(loose.id, add, 0, 'annotator_a').seq).toBe(1);
    // The lead locks the default project: the next edit is refused; unlocking allows it again.
    const second: Command = { type: 'addTrack', track: { ...add.track, id: 'person-2' } };
    await w.services.handlers.setConsentPolicy({ projectId: DEFAULT_PROJECT_ID, policy: 'lock' });
    expect(store.labels.getProject(DEFAULT_PROJECT_ID)?.schema.consentPolicy).toBe('lock');
    expect(() => store.labels.applyLabelEdit(loose.id, second, 1, 'annotator_a')).toThrow(
      expect.objectContaining({ code: 'CLIP_LOCKED' }),
    );
    await w.services.handlers.setConsentPolicy({ projectId: DEFAULT_PROJECT_ID, policy: 'label' });
    expect(store.labels.applyLabelEdit(loose.id, second, 1, 'annotator_a').seq).toBe(2);
    expect(store.audit.list({ entityId: DEFAULT_PROJECT_ID })[0]).toMatchObject({
      action: 'project.consent_policy',
      details: { from: 'lock', to: 'label' },
    });

    // Under "lock", the set opens (to view) but an edit is refused with a message.
    const locked = store.labels.openAnnotationSet(id(w, 'none/cfr60.mp4'), 'annotator_b', 'strict');
    expect(() => store.labels.applyLabelEdit(locked.id, add, 0, 'annotator_b')).toThrow(
      expect.objectContaining({
        code: 'CLIP_LOCKED',
        message: expect.stringMatching(/locked: The batch has no consent record/) as unknown,
      }),
    );
    expect(store.labels.loadLabels(locked.id).seq).toBe(0);
    const fine = store.labels.openAnnotationSet(id(w, 'ok/cfr30.mp4'), 'annotator_b', 'strict');
    expect(store.labels.applyLabelEdit(fine.id, add, 0, 'annotator_b').seq).toBe(1);

    // A withdrawn clip is locked whatever the policy: no new set may be started on it.
    await w.services.governance.withdrawConsent({ clipId: id(w, 'ok/cfr30.mp4'), source: 'local' });
    expect(() =>
      store.labels.openAnnotationSet(id(w, 'ok/cfr30.mp4'), 'annotator_c', DEFAULT_PROJECT_ID),
    ).toThrow(expect.objectContaining({ code: 'CLIP_LOCKED' }));
    expect(() => store.labels.applyLabelEdit(fine.id, add, 1, 'annotator_b')).toThrow(
      expect.objectContaining({ code: 'ANNOTATION_SET_NOT_FOUND' }),
    );
    // Nor is it opened or played: the window was told it can no longer be opened.
    const clipId = id(w, 'ok/cfr30.mp4');
    expect(() => w.services.handlers.getFrameTable({ clipId })).toThrow(
      expect.objectContaining({ code: 'CONSENT_WITHDRAWN' }),
    );
    await expect(
      Promise.resolve().then(() =>
        w.services.handlers.getSampleTable({ clipId, variant: 'original' }),
      ),
    ).rejects.toMatchObject({ code: 'CONSENT_WITHDRAWN' });
  });
});

describe('withdrawal', () => {
  it('purges a withdrawn clip from the database file, its WAL, proxies, outbox and later exports', async () => {
    const w = await world([
      {
        name: 'gone',
        files: ['cfr30.mp4', 'ntsc2997.mp4'],
        consent: { ...VALID_CONSENT, id: 'consent-gone' },
      },
      { name: 'kept', files: ['cfr60.mp4'], consent: VALID_CONSENT },
    ]);
    const { store, governance } = w.services;
    const gone = id(w, 'gone/cfr30.mp4');
    const kept = id(w, 'kept/cfr60.mp4');
    const secretTracks = sampleTracks().map((t) => ({ ...t, label: `${SECRET_LABEL} ${t.label}` }));
    const goneSet = labelClip(w, gone, 'accepted', secretTracks);
    labelClip(w, id(w, 'gone/ntsc2997.mp4'), 'accepted', secretTracks);
    const keptSet = labelClip(w, kept, 'accepted', sampleTracks());
    store.labels.saveWorkspace('annotator_a', {
      batchId: w.clips.get('gone/cfr30.mp4')?.batchId ?? '',
      clipId: gone,
      frame: 3,
      zoom: 1,
      panX: 0,
      panY: 0,
      selectedTrackId: null,
    });
    // A proxy made earlier, and a submit still queued for the server, both of the clip.
    const proxyDir = join(dirname(w.databasePath), 'proxies');
    mkdirSync(proxyDir, { recursive: true });
    const proxyFile = join(proxyDir, `${gone}.mp4`);
    writeFileSync(proxyFile, 'proxy bytes');
    store.media.setProxyState(
      gone,
      'ready',
      { filePath: proxyFile, frameCount: 90, progress: 1 },
      'proxy',
    );
    const raw = new Database(w.databasePath);
    raw
      .prepare(
        `INSERT INTO sync_outbox (id, kind, set_id, payload_json, created_at) VALUES (?, 'submit_set', ?, ?, 'x')`,
      )
      .run('outbox-1', goneSet, JSON.stringify({ labels: secretTracks }));
    raw.close();
    expect(rawBytes(w.databasePath)).toContain(SECRET_LABEL);

    const outcome = await governance.withdrawConsent({
      consentId: 'consent-gone',
      source: 'server',
      withdrawnAt: '2026-03-04T10:00:00.000Z',
    });
    expect(outcome).toMatchObject({
      recorded: true,
      consentId: 'consent-gone',
      vacuumed: true,
      walTruncated: true,
    });
    expect(outcome.clips).toHaveLength(2);
    expect(outcome.clips.find((c) => c.clipId === gone)).toMatchObject({
      annotationSets: 1,
      labelCommands: 1,
      outboxItems: 1,
      workspaces: 1,
      consentId: 'consent-gone',
    });

    // Locked at once, and nothing of its labels is left: not in rows, not in free pages, not in the WAL.
    expect(store.media.getClip(gone)?.consent.state).toBe('withdrawn');
    expect(store.media.getClip(gone)?.flagged).toEqual({
      location: null,
      make: null,
      model: null,
      creationTime: null,
    });
    expect(store.labels.getAnnotationSet(goneSet)).toBeUndefined();
    expect(store.media.getProxy(gone)).toBeUndefined();
    expect(existsSync(proxyFile)).toBe(false);
    expect(store.labels.getWorkspace('annotator_a')).toBeNull();
    expect(rawBytes(w.databasePath)).not.toContain(SECRET_LABEL);
    // The other batch is untouched.
    expect(store.labels.loadLabels(keptSet).doc.tracks).toHaveLength(2);
    // The one trace: an audit entry with the checksum and the consent id; the chain still holds.
    const purged = store.audit.list({ entityId: gone }).find((e) => e.action === 'clip.purged');
    expect(purged?.details).toMatchObject({
      sha256: store.media.getClip(gone)?.sha256,
      consentId: 'consent-gone',
    });
    expect(governance.verifyAudit()).toMatchObject({ ok: true });
    const check = new Database(w.databasePath, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    // The same event delivered again changes nothing.
    const again = await governance.withdrawConsent({ consentId: 'consent-gone', source: 'server' });
    expect(again.recorded).toBe(false);

    // An export made afterwards leaves the clips out, with the reason, and holds none of their labels.
    const out = join(w.root, 'out', 'after');
    const report = await w.services.exports.run(
      ExportRequest.parse({ formats: ['coco', 'cvat', 'provenance'], destination: out }),
    );
    expect(report.exported.map((c) => c.clipId)).toEqual([kept]);
    expect(report.excluded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ clipId: gone, reason: 'consent_withdrawn' }),
      ]),
    );
    for (const file of readdirSync(out, { recursive: true, encoding: 'utf8' })) {
      const path = join(out, file);
      if (!existsSync(path) || !file.includes('.')) continue;
      expect(readFileSync(path, 'utf8')).not.toContain(SECRET_LABEL);
    }
  });
});

describe('withdrawal while another connection reads', () => {
  it('truncates the WAL once the reader is gone, so its old frames do not keep the labels', async () => {
    const w = await world([{ name: 'gone', files: ['cfr30.mp4'], consent: VALID_CONSENT }]);
    const clipId = id(w, 'gone/cfr30.mp4');
    labelClip(
      w,
      clipId,
      'in_progress',
      sampleTracks().map((t) => ({ ...t, label: SECRET_LABEL })),
    );
    // An export's read snapshot, held open across the withdrawal.
    const reader = new Database(w.databasePath, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM label_commands').get();
    const outcome = await w.services.governance.withdrawConsent({ clipId, source: 'local' });
    expect(outcome).toMatchObject({ vacuumed: true, walTruncated: false });
    expect(w.services.store.media.getClip(clipId)?.consent.state).toBe('withdrawn');
    reader.exec('COMMIT');
    reader.close();
    // The service retries on its own; calling it directly here keeps the test fast.
    expect(w.services.governance.finishPurges()).toBe(true);
    expect(rawBytes(w.databasePath)).not.toContain(SECRET_LABEL);
  });
});

describe('withdrawals delivered together (one sync pull)', () => {
  it('purges each, answers each on its own, drops the documents held in memory and tells the windows', async () => {
    const w = await world([
      { name: 'a', files: ['cfr30.mp4', 'ntsc2997.mp4'], consent: VALID_CONSENT },
      { name: 'b', files: ['cfr60.mp4'], consent: VALID_CONSENT },
    ]);
    const { store, governance, events } = w.services;
    const first = id(w, 'a/cfr30.mp4');
    const second = id(w, 'a/ntsc2997.mp4');
    const kept = id(w, 'b/cfr60.mp4');
    const secret = sampleTracks().map((t) => ({ ...t, label: SECRET_LABEL }));
    const sets = [first, second].map((clip) => labelClip(w, clip, 'in_progress', secret));
    const keptSet = labelClip(w, kept, 'in_progress', sampleTracks());
    // The app's own connection has the documents in memory, as after opening the clips.
    for (const setId of [...sets, keptSet]) store.labels.loadLabels(setId);
    const pushed: unknown[] = [];
    const unsubscribe = events.subscribe((name, payload) => {
      if (name === 'consentWithdrawn') pushed.push(payload);
    });

    const refs = [first, second].map((clip) => store.media.getClip(clip)?.sha256 ?? '');
    const answers = await Promise.allSettled([
      governance.withdrawConsent({ clipRef: refs[0] ?? '', source: 'server', reason: 'asked' }),
      governance.withdrawConsent({ clipId: 'no-such-clip', source: 'server' }),
      governance.withdrawConsent({ clipRef: refs[1] ?? '', source: 'server', reason: 'asked' }),
    ]);
    unsubscribe();

    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(answers[1]).toMatchObject({ reason: { code: 'CLIP_NOT_FOUND' } });
    for (const [index, clipId] of [first, second].entries()) {
      const answer = answers[index === 0 ? 0 : 2];
      expect(answer).toMatchObject({
        status: 'fulfilled',
        value: { vacuumed: true, walTruncated: true, clips: [{ clipId, annotationSets: 1 }] },
      });
    }
    expect(rawBytes(w.databasePath)).not.toContain(SECRET_LABEL);
    // The purge already dropped the two purged documents; the kept clip's stays cached.
    expect(store.labels.forgetDeletedSets()).toBe(0);
    expect(store.labels.loadLabels(keptSet).doc.tracks.length).toBe(sampleTracks().length);
    expect(() => store.labels.loadLabels(sets[0] ?? '')).toThrow();
    expect(pushed).toEqual([{ clipIds: [first, second], reason: 'asked' }]);
    expect(store.media.getClip(kept)?.consent.state).toBe('valid');
  });
});

describe("withdrawal by clip reference (the server's sha256)", () => {
  it('purges an imported clip, and withdraws one imported only afterwards', async () => {
    const w = await world([
      { name: 'here', files: ['cfr30.mp4'], consent: VALID_CONSENT },
      { name: 'later', files: ['cfr60.mp4'], consent: VALID_CONSENT },
    ]);
    const { store, governance } = w.services;
    const here = id(w, 'here/cfr30.mp4');
    const hereSha = store.media.getClip(here)?.sha256 ?? '';
    labelClip(
      w,
      here,
      'in_progress',
      sampleTracks().map((t) => ({ ...t, label: SECRET_LABEL })),
    );
    const outcome = await governance.withdrawConsent({
      clipRef: hereSha.toUpperCase(),
      source: 'server',
      reason: 'contributor asked',
    });
    expect(outcome).toMatchObject({
      recorded: true,
      consentId: 'consent-ok',
      clips: [{ clipId: here, annotationSets: 1 }],
    });
    expect(store.media.getClip(here)?.consent.state).toBe('withdrawn');
    expect(store.media.getClip(id(w, 'later/cfr60.mp4'))?.consent.state).toBe('valid');
    expect(rawBytes(w.databasePath)).not.toContain(SECRET_LABEL);

    // A reference to a clip this workstation has not imported yet is kept, and locks it on import.
    const laterSha = store.media.getClip(id(w, 'later/cfr60.mp4'))?.sha256 ?? '';
    const fresh = await buildWorld([], 'governance-fresh');
    worlds.push(fresh);
    const none = await fresh.services.governance.withdrawConsent({
      clipRef: laterSha,
      source: 'server',
    });
    expect(none).toMatchObject({ recorded: true, clips: [] });
    const folder = join(w.root, 'batches', 'later');
    const report = await fresh.services.handlers.importBatch({ folder });
    const clipId = report.files[0]?.status === 'ok' ? report.files[0].clipId : '';
    await fresh.services.checksums.whenIdle();
    expect(fresh.services.store.media.getClip(clipId)?.consent.state).toBe('withdrawn');
    expect(() =>
      fresh.services.store.labels.openAnnotationSet(clipId, 'annotator_a', DEFAULT_PROJECT_ID),
    ).toThrow(expect.objectContaining({ code: 'CLIP_LOCKED' }));

    await expect(
      governance.withdrawConsent({ clipRef: 'not-a-hash', source: 'server' }),
    ).rejects.toMatchObject({ code: 'WITHDRAWAL_INVALID' });
  });
});

describe('pseudonyms', () => {
  it('refuses a batch whose manifest names the contributor by a real name, and stores nothing of it', async () => {
    const w = await world([]);
    const folder = join(w.root, 'batches', 'named');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'batch.json'),
      JSON.stringify({ version: 1, batchId: 'named', contributor: { pseudonym: 'Maria Silva' } }),
    );
    await expect(w.services.handlers.importBatch({ folder })).rejects.toMatchObject({
      code: 'MANIFEST_INVALID',
      message: expect.stringMatching(
        /contributor\.pseudonym: must be a pseudonym .*never a real name/,
      ) as unknown,
    });
    expect(w.services.store.media.listBatches()).toEqual([]);
    expect(rawBytes(w.databasePath)).not.toContain('Maria Silva');
  });
});

describe('export by region', () => {
  it('exports only the chosen regions, lists the rest with the reason, and records the region in provenance', async () => {
    const w = await world([
      { name: 'pt', files: ['cfr30.mp4'], consent: VALID_CONSENT, region: 'PT' },
      { name: 'ca', files: ['cfr60.mp4'], consent: VALID_CONSENT, region: 'US-CA' },
    ]);
    labelClip(w, id(w, 'pt/cfr30.mp4'));
    labelClip(w, id(w, 'ca/cfr60.mp4'));
    const out = join(w.root, 'out', 'pt');
    const report = await w.services.exports.run(
      ExportRequest.parse({ formats: ['provenance'], destination: out, regions: ['PT'] }),
    );
    expect(report.exported.map((c) => c.clipId)).toEqual([id(w, 'pt/cfr30.mp4')]);
    expect(report.excluded).toEqual([
      expect.objectContaining({
        clipId: id(w, 'ca/cfr60.mp4'),
        reason: 'region_excluded',
        message: expect.stringContaining('US-CA') as unknown,
      }),
    ]);
    const provenance = JSON.parse(readFileSync(join(out, 'provenance.jsonl'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(provenance.contributor_region).toBe('PT');

    // A country admits its subdivisions.
    const us = await w.services.exports.run(
      ExportRequest.parse({
        formats: ['provenance'],
        destination: join(w.root, 'out', 'us'),
        regions: ['US'],
      }),
    );
    expect(us.exported.map((c) => c.clipId)).toEqual([id(w, 'ca/cfr60.mp4')]);

    // The same from the CLI.
    const cli = await framewise([
      'export', '--all', '--format', 'provenance', '--region', 'US',
      '--out', join(w.root, 'out', 'cli'), '--db', w.databasePath,
    ]); // prettier-ignore
    expect(cli.code).toBe(0);
    const cliReport = JSON.parse(cli.stdout) as { exported: { clipId: string }[] };
    expect(cliReport.exported.map((c) => c.clipId)).toEqual([id(w, 'ca/cfr60.mp4')]);
  });
});

describe('privacy report', () => {
  it('lists the location and device a phone clip carries and what export strips', async () => {
    const w = await world([
      { name: 'phone', files: ['rotated.mov', 'cfr30.mp4'], consent: VALID_CONSENT },
    ]);
    const batchId = w.clips.get('phone/rotated.mov')?.batchId ?? '';
    const report = w.services.governance.privacyReport(batchId);
    const phone = report.clips.find((c) => c.relativePath === 'rotated.mov');
    expect(phone).toMatchObject({
      found: {
        location: expect.stringContaining('+37.7749') as unknown,
        make: 'Apple',
        model: 'iPhone 12',
      },
      method: 'mp4_boxes_neutralised',
      exportable: true,
    });
    expect(phone?.strippedOnExport).toEqual(expect.arrayContaining(['location', 'make', 'model']));
    expect(report.totals).toMatchObject({ clips: 2, withLocation: 1, withDevice: 1 });
    expect(report.contributor).toBe('contrib_phone');
  });
});

describe('governance contract calls', () => {
  it('answer in the shapes the contract declares', async () => {
    const w = await world([{ name: 'phone', files: ['rotated.mov'], consent: VALID_CONSENT }]);
    const batchId = w.clips.get('phone/rotated.mov')?.batchId ?? '';
    const { handlers } = w.services;
    const report = calls.getPrivacyReport.output.parse(
      await handlers.getPrivacyReport({ batchId }),
    );
    expect(report.totals.withLocation).toBe(1);
    const verdict = calls.verifyAuditChain.output.parse(await handlers.verifyAuditChain({}));
    expect(verdict.ok).toBe(true);
    const trail = calls.getAuditTrail.output.parse(await handlers.getAuditTrail({ batchId }));
    expect(trail.map((e) => e.action)).toEqual(
      expect.arrayContaining(['batch.created', 'clip.imported', 'clip.checksum']),
    );
    expect(() => handlers.getAuditTrail({ batchId: 'nope' })).toThrow(
      expect.objectContaining({ code: 'BATCH_NOT_FOUND' }),
    );
  });
});

describe('governance CLI', () => {
  it('verifies the audit chain, and names the first altered or deleted entry', async () => {
    const w = await world([{ name: 'ok', files: ['cfr30.mp4'], consent: VALID_CONSENT }]);
    labelClip(w, id(w, 'ok/cfr30.mp4'));
    const db = ['--db', w.databasePath];
    const intact = await framewise(['audit', 'verify', ...db]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/Audit chain intact: \d+ entries/);

    const raw = new Database(w.databasePath);
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.exec(`UPDATE audit_log SET details = json_set(details, '$.frameCount', 1) WHERE id = 3`);
    raw.close();
    const altered = await framewise(['audit', 'verify', ...db, '--json']);
    expect(altered.code).toBe(4);
    expect(altered.stderr).toMatch(/broken at entry 3 \(entry_altered\)/);
    expect(JSON.parse(altered.stdout)).toMatchObject({ ok: false, firstBadId: 3 });
  });

  it('detects a deleted entry in the middle and at the end of the log', async () => {
    const w = await world([{ name: 'ok', files: ['cfr30.mp4'], consent: VALID_CONSENT }]);
    labelClip(w, id(w, 'ok/cfr30.mp4'));
    const raw = new Database(w.databasePath);
    const last = raw.prepare('SELECT max(id) FROM audit_log').pluck().get() as number;
    raw.exec('DROP TRIGGER audit_log_no_delete');
    raw.exec('DELETE FROM audit_log WHERE id = 2');
    raw.close();
    const middle = await framewise(['audit', 'verify', '--db', w.databasePath]);
    expect(middle.code).toBe(4);
    expect(middle.stderr).toMatch(/broken at entry 2 \(entries_missing\)/);

    const raw2 = new Database(w.databasePath);
    raw2.exec('DELETE FROM audit_log WHERE id >= 2');
    raw2.close();
    const tail = await framewise(['audit', 'verify', '--db', w.databasePath]);
    expect(tail.code).toBe(4);
    expect(tail.stderr).toMatch(new RegExp(`broken at entry 2 \\(tail_missing\\).*2–${last}`));
  });

  it('withdraws by consent id, prints the privacy report and exports a batch audit trail', async () => {
    const w = await world([
      { name: 'gone', files: ['rotated.mov'], consent: { ...VALID_CONSENT, id: 'consent-cli' } },
    ]);
    const clipId = id(w, 'gone/rotated.mov');
    const batchId = w.clips.get('gone/rotated.mov')?.batchId ?? '';
    labelClip(
      w,
      clipId,
      'accepted',
      sampleTracks().map((t) => ({ ...t, label: SECRET_LABEL })),
    );
    const db = ['--db', w.databasePath];

    const privacy = await framewise(['privacy-report', batchId, ...db, '--json']);
    expect(privacy.code).toBe(0);
    expect(JSON.parse(privacy.stdout)).toMatchObject({ totals: { withLocation: 1 } });
    const text = await framewise(['privacy-report', batchId, ...db]);
    expect(text.stdout).toMatch(/rotated\.mov .*found: location=\+37\.7749/);

    const policy = await framewise(['consent-policy', 'lock', ...db]);
    expect(policy.code).toBe(0);
    expect(policy.stdout).toMatch(/consent policy lock/);
    expect((await framewise(['consent-policy', 'maybe', ...db])).code).toBe(2);

    const usage = await framewise(['withdraw', ...db]);
    expect(usage.code).toBe(2);
    const withdrawn = await framewise(['withdraw', '--consent', 'consent-cli', ...db, '--json']);
    expect(withdrawn.code).toBe(0);
    expect(JSON.parse(withdrawn.stdout)).toMatchObject({
      recorded: true,
      clips: [{ clipId, consentId: 'consent-cli', annotationSets: 1 }],
    });
    expect(rawBytes(w.databasePath)).not.toContain(SECRET_LABEL);
    const unknown = await framewise(['withdraw', '--clip', 'nope', ...db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/CLIP_NOT_FOUND/);

    const trail = await framewise(['audit', 'export', batchId, ...db]);
    expect(trail.code).toBe(0);
    const entries = trail.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { action: string; hash: string; details: Record<string, unknown> },
      );
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'batch.created',
        'clip.imported',
        'labels.set_created',
        'clip.purged',
      ]),
    );
    expect(entries.every((e) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    expect(trail.stdout).not.toContain(SECRET_LABEL);
    expect((await framewise(['audit', 'verify', ...db])).code).toBe(0);
  });
});
