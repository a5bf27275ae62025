import type { ClipFetchState, DeliveryProgress } from '../../../shared/api/deliverySchemas';
import type { ReviewQueueItem } from '../../../shared/api/reviewSchemas';
import type { WorkItem } from '../../../shared/api/syncSchemas';
import { WORK_STATUS_LABELS } from '../../../shared/domain/workStatus';
import { useAppStore } from '../store/AppStoreContext';
import { fetchStateOf } from '../store/deliverySlice';
import { formatBytes, percentOf } from './formatBytes';

/**
 * The signed-in person's assignments across batches, due work first, with why it came back; for
 * a reviewer, also the sets waiting for their verdict.
 */
export function MyWorkScreen() {
  const work = useAppStore((state) => state.myWork);
  const queue = useAppStore((state) => state.reviewQueue);
  const identity = useAppStore((state) => state.identity);
  const showBatches = useAppStore((state) => state.showBatches);
  const showClip = useAppStore((state) => state.showClip);
  return (
    <section className="screen" aria-labelledby="work-title">
      <nav className="screen-nav">
        <button type="button" onClick={showBatches}>
          Back to batches
        </button>
      </nav>
      <h1 id="work-title">My work</h1>
      {identity !== null && <p className="subtitle">For {identity.actor}</p>}
      <DeliverySummary />
      {queue.length > 0 && <ToReview queue={queue} />}
      {queue.length > 0 && work !== null && work.length > 0 && <h2>Assigned to you</h2>}
      {work === null ? (
        <p>Reading your work…</p>
      ) : work.length === 0 && queue.length > 0 ? null : work.length === 0 ? (
        <p>Nothing assigned to you or started here. Sync to fetch new assignments.</p>
      ) : (
        <table className="data-table" aria-label="My work">
          <thead>
            <tr>
              <th scope="col">Clip</th>
              <th scope="col">On this workstation</th>
              <th scope="col">Batch</th>
              <th scope="col">Status</th>
              <th scope="col">Reviewer&apos;s reason</th>
            </tr>
          </thead>
          <tbody>
            {work.map((item) => (
              <tr key={item.clipId ?? item.clipRef ?? ''} data-status={item.status}>
                <td>
                  {item.clipId !== null &&
                  item.batchId !== null &&
                  item.here &&
                  item.status !== 'withdrawn' ? (
                    <button
                      type="button"
                      className="link-button clip-name"
                      onClick={() => showClip(item.batchId ?? '', item.clipId ?? '')}
                    >
                      {clipName(item)}
                    </button>
                  ) : (
                    <span className="clip-name" title={item.clipRef ?? ''}>
                      {clipName(item)}
                    </span>
                  )}
                </td>
                <td>
                  <FileState item={item} />
                </td>
                <td>{item.batchName ?? '–'}</td>
                <td>
                  <span className={`badge badge-work-${item.status}`}>
                    {WORK_STATUS_LABELS[item.status]}
                  </span>
                </td>
                <td>{item.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * What people call a clip: its file name, except for a copy the team server delivered, which is
 * named by its reference on disk and is shown as "Clip 264e9cd3e9bd…".
 */
function clipName(item: WorkItem): string {
  const ref = item.clipRef ?? '';
  if (item.fileName === null || item.fileName.startsWith(`${ref}.`)) {
    return `Clip ${ref.slice(0, 12)}…`;
  }
  return item.fileName;
}

/** Whether the clip's file is here, and if not, how its download from the team server goes. */
function FileState({ item }: { item: WorkItem }) {
  const delivery = useAppStore((state) => state.delivery);
  const retry = useAppStore((state) => state.retryDelivery);
  if (item.status === 'withdrawn')
    return <span className="muted">Deleted (consent withdrawn)</span>;
  if (item.here) return <span className="fetch-state fetch-ready">Here</span>;
  const fetch = fetchStateOf(delivery, item.clipRef);
  if (fetch === undefined) {
    return (
      <span className="muted">
        Not here
        {item.clipId === null ? ': the team server does not offer it; import its batch' : ''}
      </span>
    );
  }
  return (
    <FetchState fetch={fetch} name={clipName(item)} onRetry={() => void retry(fetch.clipRef)} />
  );
}

function FetchState({
  fetch,
  name,
  onRetry,
}: {
  fetch: ClipFetchState;
  name: string;
  onRetry: () => void;
}) {
  switch (fetch.state) {
    case 'queued':
      return <span className="fetch-state fetch-queued">Queued for download</span>;
    case 'downloading': {
      const percent = percentOf(fetch.bytesDone, fetch.sizeBytes);
      return (
        <span className="fetch-state fetch-downloading">
          <progress
            aria-label={`Download of ${name}`}
            max={fetch.sizeBytes}
            value={fetch.bytesDone}
          />{' '}
          Downloading {percent} % · {formatBytes(fetch.bytesDone)} of {formatBytes(fetch.sizeBytes)}
        </span>
      );
    }
    case 'verifying':
      return <span className="fetch-state fetch-verifying">Verifying checksum and frames…</span>;
    case 'ready':
      return <span className="fetch-state fetch-ready">Here</span>;
    case 'failed':
      return (
        <span className="fetch-state fetch-failed" role="alert">
          <strong>Download failed</strong>{' '}
          <span className="muted">({fetch.error?.code ?? 'DOWNLOAD_FAILED'})</span>{' '}
          <button type="button" onClick={onRetry}>
            Retry
          </button>
          <span className="fetch-error">{fetch.error?.message ?? 'No reason was given.'}</span>
        </span>
      );
  }
}

/** How many clips are still coming from the team server, and the bytes so far over all. */
function DeliverySummary() {
  const delivery = useAppStore((state) => state.delivery);
  if (delivery === null || delivery.clips.length === 0) return null;
  return (
    <section className="delivery-summary" aria-label="Clips from the team server">
      <p data-testid="delivery-total">{summaryText(delivery)}</p>
      {delivery.bytesDone < delivery.bytesTotal && (
        <progress aria-label="All downloads" max={delivery.bytesTotal} value={delivery.bytesDone} />
      )}
    </section>
  );
}

function summaryText(delivery: DeliveryProgress): string {
  const count = (state: ClipFetchState['state']) =>
    delivery.clips.filter((clip) => clip.state === state).length;
  const ready = count('ready');
  const failed = count('failed');
  const total = delivery.clips.length;
  if (ready === total) return `All ${total} clips from the team server are here.`;
  const bytes =
    `${formatBytes(delivery.bytesDone)} of ${formatBytes(delivery.bytesTotal)} ` +
    `(${percentOf(delivery.bytesDone, delivery.bytesTotal)} %)`;
  return (
    `${ready} of ${total} clips from the team server here · ${bytes}` +
    (failed > 0 ? ` · ${failed} failed` : '')
  );
}

/** The reviewer's queue, verdicts still to give first; a row opens the set under review. */
function ToReview({ queue }: { queue: readonly ReviewQueueItem[] }) {
  const showReview = useAppStore((state) => state.showReview);
  const openReview = useAppStore((state) => state.openReview);
  const due = (item: ReviewQueueItem) =>
    item.refused !== null ? 0 : item.verdict === null ? 1 : 2;
  const sorted = [...queue].sort(
    (a, b) => due(a) - due(b) || a.submittedAt.localeCompare(b.submittedAt),
  );
  const open = (setId: string) => {
    showReview();
    void openReview(setId);
  };
  return (
    <section aria-labelledby="to-review-title">
      <h2 id="to-review-title">To review</h2>
      <table className="data-table" aria-label="To review">
        <thead>
          <tr>
            <th scope="col">Clip</th>
            <th scope="col">Annotator</th>
            <th scope="col">Batch</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((item) => (
            <tr key={item.setId}>
              <td>
                <button type="button" className="link-button" onClick={() => open(item.setId)}>
                  {item.fileName ?? `Clip ${item.clipRef.slice(0, 12)}…`} (rev. {item.revision})
                </button>
              </td>
              <td>{item.annotator}</td>
              <td>{item.batch ?? '–'}</td>
              <td>
                {item.refused !== null
                  ? `Verdict refused (${item.refused.code}): review again`
                  : item.verdict === null
                    ? 'Waiting for your verdict'
                    : item.verdict === 'accept'
                      ? 'Accepted, waiting to be sent'
                      : 'Changes requested, waiting to be sent'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
