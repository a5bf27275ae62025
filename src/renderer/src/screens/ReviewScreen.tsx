import { useState, type SubmitEvent } from 'react';
import type {
  OpenedReview,
  RefusedVerdict,
  ReviewAgainResult,
  ReviewQueueItem,
} from '../../../shared/api/reviewSchemas';
import { trackDisplayName } from '../../../shared/domain/labels';
import {
  adjacentComment,
  describePin,
  pinFrame,
  type CommentPin,
} from '../../../shared/domain/review';
import { CommentList } from '../labeling/panels/CommentsPanel';
import { useAppStore } from '../store/AppStoreContext';
import type { LabelSelection } from '../store/labelsSlice';

/** The reviewer's queue, and one set under review: comments, verdict, changes since last time. */
export function ReviewScreen() {
  const opened = useAppStore((state) => state.openedReview);
  const showBatches = useAppStore((state) => state.showBatches);
  const closeReview = useAppStore((state) => state.closeReview);
  return (
    <section className="screen" aria-labelledby="review-title">
      <nav className="screen-nav">
        {opened === null ? (
          <button type="button" onClick={showBatches}>
            Back to batches
          </button>
        ) : (
          <button type="button" onClick={closeReview}>
            Back to the review queue
          </button>
        )}
      </nav>
      <h1 id="review-title">{opened === null ? 'Review queue' : 'Review'}</h1>
      {opened === null && <ReviewAgainNote />}
      {opened === null ? <ReviewQueue /> : <ReviewDetail review={opened} />}
    </section>
  );
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function verdictName(verdict: RefusedVerdict['verdict']): string {
  return verdict === 'accept' ? 'accept' : 'request changes';
}

/**
 * A verdict the server refused for good (the set changed meanwhile, or is no longer yours), with
 * its reason; "Review again" pulls the current revision and carries the comments that still fit.
 */
function RefusedNotice({ setId, refused }: { setId: string; refused: RefusedVerdict }) {
  const reviewAgain = useAppStore((state) => state.reviewAgain);
  const busy = useAppStore((state) => state.syncBusy);
  return (
    <section role="alert" aria-labelledby="refused-title" className="error-alert">
      <h2 id="refused-title">The server refused your verdict</h2>
      <p>
        Your {verdictName(refused.verdict)} on revision {refused.revision} (given{' '}
        {new Date(refused.givenAt).toLocaleString()}) was refused: <strong>{refused.code}</strong>
        {refused.message === '' ? '' : ` — ${refused.message}`}
      </p>
      <p className="muted">
        Review again loads what the server holds now, shows what changed since the revision you
        reviewed, and keeps your comments where they still apply.
      </p>
      <button type="button" disabled={busy} onClick={() => void reviewAgain(setId)}>
        Review again
      </button>
    </section>
  );
}

/** What the last "Review again" did with the refused verdict's comments. */
function ReviewAgainNote({ setId }: { setId?: string }) {
  const result: ReviewAgainResult | null = useAppStore((state) => state.reviewAgainResult);
  if (result === null || (setId !== undefined && result.setId !== setId)) return null;
  return (
    <section role="status" aria-labelledby="review-again-title">
      <h2 id="review-again-title">
        {result.outcome === 'reopened'
          ? `Reviewing again: revision ${result.revision ?? ''} (your refused verdict was on revision ${result.refusedRevision})`
          : 'Refusal closed: the set is no longer in your review queue'}
      </h2>
      {result.carried.length > 0 && (
        <p>
          {result.carried.length} of your comment{result.carried.length === 1 ? '' : 's'} carried
          over; {result.carried.length === 1 ? 'it goes' : 'they go'} with your new verdict.
        </p>
      )}
      {result.notCarried.length > 0 && (
        <>
          <p>Not carried over (kept in the audit log):</p>
          <ul aria-label="Comments not carried over">
            {result.notCarried.map(({ comment, why }) => (
              <li key={comment.id}>
                “{comment.text}” — {why}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function ReviewQueue() {
  const queue = useAppStore((state) => state.reviewQueue);
  const loading = useAppStore((state) => state.reviewQueueLoading);
  const openReview = useAppStore((state) => state.openReview);
  if (loading && queue.length === 0) return <p>Loading the review queue…</p>;
  if (queue.length === 0) {
    return (
      <p>
        Nothing to review. Sync pulls the queue from the server when you are signed in as a
        reviewer; it stays here for offline review.
      </p>
    );
  }
  return (
    <table className="data-table" aria-label="Review queue">
      <thead>
        <tr>
          <th scope="col">Clip</th>
          <th scope="col">Annotator</th>
          <th scope="col">Batch</th>
          <th scope="col">Submitted</th>
          <th scope="col">Pre-annotated</th>
          <th scope="col">Open comments</th>
          <th scope="col">Verdict</th>
        </tr>
      </thead>
      <tbody>
        {queue.map((item: ReviewQueueItem) => (
          <tr key={item.setId}>
            <td>
              <button type="button" onClick={() => void openReview(item.setId)}>
                {item.fileName ?? `Clip ${item.clipRef.slice(0, 12)}… (not on this machine)`} (rev.{' '}
                {item.revision})
              </button>
            </td>
            <td>{item.annotator}</td>
            <td>{item.batch ?? '—'}</td>
            <td>{new Date(item.submittedAt).toLocaleString()}</td>
            <td>{percent(item.modelShare)}</td>
            <td>{item.openComments}</td>
            <td>
              {item.refused !== null ? (
                <span className="sync-error" title={item.refused.message}>
                  {verdictName(item.refused.verdict)} refused ({item.refused.code})
                </span>
              ) : item.verdict === null ? (
                '—'
              ) : (
                verdictName(item.verdict)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReviewDetail({ review }: { review: OpenedReview }) {
  // Without the player, the reviewer moves between pinned frames with this number.
  const [frame, setFrame] = useState(0);
  const showReviewClip = useAppStore((state) => state.showReviewClip);
  const clipId = review.item.clipId;
  return (
    <div className="review-layout">
      {clipId === null ? (
        <p className="muted">
          The clip is not imported on this workstation; import its batch to see the labels on the
          player.
        </p>
      ) : (
        <button type="button" onClick={() => showReviewClip('', clipId, review.item.setId)}>
          Review on the player
        </button>
      )}
      <label>
        Frame{' '}
        <input
          type="number"
          min={0}
          value={frame}
          onChange={(event) => setFrame(Math.max(0, Number(event.target.value) || 0))}
          aria-label="Current frame"
        />
      </label>
      <ReviewPanels review={review} frame={frame} onFrame={setFrame} />
    </div>
  );
}

/**
 * What a reviewer works with beside the labels: facts, changes since their last verdict,
 * comments (add one pinned to the frame or the selection), and the verdict.
 */
export function ReviewPanels({
  review,
  frame,
  onFrame,
  selection,
}: {
  review: OpenedReview;
  frame: number;
  onFrame: (frame: number) => void;
  selection?: LabelSelection;
}) {
  const jump = (direction: 1 | -1) => {
    const next = adjacentComment(review.comments, review.labels, frame, direction);
    const at = next === undefined ? undefined : pinFrame(next.pin, review.labels);
    if (at !== undefined) onFrame(at);
  };
  const refused = review.item.refused;
  return (
    <div className="review-panels">
      {refused !== null && <RefusedNotice setId={review.item.setId} refused={refused} />}
      <ReviewAgainNote setId={review.item.setId} />
      <dl className="clip-facts">
        <dt>Annotator</dt>
        <dd>{review.item.annotator}</dd>
        <dt>Revision</dt>
        <dd>{review.item.revision}</dd>
        <dt>Pre-annotated points</dt>
        <dd>{percent(review.item.modelShare)}</dd>
        <dt>Labels (read-only)</dt>
        <dd>
          {review.labels.tracks.length} tracks, {review.labels.segments.length} segments,{' '}
          {review.labels.contacts.length} contact labels
        </dd>
      </dl>
      <ChangesSince review={review} onFrame={onFrame} />
      <section aria-labelledby="review-comments-title">
        <h2 id="review-comments-title">Comments</h2>
        <div className="button-row">
          <button type="button" onClick={() => jump(-1)} title="Shift+J on the player">
            Previous comment
          </button>
          <button type="button" onClick={() => jump(1)} title="J on the player">
            Next comment
          </button>
        </div>
        <CommentList comments={review.comments} labels={review.labels} onFrame={onFrame} />
        {review.item.verdict === null && refused === null && (
          <AddComment review={review} frame={frame} selection={selection} />
        )}
      </section>
      {refused === null && <VerdictPanel review={review} />}
    </div>
  );
}

function ChangesSince({ review, onFrame }: { review: OpenedReview; onFrame: (f: number) => void }) {
  if (review.changesSince === null) return null;
  const entries = review.changesSince.entries;
  return (
    <section aria-labelledby="changes-title">
      <h2 id="changes-title">
        Changes since your review of revision {review.changesSince.revision}
      </h2>
      {entries.length === 0 ? (
        <p>Nothing changed.</p>
      ) : (
        <ul>
          {entries.map((e) => (
            <li key={`${e.what}-${e.id}-${e.kind}`}>
              {e.kind} {e.what}: {e.summary}{' '}
              {e.frame !== null && (
                <button type="button" onClick={() => onFrame(e.frame ?? 0)}>
                  Frame {e.frame}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type PinKind = CommentPin['kind'];

function AddComment({
  review,
  frame,
  selection,
}: {
  review: OpenedReview;
  frame: number;
  selection: LabelSelection | undefined;
}) {
  const addReviewComment = useAppStore((state) => state.addReviewComment);
  const suggestion = useAppStore((state) => state.suggestionDraft);
  const proposeSuggestion = useAppStore((state) => state.proposeSuggestion);
  const [kind, setKind] = useState<PinKind>('frame');
  const [target, setTarget] = useState('');
  const [pointIndex, setPointIndex] = useState<number | null>(null);
  const [text, setText] = useState('');
  // The selection on the overlay or timeline is the default target, else the first record.
  const firstOf = (k: PinKind): string =>
    k === 'point'
      ? (selection?.trackId ?? review.labels.tracks[0]?.id ?? '')
      : k === 'segment'
        ? (selection?.segmentId ?? review.labels.segments[0]?.id ?? '')
        : k === 'contact'
          ? (selection?.contactId ?? review.labels.contacts[0]?.id ?? '')
          : '';
  const index = pointIndex ?? selection?.point ?? 0;
  const chosen = target === '' ? firstOf(kind) : target;
  const pin = (): CommentPin => {
    switch (kind) {
      case 'frame':
        return { kind, frame };
      case 'point':
        return { kind, frame, trackId: chosen, index };
      case 'segment':
        return { kind, segmentId: chosen };
      case 'contact':
        return { kind, contactId: chosen };
    }
  };
  const onSubmit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = {
      setId: review.item.setId,
      pin: pin(),
      text,
      ...(suggestion === null ? {} : { suggestion }),
    };
    // Clears only what was sent: the reviewer may already be typing the next comment.
    if (await addReviewComment(input))
      setText((current) => (current === input.text ? '' : current));
  };
  const options =
    kind === 'point'
      ? review.labels.tracks.map((t) => ({
          id: t.id,
          label: trackDisplayName(t, review.labels.tracks),
        }))
      : kind === 'segment'
        ? review.labels.segments.map((s) => ({
            id: s.id,
            label: describePin({ kind: 'segment', segmentId: s.id }, review.labels),
          }))
        : kind === 'contact'
          ? review.labels.contacts.map((c) => ({
              id: c.id,
              label: describePin({ kind: 'contact', contactId: c.id }, review.labels),
            }))
          : [];
  return (
    <form onSubmit={(event) => void onSubmit(event)} aria-label="Add a comment">
      <label>
        Pin to{' '}
        <select
          value={kind}
          onChange={(event) => {
            setKind(event.target.value as PinKind);
            setTarget('');
          }}
        >
          <option value="frame">this frame ({frame})</option>
          <option value="point">a point on this frame</option>
          <option value="segment">a segment</option>
          <option value="contact">a contact label</option>
        </select>
      </label>
      {kind !== 'frame' && (
        <label>
          {kind === 'point' ? 'Track' : kind === 'segment' ? 'Segment' : 'Contact'}{' '}
          <select value={chosen} onChange={(event) => setTarget(event.target.value)}>
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {kind === 'point' && (
        <label>
          Point{' '}
          <input
            type="number"
            min={0}
            value={index}
            onChange={(event) => setPointIndex(Math.max(0, Number(event.target.value) || 0))}
          />
        </label>
      )}
      <label>
        Comment <textarea value={text} onChange={(event) => setText(event.target.value)} required />
      </label>
      {suggestion !== null && (
        <p role="status">
          Your edit on the overlay ({suggestion.type}) goes with this comment as a suggestion.{' '}
          <button type="button" onClick={() => proposeSuggestion(null)}>
            Discard suggestion
          </button>
        </p>
      )}
      <button type="submit" disabled={text.trim() === '' || (kind !== 'frame' && chosen === '')}>
        Add comment
      </button>
    </form>
  );
}

function VerdictPanel({ review }: { review: OpenedReview }) {
  const submitReview = useAppStore((state) => state.submitReview);
  const [reason, setReason] = useState('');
  if (review.item.verdict !== null) {
    return (
      <p role="status">
        Verdict given: {review.item.verdict.replace('_', ' ')}. It is sent with your comments at the
        next sync.
      </p>
    );
  }
  return (
    <section aria-labelledby="verdict-title">
      <h2 id="verdict-title">Verdict</h2>
      <button type="button" onClick={() => void submitReview(review.item.setId, 'accept', '')}>
        Accept
      </button>
      <label>
        Reason for changes{' '}
        <input
          type="text"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          aria-label="Reason for changes"
        />
      </label>
      <button
        type="button"
        disabled={reason.trim() === ''}
        title={reason.trim() === '' ? 'Give a reason first' : undefined}
        onClick={() => void submitReview(review.item.setId, 'request_changes', reason)}
      >
        Request changes
      </button>
    </section>
  );
}
