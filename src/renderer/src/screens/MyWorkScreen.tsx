import { WORK_STATUS_LABELS } from '../../../shared/domain/workStatus';
import { useAppStore } from '../store/AppStoreContext';

/** The signed-in person's assignments across batches, due work first, with why it came back. */
export function MyWorkScreen() {
  const work = useAppStore((state) => state.myWork);
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
      {work === null ? (
        <p>Reading your work…</p>
      ) : work.length === 0 ? (
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
