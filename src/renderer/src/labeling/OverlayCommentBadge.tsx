import { useAppStore, useAppStoreApi } from '../store/AppStoreContext';
import type { AppState } from '../store/appStore';
import { spanCommentsAt, type SpanComment } from './overlay/commentPins';

/** The list as a string, so the badge re-renders when entries change, not on every frame. */
function listedAt(state: AppState): string {
  if (state.currentFrame === null) return '[]';
  return JSON.stringify(spanCommentsAt(state.clipComments, state.labels, state.currentFrame));
}

/** The comment's entry in the comment list, where its text, suggestion and actions are. */
export function commentElementId(commentId: string): string {
  return `review-comment-${commentId}`;
}

/**
 * The pins of segment and contact comments on the overlay: a badge in the picture's corner that
 * lists them while the current frame is inside their span, each in its actor's colour. Choosing
 * one selects the segment (or contact label) and moves focus to the comment in the list.
 */
export function OverlayCommentBadge() {
  const store = useAppStoreApi();
  const listed = JSON.parse(useAppStore(listedAt)) as SpanComment[];
  if (listed.length === 0) return null;
  const focus = (entry: SpanComment) => {
    store
      .getState()
      .select(
        entry.kind === 'segment' ? { segmentId: entry.recordId } : { contactId: entry.recordId },
      );
    const element = document.getElementById(commentElementId(entry.commentId));
    element?.scrollIntoView({ block: 'nearest' });
    element?.focus();
  };
  return (
    <ul
      className="overlay-comment-badge"
      aria-label="Comments on this span"
      data-testid="span-comments"
    >
      {listed.map((entry) => (
        <li key={entry.commentId}>
          <button
            type="button"
            className="overlay-comment"
            data-resolved={entry.resolved}
            style={{ borderLeftColor: entry.color }}
            title={`${entry.kind === 'segment' ? 'Segment' : 'Contact'} frames ${entry.startFrame}–${entry.endFrame}: show the comment`}
            onClick={() => focus(entry)}
          >
            <span className="overlay-comment-dot" style={{ background: entry.color }} aria-hidden />
            <strong>{entry.author}</strong>: {entry.text}
            {entry.resolved && <span className="muted"> (resolved)</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
