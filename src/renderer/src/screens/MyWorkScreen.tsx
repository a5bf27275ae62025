import type { ReviewQueueItem } from '../../../shared/api/reviewSchemas';
import { WORK_STATUS_LABELS } from '../../../shared/domain/workStatus';
import { useAppStore } from '../store/AppStoreContext';

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
              <th scope="col">Batch</th>
              <th scope="col">Status</th>
              <th scope="col">Reviewer&apos;s reason</th>
            </tr>
          </thead>
          <tbody>
            {work.map((item) => (
              <tr key={item.clipId ?? item.clipRef ?? ''} data-status={item.status}>
                <td>
                  {item.clipId !== null && item.batchId !== null && item.status !== 'withdrawn' ? (
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => showClip(item.batchId ?? '', item.clipId ?? '')}
                    >
                      {item.fileName}
                    </button>
                  ) : (
                    <span title={item.clipRef ?? ''}>
                      {item.fileName ?? `${(item.clipRef ?? '').slice(0, 12)}…`}{' '}
                      {item.clipId === null && (
                        <span className="muted">(not imported here: import its batch)</span>
                      )}
                    </span>
                  )}
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
