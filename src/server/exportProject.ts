import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PushedClip } from '../shared/api/syncProtocol';
import type { ExportFormat } from '../shared/api/exportSchemas';
import { ManifestConsent } from '../shared/domain/batchManifest';
import { consentVerdict, type ConsentExclusion } from '../shared/domain/consentVerdict';
import { AnnotationStatus, ProjectSchemaV1, type ProjectSchema } from '../shared/domain/labels';
import {
  checksumsFile,
  displayedSize,
  EXPORT_STATUSES,
  writeLabelFiles,
  type LabelFilesClip,
  type ProvenanceRecord,
} from '../shared/formats';
import type { Db, Queryable } from './db/Db';
import { ServerError } from './serverError';
import { folderSink } from '../node/export/folderSink';
import { labelTextMaker } from '../node/export/labelTextWorkers';
import { sha256File } from '../node/media/sha256File';

/**
 * `framewise-server export`: a project's label files written straight from the server, with the
 * writers of `src/shared/formats` a workstation's Export uses, from the labels and clip facts the
 * annotators' workstations pushed (no video). Gated by consent as a workstation's export is
 * (`consentVerdict`): the lead's consent record on the server if there is one, else the batch
 * manifest's that came with the push; a withdrawn clip is excluded with its reason.
 *
 * `video_id` is the clip's sha256, the one name every machine has for it. Files go to a folder
 * beside the destination and are renamed into place at the end, so a folder under the
 * destination's name is always a complete export. Labels are read a page of sets at a time while
 * the files are written (worker threads make the texts meanwhile): memory holds a page, never the
 * project.
 */

export type ServerExportRequest = {
  projectId: string;
  formats: readonly ExportFormat[];
  status: 'accepted' | 'submitted';
  out: string;
  framewiseVersion?: string;
  now?: Date;
};

export type ServerExclusionReason = ConsentExclusion | 'clip_not_described';

export type ServerExportReport = {
  projectId: string;
  destination: string;
  exportedAt: string;
  framewiseVersion: string;
  status: 'accepted' | 'submitted';
  formats: readonly ExportFormat[];
  exported: {
    videoId: string;
    fileName: string;
    setId: string;
    annotator: string;
    reviewers: string[];
    status: string;
    revision: number;
  }[];
  excluded: { clipRef: string; setId: string; reason: ServerExclusionReason; message: string }[];
  files: string[];
  labelBytes: number;
};

export const SERVER_REPORT_FILE = 'export_report.json';
export const SERVER_CHECKSUMS_FILE = 'checksums.sha256';

type Candidate = {
  set_id: string;
  clip_ref: string;
  annotator: string;
  status: string;
  revision: number;
  updated_at: string | Date;
  facts: unknown;
  project_schema: unknown;
  recorded_consent: unknown;
  reviewers: string[] | null;
};

type Item = {
  setId: string;
  clipRef: string;
  annotator: string;
  reviewers: string[];
  status: AnnotationStatus;
  revision: number;
  clip: Omit<PushedClip, 'frameTimes'>;
  width: number;
  height: number;
  frameCount: number;
  consent: ProvenanceRecord['consent'];
  contributor: string;
  project: ProjectSchema;
};

/** The pushed clip without its frame times (read per clip when written), with their count. */
const FactsWithoutTimes = PushedClip.omit({ frameTimes: true }).extend({
  frameCount: z.number().int().min(0),
});

export async function exportProject(
  db: Db,
  request: ServerExportRequest,
): Promise<ServerExportReport> {
  const now = request.now ?? new Date();
  const exportedAt = now.toISOString();
  const version = request.framewiseVersion ?? serverVersion();
  const destination = resolve(request.out);
  const projects = await db.query('SELECT 1 FROM projects WHERE id = $1', [request.projectId]);
  if (projects.length === 0) throw new ServerError('NOT_FOUND', `No project ${request.projectId}.`);
  await checkDestination(destination);
  const temp = join(dirname(destination), `.${basename(destination)}.partial-${process.pid}`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  try {
    const { items: chosen, excluded } = await select(db, request, exportedAt.slice(0, 10));
    if (chosen.length === 0) {
      const reasons = new Map<string, number>();
      for (const e of excluded) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
      throw new ServerError(
        'NOTHING_TO_EXPORT',
        excluded.length === 0
          ? `Project ${request.projectId} has no sets ${request.status === 'accepted' ? 'accepted' : 'handed in'} yet.`
          : `None of the ${excluded.length} sets can be exported (${[...reasons].map(([r, n]) => `${r} ×${n}`).join(', ')}).`,
      );
    }
    const project = chosen[0]?.project as ProjectSchema;
    const sink = folderSink(temp);
    // The sets written (a set gone meanwhile is left out) and their labels' size.
    const items: Item[] = [];
    let labelBytes = 0;
    const files = await writeLabelFiles({
      formats: request.formats,
      project,
      exportId: `server-${request.projectId}`,
      exportedAt,
      framewiseVersion: version,
      // The server copies no video, so it runs no ffmpeg.
      ffmpegVersion: null,
      sink,
      makeTexts: labelTextMaker(chosen.length),
      clips: (async function* (): AsyncGenerator<LabelFilesClip> {
        for await (const { item, labels, frameTimes } of withLabels(db, chosen)) {
          items.push(item);
          labelBytes += Buffer.byteLength(labels, 'utf8');
          yield {
            videoId: item.clipRef,
            name: item.clip.fileName,
            participantId: item.contributor,
            width: item.width,
            height: item.height,
            frameTimes,
            lastFrameDurationSeconds: item.clip.lastFrameDurationSeconds,
            frameTableSource: item.clip.frameTableSource,
            // Checked against the shared schema when pushed, and stored as parsed: the writer
            // parses the text (on a worker thread when there are several clips).
            doc: labels,
            provenance: {
              file_name: item.clip.fileName,
              frame_count: item.frameCount,
              contributor_pseudonym: item.contributor,
              contributor_region: item.clip.region,
              consent: item.consent,
              annotators: [item.annotator],
              reviewers: item.reviewers,
              revision: item.revision,
              review_status: item.status,
            },
          };
        }
      })(),
    });
    if (items.length === 0) {
      // Every chosen set went (its clip withdrawn) while the export ran.
      throw new ServerError(
        'NOTHING_TO_EXPORT',
        `None of the ${chosen.length} sets can be exported: they were withdrawn meanwhile.`,
      );
    }

    files.push(SERVER_REPORT_FILE);
    const report: ServerExportReport = {
      projectId: request.projectId,
      destination,
      exportedAt,
      framewiseVersion: version,
      status: request.status,
      formats: request.formats,
      exported: items.map((item) => ({
        videoId: item.clipRef,
        fileName: item.clip.fileName,
        setId: item.setId,
        annotator: item.annotator,
        reviewers: item.reviewers,
        status: item.status,
        revision: item.revision,
      })),
      excluded,
      files: [...files].sort(),
      labelBytes,
    };
    await writeFile(join(temp, SERVER_REPORT_FILE), JSON.stringify(report, null, 2) + '\n', {
      flag: 'wx',
    });
    const entries = [];
    for (const file of report.files) {
      entries.push({
        path: file,
        sha256: sink.sha256Of(file) ?? (await sha256File(join(temp, file))),
      });
    }
    await writeFile(join(temp, SERVER_CHECKSUMS_FILE), checksumsFile(entries), { flag: 'wx' });
    await rmdir(destination).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
    await rename(temp, destination);
    return report;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * One set per clip of the project (the best status the filter admits, then the latest change, as
 * a workstation chooses), consent checked first; labels are read later, by `withLabels`.
 */
async function select(
  db: Queryable,
  request: ServerExportRequest,
  exportDate: string,
): Promise<{ items: Item[]; excluded: ServerExportReport['excluded'] }> {
  const admitted: readonly AnnotationStatus[] = EXPORT_STATUSES[request.status];
  const rows = await db.query<Candidate>(
    /* sql */ `
    SELECT s.id AS set_id, a.clip_ref, ua.name AS annotator, s.status, s.revision, s.updated_at,
      s.clip_facts - 'frameTimes' || jsonb_build_object('frameCount',
        jsonb_array_length(s.clip_facts -> 'frameTimes')) AS facts,
      s.project_schema, c.consent AS recorded_consent,
      (SELECT array_agg(u.name ORDER BY first_at, u.name) FROM (
         SELECT r.reviewer_id, min(r.at) AS first_at FROM reviews r WHERE r.set_id = s.id
         GROUP BY r.reviewer_id) rv JOIN users u ON u.id = rv.reviewer_id) AS reviewers
    FROM annotation_sets s
    JOIN assignments a ON a.id = s.assignment_id
    JOIN users ua ON ua.id = a.annotator_id
    LEFT JOIN consent_records c ON c.clip_ref = a.clip_ref
    WHERE a.project_id = $1 AND s.status = ANY($2::text[]) AND s.labels IS NOT NULL
    ORDER BY s.clip_facts ->> 'fileName', a.clip_ref, s.updated_at DESC, s.id`,
    [request.projectId, [...admitted]],
  );
  const excluded: ServerExportReport['excluded'] = [];
  // A withdrawn clip's sets are purged; its tombstones say it was here, and why it is not now.
  const withdrawn = await db.query<{ set_id: string; clip_ref: string }>(
    `SELECT set_id, clip_ref FROM withdrawn_sets WHERE project_id = $1 ORDER BY clip_ref, set_id`,
    [request.projectId],
  );
  for (const set of withdrawn) {
    excluded.push({
      clipRef: set.clip_ref,
      setId: set.set_id,
      reason: 'consent_withdrawn',
      message: 'The contributor withdrew consent for this clip; its labels were deleted.',
    });
  }
  const byClip = new Map<string, Candidate[]>();
  for (const row of rows) byClip.set(row.clip_ref, [...(byClip.get(row.clip_ref) ?? []), row]);
  const items: Item[] = [];
  for (const [clipRef, candidates] of byClip) {
    candidates.sort(
      (a, b) =>
        admitted.indexOf(AnnotationStatus.parse(a.status)) -
          admitted.indexOf(AnnotationStatus.parse(b.status)) ||
        new Date(b.updated_at).getTime() - new Date(a.updated_at).getTime(),
    );
    const set = candidates[0];
    if (set === undefined) continue;
    const exclude = (reason: ServerExclusionReason, message: string) =>
      excluded.push({ clipRef, setId: set.set_id, reason, message });
    const facts = set.facts === null ? null : FactsWithoutTimes.safeParse(set.facts);
    if (facts === null || !facts.success || set.project_schema === null) {
      exclude(
        'clip_not_described',
        'The set was pushed by a workstation that did not send the clip (frame times, size) or ' +
          'its project; submit it again from an up-to-date workstation.',
      );
      continue;
    }
    const recorded =
      set.recorded_consent === null ? null : ManifestConsent.safeParse(set.recorded_consent);
    // The lead's record on the server replaces the manifest's, as on every workstation.
    const consent =
      recorded === null ? facts.data.consent : recorded.success ? recorded.data : null;
    const verdict = consentVerdict(consent, exportDate);
    if (!verdict.ok) {
      exclude(verdict.reason, verdict.message);
      continue;
    }
    if (facts.data.contributor === null) {
      exclude('consent_missing', 'The batch names no contributor pseudonym for its consent.');
      continue;
    }
    const { frameCount, ...clip } = facts.data;
    items.push({
      setId: set.set_id,
      clipRef,
      annotator: set.annotator,
      reviewers: set.reviewers ?? [],
      status: AnnotationStatus.parse(set.status),
      revision: set.revision,
      clip,
      ...displayedSize(clip.width, clip.height, clip.rotation),
      frameCount,
      consent: { id: verdict.consent.id, scope: verdict.consent.scope },
      contributor: facts.data.contributor,
      project: ProjectSchemaV1.parse(set.project_schema),
    });
  }
  return { items, excluded };
}

/**
 * The chosen sets with their labels (as stored text) and frame times, in order. Labels come a
 * page of sets per query (a round trip per set was most of a small export), the next page read
 * while this one is written. A set gone meanwhile (its clip withdrawn) is left out, as if it had
 * gone a moment earlier.
 */
async function* withLabels(
  db: Queryable,
  items: readonly Item[],
): AsyncGenerator<{ item: Item; labels: string; frameTimes: number[] }> {
  const read = (page: readonly Item[]) => {
    const rows = db.query<{ id: string; labels: string; times: string }>(
      `SELECT id, labels::text AS labels,
         jsonb_build_object('t', clip_facts -> 'frameTimes')::text AS times
       FROM annotation_sets WHERE id = ANY($1::text[])`,
      [page.map((item) => item.setId)],
    );
    // Awaited below; a page read ahead of an export that failed meanwhile is not awaited.
    rows.catch(() => undefined);
    return rows;
  };
  let next = items.length > 0 ? read(items.slice(0, LABELS_PAGE)) : null;
  for (let i = 0; i < items.length; i += LABELS_PAGE) {
    const page = items.slice(i, i + LABELS_PAGE);
    const stored = await (next as ReturnType<typeof read>);
    next =
      i + LABELS_PAGE < items.length
        ? read(items.slice(i + LABELS_PAGE, i + 2 * LABELS_PAGE))
        : null;
    const byId = new Map(stored.map((row) => [row.id, row]));
    for (const item of page) {
      const row = byId.get(item.setId);
      if (row === undefined) continue;
      byId.delete(item.setId);
      const { t: frameTimes } = JSON.parse(row.times) as { t: number[] };
      yield { item, labels: row.labels, frameTimes };
    }
  }
}

/** Sets whose labels one query reads (each about a megabyte of text). */
const LABELS_PAGE = 20;

async function checkDestination(destination: string): Promise<void> {
  const existing = await stat(destination).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null && (!existing.isDirectory() || (await readdir(destination)).length > 0)) {
    throw new ServerError(
      'CONFLICT',
      `${destination} already exists and is not an empty folder; choose a new folder so no earlier export is mixed in.`,
    );
  }
  await mkdir(dirname(destination), { recursive: true });
}

/** package.json's version, found by walking up from this module (the sources, or the bundle). */
function serverVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (parsed.name === 'framewise' && typeof parsed.version === 'string') return parsed.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
