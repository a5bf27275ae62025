import type { SyncIssue } from '../../../shared/api/syncSchemas';
import { useAppStore } from '../store/AppStoreContext';

const KIND: Record<SyncIssue['kind'], string> = {
  labels: 'Labels',
  verdict: 'Review verdict',
  resolve: 'Comment resolved',
};

const ACTION: Record<SyncIssue['actions'][number], string> = {
  retry: 'Retry',
  discard: 'Discard',
  review_again: 'Review again',
  reopen_comment: 'Reopen comment',
};

/**
 * Deliveries that did not go through, each with the server's reason, what to do, and the buttons
 * for it. Sync settings lists them all; the clip screen those about its clip.
 */
export function SyncIssueList({
  issues,
  showClip,
}: {
  issues: readonly SyncIssue[];
  showClip: boolean;
}) {
  const act = useAppStore((state) => state.actOnSyncIssue);
  return (
    <ul className="sync-issues" aria-label="Not sent">
      {issues.map((issue) => (
        <li key={issue.id} className="sync-issue" data-testid="sync-issue">
          <p>
            <strong>
              {KIND[issue.kind]} {issue.state === 'refused' ? 'refused' : 'waiting'}
            </strong>
            {showClip && (
              <span className="muted">
                {' '}
                · {issue.fileName ?? `clip ${issue.clipRef ?? issue.clipId ?? issue.setId}`}
              </span>
            )}
          </p>
          <p data-testid="sync-issue-reason">
            The server said: {issue.code}: {issue.message}
          </p>
          <p data-testid="sync-issue-advice">{issue.advice}</p>
          {issue.actions.length > 0 && (
            <div className="button-row">
              {issue.actions.map((action) => (
                <button key={action} type="button" onClick={() => void act(issue, action)}>
                  {ACTION[action]}
                </button>
              ))}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
