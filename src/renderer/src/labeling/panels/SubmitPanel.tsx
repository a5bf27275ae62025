import { useMemo } from 'react';
import { percentText, proposalShare, statusName } from '../../../../shared/domain/labels';
import type { PlayerEngine } from '../../player/playerEngine';
import { useAppStore } from '../../store/AppStoreContext';

/** Submit for review; when something is missing, the list of what, each linked to its frame. */
export function SubmitPanel({ player }: { player: PlayerEngine | null }) {
  const labelSet = useAppStore((state) => state.labelSet);
  const result = useAppStore((state) => state.submitResult);
  const submit = useAppStore((state) => state.submitLabels);
  const select = useAppStore((state) => state.select);
  const labels = useAppStore((state) => state.labels);
  const limit = useAppStore(
    (state) => state.labelProject?.schema.preannotation?.maxUnacceptedShare ?? 0,
  );
  const share = useMemo(() => proposalShare(labels), [labels]);
  if (!labelSet) return null;
  const overLimit = share.decided > 0 && share.unaccepted / share.decided > limit;
  const editable = labelSet.status === 'in_progress' || labelSet.status === 'changes_requested';

  const goTo = (frame: number, recordId: string) => {
    player?.goTo(frame);
    if (labels.tracks.some((t) => t.id === recordId)) select({ trackId: recordId });
    else if (labels.segments.some((s) => s.id === recordId)) select({ segmentId: recordId });
  };

  return (
    <section className="panel submit-panel" aria-labelledby="submit-heading">
      <h2 id="submit-heading">Submit</h2>
      <p>
        Status: <strong aria-label="Annotation status">{statusName(labelSet.status)}</strong>
        {labelSet.revision > 0 && ` (revision ${labelSet.revision})`}
      </p>
      {editable && overLimit && (
        <p className="warning" aria-label="Unaccepted proposals before submit">
          {share.unaccepted} of {share.decided} points (
          {percentText(share.unaccepted / share.decided)}) are model proposals nobody accepted; this
          project allows {percentText(limit)}. Accept or correct them first (Pre-annotate: Next
          unaccepted, P).
        </p>
      )}
      <button type="button" disabled={!editable} onClick={() => void submit()}>
        Submit for review
      </button>
      {result && !result.submitted && (
        <div role="alert" aria-label="What is missing">
          <p>
            Not submitted: {result.problems.length} thing{result.problems.length === 1 ? '' : 's'}{' '}
            to fix first.
          </p>
          <ul className="problem-list">
            {result.problems.map((problem, index) => (
              <li key={`${problem.recordId}-${index}`}>
                {problem.message}{' '}
                {problem.frames.slice(0, 8).map((frame) => (
                  <button
                    key={frame}
                    type="button"
                    className="link-button"
                    onClick={() => goTo(frame, problem.recordId)}
                  >
                    Go to frame {frame}
                  </button>
                ))}
                {problem.frames.length > 8 && (
                  <span className="muted"> and {problem.frames.length - 8} more frames</span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result?.submitted && (
        <p role="status">Submitted for review. The labels are now read-only.</p>
      )}
    </section>
  );
}
