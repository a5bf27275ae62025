import { useEffect, useState, type SubmitEvent } from 'react';
import type { SyncConflictInfo, SyncStatus } from '../../../shared/api/syncSchemas';
import { useAppStore } from '../store/AppStoreContext';
import { formatBytes } from './formatBytes';
import { SyncIssueList } from './SyncIssueList';

/** How often the screen refreshes the status while open (pending count, online state). */
const REFRESH_MS = 3_000;

function onlineText(status: SyncStatus): string {
  if (!status.signedIn) return 'Not signed in';
  if (status.online === null) return 'Not contacted yet';
  return status.online ? 'Online' : 'Offline';
}

function countLabels(value: unknown): string {
  const labels = (
    value as { labels?: { tracks?: unknown[]; segments?: unknown[]; contacts?: unknown[] } } | null
  )?.labels;
  if (labels === undefined) return '–';
  return `${labels.tracks?.length ?? 0} tracks, ${labels.segments?.length ?? 0} segments, ${labels.contacts?.length ?? 0} contacts`;
}

/** Server address, sign-in with a token, and what the sync is doing. */
export function SyncSettingsScreen() {
  const status = useAppStore((state) => state.syncStatus);
  const conflicts = useAppStore((state) => state.syncConflicts);
  const issues = useAppStore((state) => state.syncIssues);
  const identity = useAppStore((state) => state.identity);
  const busy = useAppStore((state) => state.syncBusy);
  const error = useAppStore((state) => state.syncError);
  const report = useAppStore((state) => state.syncLastReport);
  const loadSyncStatus = useAppStore((state) => state.loadSyncStatus);
  const signIn = useAppStore((state) => state.syncSignIn);
  const signOut = useAppStore((state) => state.syncSignOut);
  const syncNow = useAppStore((state) => state.syncNow);
  const showBatches = useAppStore((state) => state.showBatches);
  const [serverUrl, setServerUrl] = useState<string | null>(null);
  const [token, setToken] = useState('');

  useEffect(() => {
    void loadSyncStatus();
    const timer = setInterval(() => void loadSyncStatus(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [loadSyncStatus]);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void signIn(serverUrl ?? status?.server ?? '', token).then((ok) => {
      // The token is not kept in the page once the main side has it.
      if (ok) setToken('');
    });
  };

  return (
    <section className="screen sync-screen" aria-labelledby="sync-title">
      <nav className="screen-nav">
        <button type="button" onClick={showBatches}>
          Back to batches
        </button>
      </nav>
      <h1 id="sync-title">Sync settings</h1>
      <form className="sync-form" onSubmit={submit}>
        <label htmlFor="sync-server">Server address</label>
        <input
          id="sync-server"
          type="url"
          placeholder="http://server:8787"
          value={serverUrl ?? status?.server ?? ''}
          onChange={(event) => setServerUrl(event.target.value)}
        />
        <label htmlFor="sync-token">API token</label>
        <input
          id="sync-token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
        <div className="button-row">
          <button type="submit" disabled={busy} aria-busy={busy}>
            Sign in
          </button>
          {status?.signedIn === true && (
            <>
              <button type="button" disabled={busy} onClick={() => void syncNow()}>
                Sync now
              </button>
              <button type="button" onClick={() => void signOut()}>
                Sign out
              </button>
            </>
          )}
        </div>
      </form>
      {error !== null && (
        <p role="alert" className="sync-error" data-testid="sync-error">
          {error}
        </p>
      )}
      {status !== null && (
        <dl className="sync-status" aria-label="Sync status">
          <dt>Signed in as</dt>
          <dd data-testid="sync-account">
            {status.account === null
              ? `nobody (records are made by ${identity?.actor ?? '…'})`
              : `${status.account.name} (${status.account.role})`}
          </dd>
          <dt>State</dt>
          <dd data-testid="sync-online">{onlineText(status)}</dd>
          <dt>Waiting to send</dt>
          <dd data-testid="sync-pending">{status.pending}</dd>
          {status.waitingForOthers.length > 0 && (
            <>
              <dt>Waiting for other accounts</dt>
              <dd>
                <span data-testid="sync-waiting-for-others">
                  {status.waitingForOthers.map((w) => `${w.count} for ${w.account}`).join(', ')}
                </span>{' '}
                <span className="muted">
                  (sent when that account signs in here, never under yours)
                </span>
              </dd>
            </>
          )}
          <dt>Refused by the server</dt>
          <dd data-testid="sync-refused">{status.refused}</dd>
          <dt>Last error</dt>
          <dd data-testid="sync-last-error">{status.lastError ?? 'none'}</dd>
          <dt>Last sync</dt>
          <dd>{status.lastSyncAt ?? 'never'}</dd>
          <dt>Token</dt>
          <dd data-testid="sync-token-storage">
            {status.tokenStorage === 'encrypted'
              ? 'Saved, encrypted by the OS keyring'
              : 'This session only'}
            {status.tokenStorageNote !== null && ` — ${status.tokenStorageNote}`}
          </dd>
        </dl>
      )}
      {report !== null && (
        <p data-testid="sync-report">
          Last run: {report.delivered.length} sent, {report.conflicts.length} refused,{' '}
          {report.reviewsApplied.length} reviews received, {report.pending} still waiting.
        </p>
      )}
      <ClipStorageSettings />
      <section aria-labelledby="sync-issues-title">
        <h2 id="sync-issues-title">Not sent</h2>
        {issues.length === 0 ? (
          <p data-testid="sync-issues-none">Nothing: everything sent went through.</p>
        ) : (
          <SyncIssueList issues={issues} showClip />
        )}
      </section>
      <ConflictList conflicts={conflicts} />
    </section>
  );
}

/**
 * The disk quota for clips the team server delivers: kept across restarts; over it, clips no
 * longer assigned, not open and with nothing unsent go, least recently used first.
 */
function ClipStorageSettings() {
  const storage = useAppStore((state) => state.clipStorage);
  const note = useAppStore((state) => state.clipQuotaNote);
  const setQuota = useAppStore((state) => state.setClipQuota);
  const [gigabytes, setGigabytes] = useState<string | null>(null);
  const saved = storage?.quotaBytes == null ? '' : String(storage.quotaBytes / 1e9);
  const value = gigabytes ?? saved;
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = value.trim();
    void setQuota(text === '' ? null : Math.round(Number(text) * 1e9)).then((ok) => {
      if (ok) setGigabytes(null);
    });
  };
  const invalid = value.trim() !== '' && !(Number(value) >= 0);
  return (
    <section aria-labelledby="clip-storage-title">
      <h2 id="clip-storage-title">Clip storage</h2>
      <p data-testid="clip-storage-used">
        {storage === null
          ? 'Reading…'
          : `Clips from the team server use ${formatBytes(storage.usedBytes)} ` +
            `(${storage.clipCount} clip${storage.clipCount === 1 ? '' : 's'})` +
            (storage.quotaBytes === null
              ? '; no limit set.'
              : ` of ${formatBytes(storage.quotaBytes)}.`)}
      </p>
      <form className="sync-form" onSubmit={submit}>
        <label htmlFor="clip-quota">Disk space for delivered clips (GB, empty for no limit)</label>
        <input
          id="clip-quota"
          className="quota-input"
          type="number"
          min={0}
          step="any"
          value={value}
          aria-invalid={invalid}
          onChange={(event) => setGigabytes(event.target.value)}
        />
        <div className="button-row">
          <button type="submit" disabled={invalid}>
            Save limit
          </button>
        </div>
      </form>
      <p className="muted">
        Over the limit, clips no longer assigned to you are deleted from this workstation, least
        recently opened first; never one that is open or holds work not yet sent. They download
        again if assigned to you again.
      </p>
      {note !== null && <p data-testid="clip-quota-note">{note}</p>}
    </section>
  );
}

function ConflictList({ conflicts }: { conflicts: SyncConflictInfo[] }) {
  const dismiss = useAppStore((state) => state.dismissSyncConflict);
  return (
    <section aria-labelledby="sync-conflicts-title">
      <h2 id="sync-conflicts-title">Conflicts</h2>
      {conflicts.length === 0 ? (
        <p>None: everything sent was accepted.</p>
      ) : (
        <>
          <p>
            The server refused these. Your labels are kept here unchanged; compare both versions
            with your reviewer or team lead before sending again.
          </p>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Clip</th>
                <th scope="col">Why</th>
                <th scope="col">Your version</th>
                <th scope="col">Server version</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {conflicts.map((c) => (
                <tr key={c.id}>
                  <td>{c.clipId}</td>
                  <td>
                    {c.code}: {c.message}
                  </td>
                  <td>{countLabels(c.local)}</td>
                  <td>
                    {c.serverRevision === null ? '' : `revision ${c.serverRevision}: `}
                    {countLabels(c.server)}
                  </td>
                  <td>
                    <button type="button" onClick={() => void dismiss(c.id)}>
                      Dismiss
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** Always in the header: online or offline and how much waits to be sent; opens the settings. */
export function SyncIndicator() {
  const status = useAppStore((state) => state.syncStatus);
  const loadSyncStatus = useAppStore((state) => state.loadSyncStatus);
  const showSyncSettings = useAppStore((state) => state.showSyncSettings);
  useEffect(() => {
    void loadSyncStatus();
    const timer = setInterval(() => void loadSyncStatus(), 10_000);
    return () => clearInterval(timer);
  }, [loadSyncStatus]);
  const text = status === null ? 'Sync' : `${onlineText(status)} · ${status.pending} to send`;
  return (
    <button
      type="button"
      className="sync-indicator"
      data-testid="sync-indicator"
      onClick={showSyncSettings}
    >
      {text}
    </button>
  );
}
