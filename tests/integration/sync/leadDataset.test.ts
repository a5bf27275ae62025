import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncService } from '../../../src/main/services/sync/syncService';
import { exportProject } from '../../../src/server/exportProject';
import { withdrawConsent } from '../../../src/server/team';
import {
  buildWorld,
  labelClip,
  sampleTracks,
  VALID_CONSENT,
  type World,
} from '../export/exportWorld';
import { tempDir } from '../fixturePaths';
import {
  backends,
  bulkAssign,
  call,
  seededServer,
  type SeededServer,
} from '../server/serverHarness';

const FILES = ['cfr30.mp4', 'vfr.mp4', 'rotated.mov'] as const;

/** Every file of an export folder, by relative path, as text. */
function filesOf(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(folder, path), readFileSync(path, 'utf8'));
    }
  };
  walk(folder);
  return files;
}

/**
 * The label files of an export with what differs by design between two exports replaced: the
 * export time and id, the ffmpeg in use (the server runs none), and (until every export names
 * clips by sha256) a workstation's local clip ids. The report and checksums are left out: they
 * list the report's own export-time fields.
 */
function labelFiles(
  folder: string,
  exportedAt: string,
  localIds: ReadonlyMap<string, string>,
): Map<string, string> {
  const normalized = new Map<string, string>();
  for (const [path, text] of filesOf(folder)) {
    if (path === 'export_report.json' || path === 'checksums.sha256') continue;
    let out = text.replaceAll(exportedAt, '<exported_at>');
    let name = path;
    for (const [local, sha] of localIds) {
      out = out.replaceAll(local, sha);
      name = name.replaceAll(local, sha);
    }
    out = out
      .replace(/"export_id":"[^"]*"/g, '"export_id":"<id>"')
      .replace(/"ffmpeg_version":(null|"[^"]*")/g, '"ffmpeg_version":"<ffmpeg>"');
    normalized.set(name, out);
  }
  return normalized;
}

describe.each(backends)(
  "the lead's dataset, from the workstation and the server (%s)",
  (backend) => {
    let server: SeededServer;
    let annotator: World;
    let lead: World;
    const out = tempDir('lead-dataset-out');
    /** File name → sha256, and each workstation's local clip id → sha256. */
    const shaOf = new Map<string, string>();
    const leadIds = new Map<string, string>();

    beforeAll(async () => {
      // The same batch folder, imported on the annotator's machine and on the lead's.
      const batch = { name: 'session-7', files: FILES, consent: VALID_CONSENT };
      annotator = await buildWorld([batch], 'lead-ds-ann');
      lead = await buildWorld([batch], 'lead-ds-lead');
      for (const file of FILES) {
        const ids = annotator.clips.get(`session-7/${file}`);
        const sha = annotator.services.store.media.getClip(ids?.clipId ?? '')?.sha256;
        if (!sha) throw new Error(`${file} has no checksum`);
        shaOf.set(file, sha);
        leadIds.set(lead.clips.get(`session-7/${file}`)?.clipId ?? '', sha);
      }
      server = await seededServer(backend, (db, team) =>
        bulkAssign(db, {
          projectId: team.projectId,
          annotator: 'ann1',
          reviewer: 'rev1',
          clipRefs: [...shaOf.values()],
        }),
      );
    });

    afterAll(async () => {
      annotator.remove();
      lead.remove();
      out.remove();
      await server.close();
    });

    const sha = (file: (typeof FILES)[number]) => shaOf.get(file) ?? '';

    it('the annotator submits and pushes three clips; the reviewer accepts two', async () => {
      const { store, sync } = annotator.services;
      sync.stop();
      for (const [index, file] of FILES.entries()) {
        const clipId = annotator.clips.get(`session-7/${file}`)?.clipId ?? '';
        const setId = labelClip(annotator, clipId, 'in_progress', sampleTracks(index * 3));
        expect(store.labels.submitAnnotationSet(setId, 'annotator_a').submitted).toBe(true);
      }
      sync.signIn(server.url, server.team.tokens.ann1);
      expect((await sync.syncNow(20_000)).delivered).toHaveLength(3);

      const queue = await call(server.url, 'GET', '/v1/review-queue', {
        token: server.team.tokens.rev1,
      });
      const sets = (queue.body as { sets: { setId: string; clipRef: string; revision: number }[] })
        .sets;
      expect(sets).toHaveLength(3);
      for (const set of sets.filter((s) => s.clipRef !== sha('rotated.mov'))) {
        const answer = await call(server.url, 'POST', `/v1/sets/${set.setId}/review`, {
          token: server.team.tokens.rev1,
          key: `accept-${set.setId}`,
          body: { verdict: 'accept', baseRevision: set.revision, comments: [] },
        });
        expect(answer.status).toBe(200);
      }
    });

    it("the lead's workstation pulls the accepted sets once, and an unchanged re-pull brings none", async () => {
      const { sync } = lead.services;
      sync.stop();
      sync.signIn(server.url, server.team.tokens.lead1);
      await sync.syncNow(20_000);
      // syncNow pulled already; this pull is the unchanged re-pull.
      expect(await sync.pullTeamSets()).toMatchObject({
        allowed: true,
        status: 'accepted',
        received: 0,
        stored: 0,
        held: 2,
      });
      // An annotator's account is no lead: nothing to pull, nothing stored.
      const other = annotator.services.sync;
      expect(await other.pullTeamSets()).toMatchObject({ allowed: false, stored: 0 });
    });

    it('both exports write the same label files for the accepted sets, naming the accounts', async () => {
      const workstation = await lead.services.exports.run({
        formats: ['coco', 'cvat', 'epic', 'hands', 'provenance'],
        destination: join(out.path, `ws-accepted-${backend}`),
        status: 'accepted',
        includeVideos: false,
      });
      expect(workstation.exported.map((c) => c.annotator)).toEqual(['ann1', 'ann1']);
      expect(workstation.excluded).toEqual([
        expect.objectContaining({ reason: 'no_labels_in_status', relativePath: 'rotated.mov' }),
      ]);
      const fromServer = await exportProject(server.db, {
        projectId: server.team.projectId,
        formats: ['coco', 'cvat', 'epic', 'hands', 'provenance'],
        status: 'accepted',
        out: join(out.path, `server-accepted-${backend}`),
      });
      expect(fromServer.exported.map((c) => c.videoId).sort()).toEqual(
        [sha('cfr30.mp4'), sha('vfr.mp4')].sort(),
      );

      const a = labelFiles(workstation.destination, workstation.exportedAt, leadIds);
      const b = labelFiles(fromServer.destination, fromServer.exportedAt, new Map());
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [path, text] of a) expect(b.get(path), path).toBe(text);

      const provenance = (a.get('provenance.jsonl') ?? '')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { annotators: string[]; reviewers: string[] });
      expect(provenance.map((p) => [p.annotators, p.reviewers])).toEqual([
        [['ann1'], ['rev1']],
        [['ann1'], ['rev1']],
      ]);
      expect([...a.keys()].sort()).toEqual(
        [
          'actions.csv',
          'coco_keypoints.json',
          `cvat/${sha('cfr30.mp4')}.xml`,
          `cvat/${sha('vfr.mp4')}.xml`,
          // VFR clips ship their frame times.
          `frame_times/${sha('vfr.mp4')}.csv`,
          'hand_object.json',
          'noun_classes.csv',
          'provenance.jsonl',
          'verb_classes.csv',
          'video_info.csv',
        ].sort(),
      );
      const coco = JSON.parse(a.get('coco_keypoints.json') ?? '') as { annotations: unknown[] };
      expect(coco.annotations.length).toBeGreaterThan(40);
    });

    it("caches each led project's progress, readable without the server", async () => {
      const pulled = await lead.services.sync.pullTeamProgress();
      expect(pulled.allowed).toBe(true);
      expect(pulled.projects.map((p) => p.progress.clipsByStatus)).toEqual([
        expect.objectContaining({ submitted: 1, accepted: 2 }),
      ]);
      // Another process on the same database, never talking to the server, reads the same.
      const offline = new SyncService({ store: lead.services.store, actor: 'lead' });
      offline.signIn(server.url, server.team.tokens.lead1);
      expect(offline.teamProgress()).toEqual(pulled.projects);
      expect(await lead.services.handlers.getTeamProgress({})).toEqual({
        projects: pulled.projects,
        pullStatus: 'accepted',
      });
      expect(pulled.projects[0]?.progress.annotators).toEqual([
        expect.objectContaining({ annotator: 'ann1', submitted: 3, accepted: 2, rejectionRate: 0 }),
      ]);
    });

    it('with submitted sets asked for, both add the set still in review', async () => {
      const { sync, handlers } = lead.services;
      // The lead asks for handed-in sets too (the Team screen's checkbox).
      expect(await handlers.setTeamPullStatus({ status: 'submitted' })).toEqual({
        status: 'submitted',
      });
      // (The handler kicks a background round; this test pulls by hand.)
      sync.stop();
      expect(await sync.pullTeamSets()).toMatchObject({
        status: 'submitted',
        received: 3,
        held: 3,
      });
      const workstation = await lead.services.exports.run({
        formats: ['coco', 'cvat', 'epic', 'hands', 'provenance'],
        destination: join(out.path, `ws-submitted-${backend}`),
        status: 'submitted',
        includeVideos: false,
      });
      const fromServer = await exportProject(server.db, {
        projectId: server.team.projectId,
        formats: ['coco', 'cvat', 'epic', 'hands', 'provenance'],
        status: 'submitted',
        out: join(out.path, `server-submitted-${backend}`),
      });
      expect(workstation.exported).toHaveLength(3);
      expect(fromServer.exported).toHaveLength(3);
      const a = labelFiles(workstation.destination, workstation.exportedAt, leadIds);
      const b = labelFiles(fromServer.destination, fromServer.exportedAt, new Map());
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [path, text] of a) expect(b.get(path), path).toBe(text);
    });

    it('a withdrawal excludes the clip from both, with the reason', async () => {
      await withdrawConsent(server.db, sha('vfr.mp4'), 'contributor asked');
      const { sync } = lead.services;
      // The lead's workstation hears of it by sync and purges its copy.
      expect((await sync.syncNow(20_000)).consentWithdrawals).toEqual([sha('vfr.mp4')]);
      const workstation = await lead.services.exports.run({
        formats: ['coco', 'provenance'],
        destination: join(out.path, `ws-withdrawn-${backend}`),
        status: 'accepted',
        includeVideos: false,
      });
      expect(workstation.exported.map((c) => c.relativePath)).toEqual(['cfr30.mp4']);
      expect(workstation.excluded.map((c) => [c.relativePath, c.reason])).toEqual(
        expect.arrayContaining([['vfr.mp4', 'consent_withdrawn']]),
      );
      const fromServer = await exportProject(server.db, {
        projectId: server.team.projectId,
        formats: ['coco', 'provenance'],
        status: 'accepted',
        out: join(out.path, `server-withdrawn-${backend}`),
      });
      expect(fromServer.exported.map((c) => c.videoId)).toEqual([sha('cfr30.mp4')]);
      expect(fromServer.excluded.map((c) => [c.clipRef, c.reason])).toEqual([
        [sha('vfr.mp4'), 'consent_withdrawn'],
      ]);
      const a = labelFiles(workstation.destination, workstation.exportedAt, leadIds);
      const b = labelFiles(fromServer.destination, fromServer.exportedAt, new Map());
      for (const [path, text] of a) expect(b.get(path), path).toBe(text);
    });
  },
);
