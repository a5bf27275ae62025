import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src/main/services/createServices';
import { defaultProjectSchema } from '../../../src/main/services/labels/defaultProject';
import { SyncService } from '../../../src/main/services/sync/syncService';
import type { Db } from '../../../src/server/db/Db';
import { markDoubleAnnotation } from '../../../src/server/doubleAnnotation';
import { withdrawConsent } from '../../../src/server/team';
import {
  COCO_BODY_KEYPOINTS,
  COCO_BODY_TEMPLATE_ID,
  projectTemplates,
  type Command,
  type LabelsDocument,
} from '../../../src/shared/domain/labels';
import { documentAgreement } from '../../../src/shared/domain/metrics';
import {
  call,
  clipRefOf,
  startTeamServer,
  type Team,
  type TeamServer,
} from '../server/serverHarness';
import { clipIdOf, seedWorkstation } from './workstationSeed';

const FAST = { baseMs: 5, capMs: 100 };

const addPerson: Command = {
  type: 'addTrack',
  track: {
    id: 'p1',
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label: 'Person 1',
    color: '#3366cc',
    keyframes: [],
  },
};
/** A COCO-17 pose on `frame`, each point `dx` pixels right of a shared base (x grows by index). */
const poseAt = (frame: number, dx: number): Command => ({
  type: 'setKeyframe',
  trackId: 'p1',
  keyframe: {
    frame,
    points: COCO_BODY_KEYPOINTS.map((_, i) => ({
      x: 100 + 12 * i + dx,
      y: 200 + 9 * i,
      visibility: 'visible' as const,
      source: 'manual' as const,
    })),
  },
});

describe('agreement across machines: two annotators push, the lead pulls and compares (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-xagree-'));
  /** Imported on every workstation, the lead's too. */
  const shared = clipRefOf('xagree-shared');
  /** Labelled by both annotators, never imported on the lead's machine. */
  const elsewhere = clipRefOf('xagree-elsewhere');
  let serverDb: Db;
  let team: Team;
  let server: TeamServer;
  const open: Services[] = [];

  beforeAll(async () => {
    server = await startTeamServer([shared, elsewhere], async (db, seeded) => {
      // The lead marks every clip of the project double; ann2 labels the second copies.
      const marked = await markDoubleAnnotation(db, {
        projectId: seeded.projectId,
        share: 1,
        annotators: ['ann2'],
      });
      expect(marked.marked.map((m) => m.clipRef)).toEqual(
        expect.arrayContaining([shared, elsewhere]),
      );
    });
    serverDb = server.db;
    team = server.team;
  });

  afterAll(async () => {
    for (const services of open) services.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const workstation = (
    name: string,
    actor: string,
    token: string,
    options: { doubleFetchEachUpTo?: number } = {},
  ) => {
    const services = createServices({ databasePath: join(dir, `${name}.sqlite`), actor });
    open.push(services);
    // The background sender stays off: each step below syncs explicitly.
    services.sync.stop();
    const sync = new SyncService({
      store: services.store,
      actor,
      backoff: FAST,
      doublePullIntervalMs: 0,
      ...options,
    });
    sync.signIn(server.url, token);
    return { services, sync };
  };

  /** An annotator labels both clips on their own machine and syncs; returns the shared clip's doc. */
  const annotate = async (name: string, token: string, dx: number): Promise<LabelsDocument> => {
    const sets = seedWorkstation(join(dir, `${name}.sqlite`), [shared, elsewhere], name, {
      submit: false,
    });
    const { services, sync } = workstation(name, name, token);
    for (const setId of sets.values()) {
      services.store.labels.applyLabelEdit(setId, addPerson, 0, name);
      services.store.labels.applyLabelEdit(setId, poseAt(0, dx), 1, name);
      services.store.labels.applyLabelEdit(setId, poseAt(2, 2 * dx), 2, name);
      expect(services.store.labels.submitAnnotationSet(setId, name).submitted).toBe(true);
    }
    expect((await sync.syncNow(10_000)).delivered).toHaveLength(2);
    return services.store.labels.loadLabels(sets.get(shared) ?? '').doc;
  };

  const rows = (services: Services) => services.store.doubleSets.list();

  let lead: ReturnType<typeof workstation>;
  let docOf1: LabelsDocument;
  let docOf2: LabelsDocument;

  it("reports the pair with the OKS of both annotators' documents once the lead syncs", async () => {
    docOf1 = await annotate('annotator-1', team.tokens.ann1, 0);
    docOf2 = await annotate('annotator-2', team.tokens.ann2, 6);

    // The lead has the shared clip imported (with a set of their own still in progress).
    seedWorkstation(join(dir, 'lead.sqlite'), [shared], 'lead-1', { submit: false });
    // Four new sets are more than one: the first pull reads the labelled pages; the single
    // update below is fetched on its own.
    lead = workstation('lead', 'lead-1', team.tokens.lead1, { doubleFetchEachUpTo: 1 });
    expect(lead.services.agreement.report().pairs).toEqual([]);

    await lead.sync.syncNow(10_000);
    expect(
      rows(lead.services)
        .map((r) => [r.clipRef, r.annotator, r.revision])
        .sort(),
    ).toEqual(
      [
        [elsewhere, 'ann1', 1],
        [elsewhere, 'ann2', 1],
        [shared, 'ann1', 1],
        [shared, 'ann2', 1],
      ].sort(),
    );

    const report = lead.services.agreement.report();
    const expected = documentAgreement(docOf1, docOf2, projectTemplates(defaultProjectSchema()), 3);
    expect(expected.oks).not.toBeNull();
    expect(expected.oks).toBeLessThan(1);
    expect(report.pairs).toEqual([
      expect.objectContaining({
        clipId: clipIdOf(shared),
        batchId: 'sync-batch',
        reference: 'ann1',
        other: 'ann2',
        unmatchedTracks: 0,
      }),
    ]);
    expect(report.pairs[0]?.oks).toBeCloseTo(expected.oks ?? Number.NaN, 12);
    // Keyframes on 0 and 2, frame 1 interpolated in both documents.
    expect(report.overall.framesCompared).toBe(3);
    expect(report.perAnnotator.map((a) => a.annotator)).toEqual(
      expect.arrayContaining(['ann1', 'ann2']),
    );
    // The clip never imported here is counted, not dropped.
    expect(report.notOnThisMachine).toBe(1);
    expect(lead.services.agreement.report('sync-batch').pairs).toHaveLength(1);
  });

  it('a re-sync changes nothing; a later revision on the server replaces the copy', async () => {
    const before = lead.services.agreement.report();
    const again = await lead.sync.pullDoubleAnnotation();
    expect(again).toEqual({ allowed: true, received: 4, stored: 0, removed: 0 });
    await lead.sync.syncNow(10_000);
    expect(rows(lead.services)).toHaveLength(4);
    expect(lead.services.agreement.report()).toEqual(before);

    // The reviewer accepts ann1's set of the shared clip: revision 2 on the server.
    const ann1Set = rows(lead.services).find((r) => r.clipRef === shared && r.annotator === 'ann1');
    const verdict = await call(server.url, 'POST', `/v1/sets/${ann1Set?.serverSetId}/review`, {
      token: team.tokens.rev1,
      key: 'xagree-accept-1',
      body: { verdict: 'accept', baseRevision: 1, comments: [] },
    });
    expect(verdict.status).toBe(200);
    expect(await lead.sync.pullDoubleAnnotation()).toEqual({
      allowed: true,
      received: 4,
      stored: 1,
      removed: 0,
    });
    expect(rows(lead.services).find((r) => r.serverSetId === ann1Set?.serverSetId)).toMatchObject({
      revision: 2,
      status: 'accepted',
    });
    expect(rows(lead.services)).toHaveLength(4);
    expect(lead.services.agreement.report().pairs[0]?.oks).toBe(before.pairs[0]?.oks);

    // The Agreement page's button: the app's own sync service, through the contract's handler.
    lead.services.sync.signIn(server.url, team.tokens.lead1);
    expect(await lead.services.handlers.pullDoubleAnnotation({})).toEqual({
      allowed: true,
      received: 4,
      stored: 0,
      removed: 0,
    });
  });

  it('refuses an annotator: the server answers 403 and nothing is stored on their machine', async () => {
    const { services, sync } = workstation('annotator-1-check', 'annotator-1', team.tokens.ann1);
    expect(await sync.pullDoubleAnnotation()).toEqual({
      allowed: false,
      received: 0,
      stored: 0,
      removed: 0,
    });
    expect(rows(services)).toEqual([]);
    const raw = await call(server.url, 'GET', '/v1/double-annotation/sets', {
      token: team.tokens.ann2,
    });
    expect(raw.status).toBe(403);
  });

  it('a withdrawal on this workstation purges the pulled copies, and no pull brings them back', async () => {
    // The clip was never imported here: the withdrawal still finds its pulled sets by sha256.
    const outcome = await lead.services.governance.withdrawConsent({
      clipRef: elsewhere,
      source: 'local',
      reason: 'contributor asked the lead',
    });
    expect(outcome.clips).toEqual([]);
    expect(outcome.pulledSets).toBe(2);
    expect(rows(lead.services).map((r) => r.clipRef)).toEqual([shared, shared]);
    expect(lead.services.agreement.report().notOnThisMachine).toBe(0);
    expect(await lead.sync.pullDoubleAnnotation()).toEqual({
      allowed: true,
      received: 4,
      stored: 0,
      removed: 0,
    });
    expect(rows(lead.services)).toHaveLength(2);
    expect(lead.services.agreement.report().pairs).toHaveLength(1);
  });

  it('drops the copies of a clip whose consent the server withdrew at the next pull', async () => {
    await withdrawConsent(serverDb, shared, 'contributor asked the server');
    // The server still gives the other clip's sets; withdrawn here, they are not stored.
    expect(await lead.sync.pullDoubleAnnotation()).toEqual({
      allowed: true,
      received: 2,
      stored: 0,
      removed: 2,
    });
    expect(rows(lead.services)).toEqual([]);
    expect(lead.services.agreement.report().pairs).toEqual([]);
  });
});
