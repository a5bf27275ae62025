import { useEffect } from 'react';
import { projectTemplates, type LabelsDocument } from '../../../../shared/domain/labels';
import { describePin, pinFrame, type ReviewComment } from '../../../../shared/domain/review';
import type { PlayerEngine } from '../../player/playerEngine';
import { useAppStore } from '../../store/AppStoreContext';
import { commentElementId } from '../OverlayCommentBadge';

/** Review comments with where they are pinned; `onResolve` only for the set's annotator. */
export function CommentList({
  comments,
  labels,
  onFrame,
  onResolve,
  onApply,
  onReopen,
}: {
  comments: readonly ReviewComment[];
  labels: LabelsDocument;
  onFrame: (frame: number) => void;
  onResolve?: (commentId: string) => void;
  /** Applies a suggested edit as one ordinary, undoable edit (the annotator's choice). */
  onApply?: (comment: ReviewComment) => void;
  /** Takes back a resolution the server refused (the annotator's side). */
  onReopen?: (commentId: string) => void;
}) {
  const project = useAppStore((state) => state.labelProject);
  const templates = project ? projectTemplates(project.schema) : undefined;
  if (comments.length === 0) return <p>No comments.</p>;
  return (
    <ul className="comment-list" aria-label="Review comments">
      {comments.map((comment) => {
        const frame = pinFrame(comment.pin, labels);
        return (
          <li
            key={comment.id}
            id={commentElementId(comment.id)}
            tabIndex={-1}
            data-resolved={comment.resolved !== null}
          >
            <p>
              <strong>{comment.author}</strong> on {describePin(comment.pin, labels, templates)}:{' '}
              {comment.text}
            </p>
            {comment.suggestion !== null &&
              (onApply && comment.resolved === null ? (
                <button type="button" onClick={() => onApply(comment)}>
                  Apply suggestion
                </button>
              ) : (
                <p className="muted">Includes a suggested edit.</p>
              ))}
            {frame !== undefined && (
              <button type="button" onClick={() => onFrame(frame)}>
                Go to frame {frame}
              </button>
            )}
            {comment.resolved === null ? (
              onResolve && (
                <button type="button" onClick={() => onResolve(comment.id)}>
                  Resolve
                </button>
              )
            ) : (
              <span className="muted"> Resolved by {comment.resolved.by}</span>
            )}
            {comment.resolveRefused !== undefined && (
              <p className="sync-error" role="alert">
                The server refused this resolution: {comment.resolveRefused.code}
                {comment.resolveRefused.message === ''
                  ? ''
                  : ` — ${comment.resolveRefused.message}`}
                {onReopen && (
                  <>
                    {' '}
                    <button type="button" onClick={() => onReopen(comment.id)}>
                      Reopen
                    </button>
                  </>
                )}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The annotator's view of review comments on the open clip (J / Shift+J jump between them). */
export function CommentsPanel({ player }: { player: PlayerEngine | null }) {
  const setId = useAppStore((state) => state.labelSet?.id);
  const comments = useAppStore((state) => state.clipComments);
  const labels = useAppStore((state) => state.labels);
  const loadClipComments = useAppStore((state) => state.loadClipComments);
  const resolveComment = useAppStore((state) => state.resolveComment);
  const reopenComment = useAppStore((state) => state.reopenComment);
  const editLabels = useAppStore((state) => state.editLabels);
  useEffect(() => {
    if (setId !== undefined) void loadClipComments(setId);
  }, [setId, loadClipComments]);
  if (comments.length === 0) return null;
  return (
    <section aria-labelledby="clip-comments-title">
      <h2 id="clip-comments-title">Review comments</h2>
      <CommentList
        comments={comments}
        labels={labels}
        onFrame={(frame) => player?.goTo(frame)}
        onResolve={(id) => void resolveComment(id)}
        onReopen={(id) => void reopenComment(id)}
        onApply={(comment) => {
          if (comment.suggestion !== null) editLabels(comment.suggestion);
        }}
      />
    </section>
  );
}
