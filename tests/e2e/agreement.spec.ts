import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/main/services/db/openDatabase';
import { openStore } from '../../src/main/services/store/openStore';
import {
  COCO_BODY_KEYPOINTS,
  COCO_BODY_TEMPLATE_ID,
  type Command,
} from '../../src/shared/domain/labels';
import { expect, openApp, repoRoot, test } from './fixtures';

const BATCH_FOLDER = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');

/** One annotator's labels of a 90-frame clip: a person on two keyframes and two segments. */
function labelsOf(annotator: string, shift: number, split: number): Command[] {
  const trackId = `${annotator}-person`;
  const pose = (frame: number) => ({
    frame,
    points: COCO_BODY_KEYPOINTS.map((_, i) => ({
      x: 100 + (i % 4) * 25 + shift + frame / 3,
      y: 40 + i * 10,
      visibility: 'visible' as const,
      source: 'manual' as const,
    })),
  });
  const segment = (id: string, start: number, end: number, verbId: number) => ({
    type: 'addSegment' as const,
    segment: {
      id: `${annotator}-${id}`,
      startFrame: start,
      endFrame: end,
      verbId,
      nounId: 13,
      actor: 'camera_wearer',
      note: '',
    },
  });
  return [
    {
      type: 'addTrack',
      track: {
        id: trackId,
        kind: 'person',
        templateId: COCO_BODY_TEMPLATE_ID,
        label: 'Person 1',
        color: '#4e79a7',
        keyframes: [],
      },
    },
    { type: 'setKeyframe', trackId, keyframe: pose(0) },
    { type: 'setKeyframe', trackId, keyframe: pose(89) },
    segment('open', 0, split, 2),
    segment('close', split + 1, 89, 3),
  ];
}

/** A person track as another workstation labelled it (keyframes on 0 and 89). */
function remoteTrack(annotator: string, shift: number) {
  const [track, first, last] = labelsOf(annotator, shift, 44);
  if (track?.type !== 'addTrack' || first?.type !== 'setKeyframe' || last?.type !== 'setKeyframe') {
    throw new Error('labelsOf changed shape');
  }
  return { ...track.track, keyframes: [first.keyframe, last.keyframe] };
}

test('a lead sees agreement of two annotators per annotator and per batch, with plots', async ({
  page,
  host,
}) => {
  await openApp(page, host);
  const response = await page.request.post(`${host.origin}/api/importBatch`, {
    data: { folder: BATCH_FOLDER },
    timeout: 90_000,
  });
  const imported = (await response.json()) as {
    value: { files: { relativePath: string; status: string; clipId?: string }[] };
  };
  const clipId = imported.value.files.find((f) => f.relativePath === 'cfr30.mp4')?.clipId;
  if (!clipId) throw new Error('cfr30.mp4 did not import');

  // Two annotators on other machines; their sets reach a lead's database through sync.
  const store = openStore(host.databasePath);
  try {
    for (const [annotator, shift, split, verdict] of [
      ['maria-k', 0, 44, 'accepted'],
      ['tomas-r', 6, 49, 'changes_requested'],
    ] as const) {
      const set = store.labels.openAnnotationSet(clipId, annotator, 'default');
      labelsOf(annotator, shift, split).forEach((command, seq) =>
        store.labels.applyLabelEdit(set.id, command, seq, annotator),
      );
      expect(store.labels.submitAnnotationSet(set.id, annotator)).toMatchObject({
        submitted: true,
      });
      store.labels.transitionAnnotationSet(set.id, ['in_review', verdict], 'lead-1');
    }
  } finally {
    store.close();
  }

  await page.reload();
  await page.getByRole('button', { name: 'Agreement' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Agreement' })).toBeVisible();
  const summary = page.getByRole('status', { name: 'Agreement summary' });
  await expect(summary).toContainText('1 double-annotated clip, 90 poses compared');
  await expect(summary).toContainText('segment F1@0.5 100.0');

  const perAnnotator = page.getByRole('table', { name: 'Agreement per annotator' });
  await expect(perAnnotator.getByRole('row', { name: /maria-k/ })).toContainText('0.0 %');
  await expect(perAnnotator.getByRole('row', { name: /tomas-r/ })).toContainText('100.0 %');
  await expect(page.getByRole('table', { name: 'Double-annotated clips' })).toContainText(
    'maria-k / tomas-r',
  );
  for (const label of [
    'Distribution of OKS',
    'Segment F1 per IoU threshold',
    'Contact states: confusion matrix',
    'Throughput per day',
    'Rejection rate per annotator',
  ]) {
    // Drawn by ECharts into a canvas of the figure's size (a heatmap adds layers of its own).
    const canvas = page.getByRole('figure', { name: label }).locator('canvas').first();
    await expect(canvas).toBeVisible();
    expect((await canvas.boundingBox())?.height ?? 0).toBeGreaterThan(100);
  }
  await expect(page.getByRole('img', { name: /Distribution of OKS: 90 frames/ })).toBeVisible();

  // A third annotator's set of the same clip, pulled from the server by sync (the table sync
  // fills), and a double-annotated clip this machine never imported.
  const clipRef = createHash('sha256')
    .update(readFileSync(join(BATCH_FOLDER, 'cfr30.mp4')))
    .digest('hex');
  const db = openDatabase(host.databasePath);
  try {
    const insert = db.prepare(/* sql */ `
      INSERT INTO double_annotation_sets (server_set_id, server, clip_ref, project_id, annotator,
        status, revision, labels_json, updated_at, pulled_at)
      VALUES (?, 'http://server.test', ?, 'p1', ?, 'submitted', 1, ?, ?, ?)`);
    const at = new Date().toISOString();
    const remote = (annotator: string, shift: number) =>
      JSON.stringify({ tracks: [remoteTrack(annotator, shift)], segments: [], contacts: [] });
    insert.run('server-set-1', clipRef, 'ana-s', remote('ana-s', 3), at, at);
    insert.run('server-set-2', 'f'.repeat(64), 'ana-s', remote('ana-s', 0), at, at);
    insert.run('server-set-3', 'f'.repeat(64), 'ben-o', remote('ben-o', 4), at, at);
  } finally {
    db.close();
  }
  await page.getByRole('button', { name: 'Back to batches' }).click();
  await page.getByRole('button', { name: 'Agreement' }).click();
  const clips = page.getByRole('table', { name: 'Double-annotated clips' });
  await expect(summary).toContainText('1 double-annotated clip (3 pairs of annotators)');
  await expect(clips).toContainText('ana-s / maria-k');
  await expect(clips).toContainText('ana-s / tomas-r');
  await expect(page.getByLabel('Clips not on this machine')).toContainText(
    '1 double-annotated clip handed in by two annotators on the server is not on this machine',
  );
  if (process.env.E2E_SCREENSHOT_DIR) {
    await page.screenshot({
      path: join(process.env.E2E_SCREENSHOT_DIR, 'agreement.png'),
      fullPage: true,
    });
  }
});
