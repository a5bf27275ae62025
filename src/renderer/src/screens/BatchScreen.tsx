import { useEffect, useState } from 'react';
import type { WorkItem } from '../../../shared/api/syncSchemas';
import {
  compareDue,
  WORK_STATUS_LABELS,
  WORK_STATUSES,
  type WorkStatus,
} from '../../../shared/domain/workStatus';
import type { ChecksumState, Clip, CodecFamily } from '../../../shared/api/schemas';
import type { ConsentState } from '../../../shared/domain/consentState';
import { useAppStore } from '../store/AppStoreContext';
import { formatTimecode } from './formatTimecode';
import type { PrivacyField } from '../../../shared/domain/privacyReport';

export function BatchScreen({ batchId }: { batchId: string }) {
  const batch = useAppStore((state) => state.batches.find((item) => item.id === batchId));
  const showBatches = useAppStore((state) => state.showBatches);
  return (
    <section className="screen" aria-labelledby="batch-title">
      <nav className="screen-nav">
        <button type="button" onClick={showBatches}>
          Back to batches
        </button>
      </nav>
      <h1 id="batch-title">{batch?.name ?? 'Batch'}</h1>
      {batch && (
        <p className="subtitle">
          {batch.folder}
          {batch.contributor && <> · contributor {batch.contributor}</>}
          {batch.region && <> · region {batch.region}</>}
        </p>
      )}
      <ClipTable batchId={batchId} />
      <PrivacyReportSection batchId={batchId} />
      <FileErrors />
    </section>
  );
}

type SortKey = 'file' | 'status';

function ClipTable({ batchId }: { batchId: string }) {
  const all = useAppStore((state) => state.clips);
  const loading = useAppStore((state) => state.clipsLoading);
  const showClip = useAppStore((state) => state.showClip);
  const batchWork = useAppStore((state) => state.batchWork);
  const [filter, setFilter] = useState<WorkStatus | 'all'>('all');
  const [sort, setSort] = useState<SortKey>('file');
  const work = new Map<string, WorkItem>(
    batchWork?.batchId === batchId
      ? batchWork.items.flatMap((item) => (item.clipId === null ? [] : [[item.clipId, item]]))
      : [],
  );
  const statusOf = (clipId: string): WorkStatus | null => work.get(clipId)?.status ?? null;
  const clips = all
    .filter((clip) => filter === 'all' || statusOf(clip.id) === filter)
    .sort((a, b) =>
      sort === 'status'
        ? compareDue(statusOf(a.id) ?? 'not_assigned', statusOf(b.id) ?? 'not_assigned') ||
          a.fileName.localeCompare(b.fileName)
        : a.fileName.localeCompare(b.fileName),
    );
  if (loading && all.length === 0) return <p>Loading clips…</p>;
  return (
    <section aria-labelledby="clips-title">
      <h2 id="clips-title">Clips</h2>
      <div className="button-row clip-table-controls">
        <label htmlFor="clip-status-filter">Show</label>
        <select
          id="clip-status-filter"
          value={filter}
          onChange={(event) => setFilter(event.target.value as WorkStatus | 'all')}
        >
          <option value="all">All clips</option>
          {WORK_STATUSES.map((status) => (
            <option key={status} value={status}>
              {WORK_STATUS_LABELS[status]}
            </option>
          ))}
        </select>
        <label htmlFor="clip-sort">Sort by</label>
        <select
          id="clip-sort"
          value={sort}
          onChange={(event) => setSort(event.target.value as SortKey)}
        >
          <option value="file">File name</option>
          <option value="status">Status (due first)</option>
        </select>
      </div>
      {clips.length === 0 ? (
        <p>
          {all.length === 0
            ? 'No clips were imported from this batch.'
            : 'No clip of this batch has that status.'}
        </p>
      ) : (
        <table className="data-table" aria-label="Clips">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col">Duration</th>
              <th scope="col">Frames</th>
              <th scope="col">Codec</th>
              <th scope="col">Resolution</th>
              <th scope="col">Rotation</th>
              <th scope="col">Flags</th>
              <th scope="col">Checksum</th>
              <th scope="col">Consent</th>
            </tr>
          </thead>
          <tbody>
            {clips.map((clip) => (
              <tr key={clip.id}>
                <td>
                  {clip.consent.state === 'withdrawn' ? (
                    // Purged here: nothing to open, and nothing suggests otherwise.
                    <span title={clip.relativePath}>
                      {clip.fileName}{' '}
                      <span className="muted">(consent withdrawn: cannot be opened)</span>
                    </span>
                  ) : work.get(clip.id)?.here === false ? (
                    // A delivered copy the disk quota evicted: it downloads again if reassigned.
                    <span title={clip.relativePath}>
                      {clip.fileName}{' '}
                      <span className="muted">
                        (not here: deleted to stay under the disk limit)
                      </span>
                    </span>
                  ) : (
                    <button
                      type="button"
                      className="link-button"
                      title={clip.relativePath}
                      onClick={() => showClip(batchId, clip.id)}
                    >
                      {clip.fileName}
                    </button>
                  )}
                </td>
                <td>
                  <WorkBadge item={work.get(clip.id)} />
                </td>
                <td className="number">{formatTimecode(clip.durationSeconds)}</td>
                <td className="number">{clip.frameCount}</td>
                <td title={`${clip.codec} in ${clip.container}`}>
                  {CODEC_NAMES[clip.codecFamily]}
                </td>
                <td className="number">
                  {clip.width}×{clip.height}
                </td>
                <td className="number">{clip.rotation}°</td>
                <td>
                  <FlagBadges clip={clip} />
                </td>
                <td>
                  <ChecksumBadge state={clip.checksumState} sha256={clip.sha256} />
                </td>
                <td>
                  <ConsentBadge consent={clip.consent} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The clip's status for the signed-in person, with the reviewer's reason as its title. */
function WorkBadge({ item }: { item: WorkItem | undefined }) {
  if (item === undefined) return <span className="muted">…</span>;
  return (
    <span
      className={`badge badge-work-${item.status}`}
      data-work-status={item.status}
      title={item.reason ?? ''}
    >
      {WORK_STATUS_LABELS[item.status]}
    </span>
  );
}

const CODEC_NAMES: Record<CodecFamily, string> = {
  h264: 'H.264',
  hevc: 'HEVC',
  vp8: 'VP8',
  vp9: 'VP9',
  av1: 'AV1',
};

function FlagBadges({ clip }: { clip: Clip }) {
  const { location, make, model, creationTime } = clip.flagged;
  const device = [make, model].filter(Boolean).join(' ');
  const flags: { name: string; value: string }[] = [];
  if (location) flags.push({ name: 'Location', value: location });
  if (device) flags.push({ name: 'Device', value: device });
  if (creationTime) flags.push({ name: 'Creation time', value: creationTime });
  if (flags.length === 0) return <span className="muted">None</span>;
  return (
    <ul className="badges">
      {flags.map((flag) => (
        <li key={flag.name} className="badge badge-flag" title={`${flag.name}: ${flag.value}`}>
          {flag.name}
          <span className="visually-hidden">: {flag.value}</span>
        </li>
      ))}
    </ul>
  );
}

const CHECKSUM_LABELS: Record<ChecksumState, string> = {
  pending: 'Pending',
  done: 'Done',
  mismatch: 'Mismatch',
  error: 'Error',
};

function ChecksumBadge({ state, sha256 }: { state: ChecksumState; sha256: string | null }) {
  return (
    <span className={`badge badge-checksum-${state}`} title={sha256 ? `sha256 ${sha256}` : ''}>
      {CHECKSUM_LABELS[state]}
    </span>
  );
}

const CONSENT_LABELS: Record<ConsentState, string> = {
  valid: 'Valid',
  missing: 'Missing',
  not_yet_valid: 'Not yet valid',
  expired: 'Expired',
  withdrawn: 'Withdrawn',
};

/** Every state but valid means: never exported (and, under a "lock" project, not editable). */
function ConsentBadge({ consent }: { consent: Clip['consent'] }) {
  return (
    <span
      className={`badge badge-consent-${consent.state}`}
      title={consent.message}
      data-consent={consent.state}
    >
      {CONSENT_LABELS[consent.state]}
      <span className="visually-hidden">: {consent.message}</span>
    </span>
  );
}

const PRIVACY_FIELD_NAMES: Record<PrivacyField, string> = {
  location: 'Location',
  make: 'Device make',
  model: 'Device model',
  creationTime: 'Creation time',
};

function PrivacyReportSection({ batchId }: { batchId: string }) {
  const report = useAppStore((state) => state.privacyReport);
  const load = useAppStore((state) => state.loadPrivacyReport);
  // Consent and metadata change with the clip list (re-import, withdrawal): reload with it.
  const clips = useAppStore((state) => state.clips);
  useEffect(() => {
    void load(batchId);
  }, [batchId, clips, load]);
  return (
    <section aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy</h2>
      {report?.batchId !== batchId ? (
        <p>Reading the clips' metadata…</p>
      ) : (
        <>
          <p>
            {report.totals.clips} clips: {report.totals.withLocation} with a location,{' '}
            {report.totals.withDevice} with a device make or model, {report.totals.withCreationTime}{' '}
            with a creation time. {report.totals.exportable} can be exported (valid consent).
          </p>
          <table className="data-table" aria-label="Metadata found and stripped on export">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Found</th>
                <th scope="col">An export with videos strips</th>
              </tr>
            </thead>
            <tbody>
              {report.clips.map((clip) => (
                <tr key={clip.clipId}>
                  <td>{clip.relativePath}</td>
                  <td>
                    {clip.strippedOnExport.length === 0
                      ? 'Nothing'
                      : clip.strippedOnExport
                          .map(
                            (field) => `${PRIVACY_FIELD_NAMES[field]}: ${clip.found[field] ?? ''}`,
                          )
                          .join('; ')}
                  </td>
                  <td>
                    {clip.strippedOnExport.length === 0
                      ? 'Nothing to strip'
                      : clip.strippedOnExport.map((field) => PRIVACY_FIELD_NAMES[field]).join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul>
            {report.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function FileErrors() {
  const fileErrors = useAppStore((state) => state.fileErrors);
  return (
    <section aria-labelledby="file-errors-title">
      <h2 id="file-errors-title">Files not imported</h2>
      {fileErrors.length === 0 ? (
        <p>Every file in this batch was imported.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Code</th>
              <th scope="col">What happened</th>
            </tr>
          </thead>
          <tbody>
            {fileErrors.map((error) => (
              <tr key={`${error.relativePath}:${error.code}`}>
                <td>{error.relativePath}</td>
                <td>
                  <code className="error-code">{error.code}</code>
                </td>
                <td>{error.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
