import type { SubmitEvent } from 'react';
import type { ExportFormat, ExportProgress, ExportReport } from '../../../shared/api/exportSchemas';
import { useAppStore } from '../store/AppStoreContext';
import { ALL_EXPORT_FORMATS } from '../store/exportSlice';

const FORMAT_NAMES: Record<ExportFormat, string> = {
  coco: 'COCO keypoints (coco_keypoints.json)',
  cvat: 'CVAT for video 1.1 XML (one file per clip)',
  epic: 'EPIC-KITCHENS action segments (actions.csv and class files)',
  hands: 'Hand-object contact (hand_object.json)',
  provenance: 'Provenance (provenance.jsonl)',
};

/** Export for team leads: what to export, where, and how it went. */
export function ExportScreen() {
  const showBatches = useAppStore((state) => state.showBatches);
  return (
    <section className="screen" aria-labelledby="export-title">
      <p>
        <button type="button" className="link-button" onClick={showBatches}>
          ← Batches
        </button>
      </p>
      <h1 id="export-title">Export</h1>
      <ExportForm />
      <ExportStatus />
      <ExportResult />
    </section>
  );
}

function ExportForm() {
  const batches = useAppStore((state) => state.batches);
  const choices = useAppStore((state) => state.exportChoices);
  const running = useAppStore((state) => state.exportRunning);
  const setChoices = useAppStore((state) => state.setExportChoices);
  const toggleBatch = useAppStore((state) => state.toggleExportBatch);
  const toggleFormat = useAppStore((state) => state.toggleExportFormat);
  const start = useAppStore((state) => state.startExport);
  const ready =
    choices.batchIds.length > 0 && choices.formats.length > 0 && choices.destination.trim() !== '';

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (ready) void start();
  };

  return (
    <form className="export-form" onSubmit={submit} aria-label="Export settings">
      <fieldset>
        <legend>Batches</legend>
        {batches.length === 0 && <p>No batches imported yet.</p>}
        {batches.map((batch) => (
          <label key={batch.id} className="checkbox-row">
            <input
              type="checkbox"
              checked={choices.batchIds.includes(batch.id)}
              onChange={() => toggleBatch(batch.id)}
            />
            {batch.name} ({batch.clipCount} clips)
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Labels to export</legend>
        <label className="checkbox-row">
          <input
            type="radio"
            name="export-status"
            checked={choices.status === 'accepted'}
            onChange={() => setChoices({ status: 'accepted' })}
          />
          Accepted only
        </label>
        <label className="checkbox-row">
          <input
            type="radio"
            name="export-status"
            checked={choices.status === 'submitted'}
            onChange={() => setChoices({ status: 'submitted' })}
          />
          Submitted and later (submitted, in review, accepted)
        </label>
      </fieldset>
      <fieldset>
        <legend>Formats</legend>
        {ALL_EXPORT_FORMATS.map((format) => (
          <label key={format} className="checkbox-row">
            <input
              type="checkbox"
              checked={choices.formats.includes(format)}
              onChange={() => toggleFormat(format)}
            />
            {FORMAT_NAMES[format]}
          </label>
        ))}
      </fieldset>
      <label className="checkbox-row">
        <input
          type="checkbox"
          checked={choices.includeVideos}
          onChange={(event) => setChoices({ includeVideos: event.target.checked })}
        />
        Include the videos (copied with location and device metadata removed)
      </label>
      {/* Under the videos' checkbox: it only applies to them. */}
      <label className="checkbox-row checkbox-row-nested">
        <input
          type="checkbox"
          checked={choices.includeVideos && choices.blurFaces}
          disabled={!choices.includeVideos}
          onChange={(event) => setChoices({ blurFaces: event.target.checked })}
        />
        Blur faces in the videos (re-encoded, every frame and frame time kept; clips need a finished
        face scan)
      </label>
      <label htmlFor="export-regions">
        Only contributors from these regions (ISO 3166 codes such as PT or US-CA; empty: all)
      </label>
      <input
        id="export-regions"
        type="text"
        value={choices.regions}
        onChange={(event) => setChoices({ regions: event.target.value })}
        placeholder="PT, ES"
        spellCheck={false}
        autoComplete="off"
      />
      <label htmlFor="export-destination">Destination folder (a new, empty folder)</label>
      <input
        id="export-destination"
        type="text"
        value={choices.destination}
        onChange={(event) => setChoices({ destination: event.target.value })}
        placeholder="/path/to/new-export-folder"
        spellCheck={false}
        autoComplete="off"
        required
      />
      <p className="hint">
        Clips whose consent is missing, expired or withdrawn are never exported; the report lists
        them.
      </p>
      <button type="submit" disabled={!ready || running} aria-busy={running}>
        Export
      </button>
    </form>
  );
}

function ExportStatus() {
  const progress = useAppStore((state) => state.exportProgress);
  const running = useAppStore((state) => state.exportRunning);
  const cancel = useAppStore((state) => state.cancelExport);
  const exportId = useAppStore((state) => state.exportId);
  return (
    <div role="status" className="export-status">
      {running && progress === null && <p>Starting the export…</p>}
      {progress !== null && <p>{describeProgress(progress)}</p>}
      {progress !== null && progress.total > 0 && (
        <progress aria-label="Export progress" max={progress.total} value={progress.done} />
      )}
      {running && (
        <button type="button" onClick={() => void cancel()} disabled={exportId === null}>
          Cancel export
        </button>
      )}
    </div>
  );
}

function describeProgress(progress: ExportProgress): string {
  switch (progress.phase) {
    case 'done':
      return `Export finished: ${progress.clipsExported} clips exported, ${progress.clipsExcluded} excluded.`;
    case 'cancelled':
      return 'Export cancelled; nothing was written.';
    case 'failed':
      return `Export failed: ${progress.error?.message ?? 'unknown error'}`;
    default: {
      const eta =
        progress.etaSeconds === null ? '' : `, about ${Math.ceil(progress.etaSeconds)} s left`;
      const what = progress.current === null ? '' : ` ${progress.current}`;
      return (
        `Exporting (${progress.phase}${what}): ${progress.done} of ${progress.total} steps, ` +
        `${progress.clipsExported} clips, ${progress.clipsExcluded} excluded${eta}`
      );
    }
  }
}

function ExportResult() {
  const report = useAppStore((state) => state.exportReport);
  if (!report) return null;
  return <ReportView report={report} />;
}

function ReportView({ report }: { report: ExportReport }) {
  return (
    <section className="panel" aria-labelledby="export-report-title">
      <h2 id="export-report-title">Export report</h2>
      <p>
        Written to <code>{report.destination}</code>: {report.files.length} files, with
        checksums.sha256.
      </p>
      <h3 id="exported-title">Exported ({report.exported.length})</h3>
      <ul aria-labelledby="exported-title">
        {report.exported.map((clip) => (
          <li key={clip.clipId}>
            {clip.relativePath} — {clip.status}, {clip.tracks} tracks, {clip.segments} segments
          </li>
        ))}
      </ul>
      <h3 id="excluded-title">Excluded ({report.excluded.length})</h3>
      <ul aria-labelledby="excluded-title">
        {report.excluded.map((clip) => (
          <li key={clip.clipId}>
            {clip.relativePath}: <code className="error-code">{clip.reason}</code> {clip.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
