import { useMemo } from 'react';
import { proposalShare } from '../../../../shared/domain/labels';
import { type PoseModelName, blazePoseType } from '../../../../shared/domain/poseModelFiles';
import type { PlayerEngine } from '../../player/playerEngine';
import { useAppStore, useAppStoreApi } from '../../store/AppStoreContext';
import { projectScoreThreshold } from '../../store/preannotationSlice';
import { goToProposal } from '../proposalNavigation';

const MODELS: readonly { value: PoseModelName; label: string }[] = [
  { value: 'blazepose-full', label: 'BlazePose full (one person, 33 points)' },
  { value: 'blazepose-heavy', label: 'BlazePose heavy (one person, closer points, ~2× slower)' },
  { value: 'movenet-multipose', label: 'MoveNet MultiPose (up to 6 people)' },
];

function formatEta(seconds: number | null): string {
  if (seconds === null) return 'estimating…';
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s left`;
}

/**
 * Pose proposals from a model: which frames, which model, the score below which points come in as
 * "not labeled"; Run, progress with ETA, Cancel. Proposals land as ordinary (undoable) label edits
 * and stay marked as model output until accepted (A) or moved.
 */
export function PreannotationPanel({ player }: { player: PlayerEngine | null }) {
  const store = useAppStoreApi();
  const labels = useAppStore((state) => state.labels);
  const share = useMemo(() => proposalShare(labels), [labels]);
  const labelSet = useAppStore((state) => state.labelSet);
  const projectThreshold = useAppStore((state) => projectScoreThreshold(state.labelProject));
  const choices = useAppStore((state) => state.preannotationChoices);
  const progress = useAppStore((state) => state.preannotationProgress);
  const running = useAppStore((state) => state.preannotationRunning);
  const applied = useAppStore((state) => state.preannotationApplied);
  const kept = useAppStore((state) => state.preannotationKept);
  const frameCount = useAppStore((state) => state.frameTable?.frameTimes.length ?? 0);
  const setChoices = useAppStore((state) => state.setPreannotationChoices);
  const start = useAppStore((state) => state.startPreannotation);
  const cancel = useAppStore((state) => state.cancelPreannotation);
  const acceptProposals = useAppStore((state) => state.acceptProposals);
  if (!labelSet) return null;
  const editable = labelSet.status === 'in_progress' || labelSet.status === 'changes_requested';
  const last = Math.max(0, frameCount - 1);
  const number = (value: string, fallback: number) => {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : fallback;
  };

  return (
    <section className="panel preannotation-panel" aria-labelledby="preannotation-heading">
      <h2 id="preannotation-heading">Pre-annotate</h2>
      <label>
        Model{' '}
        <select
          aria-label="Pose model"
          value={choices.model}
          disabled={running}
          onChange={(e) => setChoices({ model: e.target.value as PoseModelName })}
        >
          {MODELS.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <fieldset disabled={running}>
        <legend>Frames</legend>
        <label>
          <input
            type="radio"
            name="preannotation-scope"
            checked={choices.scope === 'current'}
            onChange={() => setChoices({ scope: 'current' })}
          />{' '}
          This frame
        </label>
        <label>
          <input
            type="radio"
            name="preannotation-scope"
            checked={choices.scope === 'range'}
            onChange={() => setChoices({ scope: 'range', to: choices.to || last })}
          />{' '}
          Range
        </label>
        {choices.scope === 'range' && (
          <div className="preannotation-range">
            <label>
              from{' '}
              <input
                type="number"
                aria-label="Range start"
                min={0}
                max={last}
                value={choices.from}
                onChange={(e) => setChoices({ from: number(e.target.value, 0) })}
              />
            </label>{' '}
            <label>
              to{' '}
              <input
                type="number"
                aria-label="Range end"
                min={0}
                max={last}
                value={choices.to}
                onChange={(e) => setChoices({ to: number(e.target.value, last) })}
              />
            </label>{' '}
            <label>
              every{' '}
              <input
                type="number"
                aria-label="Take every N-th"
                min={1}
                value={choices.every}
                onChange={(e) => setChoices({ every: Math.max(1, number(e.target.value, 1)) })}
              />
            </label>
          </div>
        )}
      </fieldset>
      {/* Only BlazePose proposes hands: with another model the option is not offered at all. */}
      {blazePoseType(choices.model) !== null && (
        <label>
          <input
            type="checkbox"
            aria-label="Propose hands"
            checked={choices.hands}
            disabled={running}
            onChange={(e) => setChoices({ hands: e.target.checked })}
          />{' '}
          Hands too (21 points each)
        </label>
      )}
      <label>
        Not labeled below score{' '}
        <input
          type="number"
          aria-label="Score threshold"
          min={0}
          max={1}
          step={0.05}
          placeholder={String(projectThreshold)}
          value={choices.scoreThreshold ?? ''}
          disabled={running}
          onChange={(e) =>
            setChoices({
              // Emptied: back to the project's threshold.
              scoreThreshold:
                e.target.value.trim() === ''
                  ? null
                  : Math.min(1, Math.max(0, number(e.target.value, projectThreshold))),
            })
          }
        />
      </label>
      <p className="muted" aria-label="Project score threshold">
        {choices.scoreThreshold === null
          ? `The project’s threshold: ${projectThreshold} (set by the lead).`
          : `This run only; the project’s is ${projectThreshold}.`}
      </p>
      <div className="preannotation-actions">
        <button type="button" disabled={!editable || running} onClick={() => void start()}>
          Run
        </button>
        <button type="button" disabled={!running} onClick={() => void cancel()}>
          Cancel
        </button>
      </div>
      {progress && (
        <p role="status" aria-label="Pre-annotation progress">
          {progress.phase === 'loading' && 'Loading the model…'}
          {progress.phase === 'running' &&
            `${progress.done} of ${progress.total} frames, ${formatEta(progress.etaSeconds)}`}
          {progress.phase === 'done' && `Done: ${progress.done} frames proposed.`}
          {progress.phase === 'cancelled' &&
            `Cancelled after ${progress.done} of ${progress.total} frames.`}
          {progress.phase === 'failed' && `Failed: ${progress.error?.message ?? 'unknown error'}`}
          {kept > 0 && ` ${kept} frame${kept === 1 ? '' : 's'} you edited kept as they were.`}
        </p>
      )}
      {progress && progress.phase !== 'loading' && (
        <p className="muted">
          {applied} proposal{applied === 1 ? '' : 's'} added; dashed points are the model’s until
          you accept them (A) or move them.
        </p>
      )}
      <div className="button-row" role="group" aria-label="Accept proposals">
        <button
          type="button"
          disabled={!editable || running}
          aria-keyshortcuts="Shift+A"
          title="Every model point of the selected track, on every frame (Shift+A)"
          onClick={() => acceptProposals('track')}
        >
          Accept track
        </button>
        <button
          type="button"
          disabled={!editable || running}
          title="Every model point of every track on this frame"
          onClick={() => acceptProposals('frame')}
        >
          Accept frame
        </button>
        <button
          type="button"
          disabled={!editable || running || choices.scope !== 'range'}
          title="Every model point of every track over the range above"
          onClick={() => acceptProposals('range')}
        >
          Accept range
        </button>
      </div>
      <p aria-label="Unaccepted proposals">
        {share.unaccepted === 0
          ? 'No model proposal left to check.'
          : `${share.unaccepted} of ${share.decided} points are model proposals not yet accepted.`}
      </p>
      <div className="button-row" role="group" aria-label="Check proposals">
        <button
          type="button"
          disabled={share.unaccepted === 0}
          aria-keyshortcuts="P"
          title="The next model point nobody accepted, its track and point selected (P)"
          onClick={() => goToProposal('next', store.getState(), player)}
        >
          Next unaccepted <kbd>P</kbd>
        </button>
        <button
          type="button"
          disabled={share.unaccepted === 0}
          aria-keyshortcuts="Shift+P"
          title="The unaccepted model point with the lowest score, then the next lowest (Shift+P)"
          onClick={() => goToProposal('lowest', store.getState(), player)}
        >
          Lowest score <kbd>Shift+P</kbd>
        </button>
      </div>
    </section>
  );
}
