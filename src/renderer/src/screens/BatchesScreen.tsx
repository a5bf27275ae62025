import { useEffect, useState, type SubmitEvent } from 'react';
import type { ImportFileOutcome, ImportProgress, ImportReport } from '../../../shared/api/schemas';
import { useAppStore } from '../store/AppStoreContext';
import { formatTimecode } from './formatTimecode';

export function BatchesScreen() {
  const loadIdentity = useAppStore((state) => state.loadIdentity);
  const [identityKnown, setIdentityKnown] = useState(false);
  useEffect(() => {
    let shown = true;
    // loadIdentity reports its own failure; the screen shows either way.
    void loadIdentity().then(() => {
      if (shown) setIdentityKnown(true);
    });
    return () => {
      shown = false;
    };
  }, [loadIdentity]);
  return (
    <section className="screen" aria-labelledby="batches-title">
      <h1 id="batches-title">Batches</h1>
      {/* The first-run name prompt goes above the list: showing the list before we know whether
          the prompt comes would move the list under a click aimed at a batch. */}
      {identityKnown ? (
        <>
          <LocalProfilePrompt />
          <SyncSettingsButton />
          <ImportForm />
          <ImportStatus />
          <LastImport />
          <BatchList />
        </>
      ) : (
        <p role="status">Loading…</p>
      )}
    </section>
  );
}

/**
 * First run: the name to make records by until someone signs in to a team server (never the OS
 * user, which is "root" on many machines). Shown until a name is given or an account signs in.
 */
function LocalProfilePrompt() {
  const identity = useAppStore((state) => state.identity);
  const save = useAppStore((state) => state.saveLocalProfile);
  const [name, setName] = useState('');
  if (identity === null || identity.source !== 'os') return null;
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (name.trim()) void save(name.trim());
  };
  return (
    <form className="profile-form" aria-label="Your name" onSubmit={submit}>
      <label htmlFor="profile-name">
        Your name on this workstation (labels, comments and the audit log carry it until you sign in
        to your team&apos;s server)
      </label>
      <div className="import-row">
        <input
          id="profile-name"
          type="text"
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoComplete="name"
          required
        />
        <button type="submit">Save name</button>
      </div>
    </form>
  );
}

function SyncSettingsButton() {
  const showSyncSettings = useAppStore((state) => state.showSyncSettings);
  const showReview = useAppStore((state) => state.showReview);
  const showMyWork = useAppStore((state) => state.showMyWork);
  const showTeam = useAppStore((state) => state.showTeam);
  return (
    <div className="button-row">
      <button type="button" onClick={showMyWork}>
        My work
      </button>
      <button type="button" onClick={showSyncSettings}>
        Sync settings
      </button>
      <button type="button" onClick={showReview}>
        Review
      </button>
      {/* A lead may have imported nothing and still want the team's progress. */}
      <button type="button" onClick={showTeam}>
        Team
      </button>
    </div>
  );
}

function ImportForm() {
  const [folder, setFolder] = useState('');
  const importing = useAppStore((state) => state.importingFolder !== null);
  const importFolder = useAppStore((state) => state.importFolder);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = folder.trim();
    if (trimmed) void importFolder(trimmed);
  };

  return (
    <form className="import-form" onSubmit={submit}>
      <label htmlFor="import-folder">Folder to import</label>
      <div className="import-row">
        <input
          id="import-folder"
          type="text"
          value={folder}
          onChange={(event) => setFolder(event.target.value)}
          placeholder="/path/to/recording-session"
          spellCheck={false}
          autoComplete="off"
          required
        />
        <button type="submit" disabled={importing} aria-busy={importing}>
          Import
        </button>
      </div>
    </form>
  );
}

function ImportStatus() {
  const importingFolder = useAppStore((state) => state.importingFolder);
  const importProgress = useAppStore((state) => state.importProgress);
  const checksumProgress = useAppStore((state) => state.checksumProgress);
  const checksumsRunning =
    checksumProgress !== null && checksumProgress.done < checksumProgress.total;
  return (
    <div role="status" className="import-status">
      {importingFolder !== null && <p>{describeProbe(importingFolder, importProgress)}</p>}
      {checksumsRunning && (
        <p>
          Checking checksums: {checksumProgress.done} of {checksumProgress.total}
        </p>
      )}
    </div>
  );
}

function describeProbe(folder: string, progress: ImportProgress | null): string {
  if (!progress) return `Importing ${folder}…`;
  const file = progress.relativePath ? `: ${progress.relativePath}` : '';
  return `Probing file ${Math.min(progress.done + 1, progress.total)} of ${progress.total}${file}`;
}

function LastImport() {
  const report = useAppStore((state) => state.lastImport);
  if (!report) return null;
  return (
    <section className="panel" aria-labelledby="last-import-title">
      <h2 id="last-import-title">Import of {report.batch.name}</h2>
      <p>{summarize(report)}</p>
      <ul className="outcomes" aria-label="Files in this import">
        {report.files.map((file) => (
          <li key={file.relativePath} className={`outcome outcome-${file.status}`}>
            <span className="outcome-file">{file.relativePath}</span>
            <OutcomeDetail outcome={file} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function summarize(report: ImportReport): string {
  let added = 0;
  let already = 0;
  let failed = 0;
  for (const file of report.files) {
    if (file.status === 'error') failed += 1;
    else if (file.alreadyImported) already += 1;
    else added += 1;
  }
  const parts = [`${added} ${plural(added, 'clip')} imported`];
  if (already > 0) parts.push(`${already} already imported`);
  parts.push(`${failed} ${plural(failed, 'file')} with errors`);
  return `${parts.join(', ')}.`;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

function OutcomeDetail({ outcome }: { outcome: ImportFileOutcome }) {
  if (outcome.status === 'error') {
    return (
      <span className="outcome-detail">
        <code className="error-code">{outcome.code}</code> {outcome.message}
      </span>
    );
  }
  const { summary } = outcome;
  return (
    <span className="outcome-detail">
      {outcome.alreadyImported ? 'Already imported' : 'Imported'}: {summary.frameCount}{' '}
      {plural(summary.frameCount, 'frame')}, {formatTimecode(summary.durationSeconds)}
    </span>
  );
}

function BatchList() {
  const batches = useAppStore((state) => state.batches);
  const loaded = useAppStore((state) => state.batchesLoaded);
  const showBatch = useAppStore((state) => state.showBatch);
  const showExport = useAppStore((state) => state.showExport);
  const showAgreement = useAppStore((state) => state.showAgreement);
  if (!loaded) return <p>Loading batches…</p>;
  return (
    <section aria-labelledby="batch-list-title">
      <h2 id="batch-list-title">Imported batches</h2>
      {batches.length > 0 && (
        <div className="button-row">
          <button type="button" onClick={() => showExport()}>
            Export…
          </button>
          <button type="button" onClick={showAgreement}>
            Agreement
          </button>
        </div>
      )}
      {batches.length === 0 ? (
        <p>No batches yet. Import a folder of clips to start.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Contributor</th>
              <th scope="col">Clips</th>
              <th scope="col">Errors</th>
              <th scope="col">Imported</th>
            </tr>
          </thead>
          <tbody>
            {batches.map((batch) => (
              <tr key={batch.id}>
                <td>
                  <button
                    type="button"
                    className="link-button"
                    title={batch.folder}
                    onClick={() => showBatch(batch.id)}
                  >
                    {batch.name}
                  </button>
                </td>
                <td>{batch.contributor ?? '—'}</td>
                <td className="number">{batch.clipCount}</td>
                <td className="number">{batch.errorCount}</td>
                <td>{new Date(batch.importedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
