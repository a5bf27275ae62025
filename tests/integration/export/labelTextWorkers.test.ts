import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultProjectSchema } from '../../../src/main/services/labels/defaultProject';
import { folderSink } from '../../../src/node/export/folderSink';
import { textsInWorkers } from '../../../src/node/export/labelTextWorkers';
import { LabelsDocument } from '../../../src/shared/domain/labels';
import {
  ProvenanceError,
  writeLabelFiles,
  type ClipTextsMaker,
  type LabelFilesClip,
} from '../../../src/shared/formats';
import { variedClips } from './variedClips';

const root = mkdtempSync(join(tmpdir(), 'fw-label-workers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes every format of `clips` into a new folder; returns it, the files and their digests. */
async function write(name: string, clips: LabelFilesClip[], makeTexts?: ClipTextsMaker) {
  const dir = join(root, name);
  const sink = folderSink(dir);
  const counts: { tracks: number; segments: number }[] = [];
  const files = await writeLabelFiles({
    formats: ['coco', 'cvat', 'epic', 'hands', 'provenance'],
    project: defaultProjectSchema(),
    exportId: 'export-1',
    exportedAt: '2026-01-02T03:04:05.678Z',
    framewiseVersion: '1.2.3',
    ffmpegVersion: null,
    clips,
    sink,
    onClip: (_clip, clipCounts) => counts.push(clipCounts),
    ...(makeTexts ? { makeTexts } : {}),
  });
  return { dir, files, counts, digests: files.map((file) => sink.sha256Of(file)) };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('label texts made on worker threads', () => {
  it('writes byte for byte the files one thread writes, in the same order, with the same digests', async () => {
    const clips = variedClips(24);
    // The fixtures are documents the app could have stored.
    for (const clip of clips) {
      LabelsDocument.parse(typeof clip.doc === 'string' ? JSON.parse(clip.doc) : clip.doc);
    }
    const here = await write('one-thread', clips);
    const workers = await write('workers', clips, textsInWorkers(2));

    expect(workers.files).toEqual(here.files);
    expect(workers.counts).toEqual(here.counts);
    expect(workers.counts[1]).toEqual({ tracks: 4, segments: 2 });
    const names = filesUnder(here.dir);
    expect(filesUnder(workers.dir)).toEqual(names);
    // Every format, a CVAT file per clip and frame tables for the variable-rate clips.
    expect(names).toEqual(expect.arrayContaining(['coco_keypoints.json', 'hand_object.json']));
    expect(names.filter((n) => n.startsWith('cvat/'))).toHaveLength(24);
    expect(names.filter((n) => n.startsWith('frame_times/'))).toHaveLength(6);
    for (const name of names) {
      const bytes = readFileSync(join(workers.dir, name));
      expect(bytes.equals(readFileSync(join(here.dir, name))), name).toBe(true);
    }
    for (const [i, file] of workers.files.entries()) {
      const sha = createHash('sha256')
        .update(readFileSync(join(workers.dir, file)))
        .digest('hex');
      expect(workers.digests[i], file).toBe(sha);
      expect(here.digests[i], file).toBe(sha);
    }
    // Annotation ids count on across clips made on different threads.
    const coco = JSON.parse(readFileSync(join(workers.dir, 'coco_keypoints.json'), 'utf8')) as {
      annotations: { id: number }[];
    };
    expect(coco.annotations.map((a) => a.id)).toEqual(coco.annotations.map((_, i) => i + 1));
  });

  it("throws a writer's error from a worker as the error one thread throws", async () => {
    const clips = variedClips(6);
    const badTemplate = clips.map((clip, i) =>
      i === 4 ? { ...clip, doc: JSON.stringify(withTemplate(clip, 'no-such-template')) } : clip,
    );
    const inOne = await write('bad-template-1', badTemplate).catch((error: unknown) => error);
    const inWorkers = await write('bad-template-w', badTemplate, textsInWorkers(2)).catch(
      (error: unknown) => error,
    );
    expect(inOne).toBeInstanceOf(RangeError);
    expect(inWorkers).toBeInstanceOf(RangeError);
    expect((inWorkers as Error).message).toBe((inOne as Error).message);
    expect((inWorkers as Error).message).toContain('no-such-template');

    const badPseudonym = clips.map((clip, i) =>
      i === 2
        ? { ...clip, provenance: { ...clip.provenance, contributor_pseudonym: 'Ana Silva' } }
        : clip,
    );
    const provenance = await write('bad-pseudonym', badPseudonym, textsInWorkers(2)).catch(
      (error: unknown) => error,
    );
    expect(provenance).toBeInstanceOf(ProvenanceError);
    expect((provenance as Error).message).toMatch(/^Provenance line 3 is invalid/);
  });

  it('fails with LABEL_WORKER_FAILED when a worker thread dies', async () => {
    const dying = () => new Worker('process.exit(3)', { eval: true });
    const error = await write('dying', variedClips(4), textsInWorkers(2, dying)).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'LABEL_WORKER_FAILED' });
    expect((error as Error).message).toContain('exit code 3');
  });
});

function withTemplate(clip: LabelFilesClip, templateId: string): LabelsDocument {
  const doc = typeof clip.doc === 'string' ? (JSON.parse(clip.doc) as LabelsDocument) : clip.doc;
  const [first, ...rest] = doc.tracks;
  if (first === undefined) throw new Error('The fixture clip has no tracks.');
  return { ...doc, tracks: [{ ...first, templateId }, ...rest] };
}
