import { useState, type SyntheticEvent } from 'react';
import {
  COCO_BODY_TEMPLATE_ID,
  deleteKeyframeAt,
  findTemplate,
  keyframeAt,
  LEFT_HAND_TEMPLATE_ID,
  markAbsent,
  poseAt,
  projectTemplates,
  RIGHT_HAND_TEMPLATE_ID,
  splitTrackAt,
  trackDisplayName,
  type PosePoint,
  type Track,
  type TrackKind,
} from '../../../../shared/domain/labels';
import { useAppStore } from '../../store/AppStoreContext';
import { nextTrackColor } from '../../store/labelsSlice';
import { sideColor, sideOf } from '../overlay/sideColors';
import { useSettledFrame } from './useSettledFrame';

/** "visible at 120.5, 88.0": video pixels to a tenth, as the exports round coordinates near it. */
function describePoint(point: PosePoint | null): string {
  if (point === null) return 'undecided';
  if (point.visibility === 'unlabeled') return 'not labeled';
  const where = `at ${point.x.toFixed(1)}, ${point.y.toFixed(1)}`;
  const source =
    point.source === 'interpolated' ? ', interpolated' : point.source === 'model' ? ', model' : '';
  return `${point.visibility}${source} ${where}`;
}

/** The tracks of the clip, buttons to add one, and the selected track's points on this frame. */
export function TrackPanel() {
  const labels = useAppStore((state) => state.labels);
  const project = useAppStore((state) => state.labelProject);
  const selection = useAppStore((state) => state.selection);
  const select = useAppStore((state) => state.select);
  const addTrack = useAppStore((state) => state.addTrack);
  const editable = useAppStore(
    (state) =>
      state.labelSet?.status === 'in_progress' || state.labelSet?.status === 'changes_requested',
  );
  const frame = useSettledFrame();
  if (!project) return null;
  const templates = projectTemplates(project.schema);
  const selected = labels.tracks.find((t) => t.id === selection.trackId);
  const template = selected && findTemplate(templates, selected.templateId);
  const pose = selected && frame !== null ? poseAt(selected, frame) : undefined;
  const isKeyframe = pose?.isKeyframe === true;
  const add = (kind: TrackKind, templateId: string) => addTrack(kind, templateId);
  const selectedName = selected && trackDisplayName(selected, labels.tracks);

  return (
    <section className="panel track-panel" aria-labelledby="tracks-heading">
      <h2 id="tracks-heading">Tracks</h2>
      <div className="button-row" role="group" aria-label="Add a track">
        <button
          type="button"
          disabled={!editable}
          onClick={() => add('person', COCO_BODY_TEMPLATE_ID)}
        >
          Add person
        </button>
        <button
          type="button"
          disabled={!editable}
          onClick={() => add('left_hand', LEFT_HAND_TEMPLATE_ID)}
        >
          Add left hand
        </button>
        <button
          type="button"
          disabled={!editable}
          onClick={() => add('right_hand', RIGHT_HAND_TEMPLATE_ID)}
        >
          Add right hand
        </button>
      </div>
      {labels.tracks.length === 0 ? (
        <p className="muted">No tracks yet: add a person or a hand to start placing points.</p>
      ) : (
        <ul className="track-list" aria-label="Tracks">
          {labels.tracks.map((track) => {
            const here = frame === null ? undefined : poseAt(track, frame);
            return (
              <li key={track.id}>
                <button
                  type="button"
                  aria-pressed={track.id === selection.trackId}
                  onClick={() => select({ trackId: track.id, point: 0, contactId: null })}
                >
                  <span className="swatch" style={{ background: track.color }} aria-hidden="true" />
                  {trackDisplayName(track, labels.tracks)}{' '}
                  <span className="muted">
                    ({track.keyframes.filter((k) => k.absent !== true).length} keyframe
                    {track.keyframes.filter((k) => k.absent !== true).length === 1 ? '' : 's'}
                    {here === undefined && track.keyframes.length > 0 ? ', not in this frame' : ''})
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {selected && template && selectedName !== undefined && (
        <>
          {editable && <TrackActions key={selected.id} track={selected} frame={frame} />}
          <h3>
            {selectedName} at frame {frame ?? '–'}{' '}
            <span className="muted">
              {pose === undefined
                ? '(not in the picture here)'
                : isKeyframe
                  ? '(keyframe)'
                  : '(interpolated)'}
            </span>
          </h3>
          {template.keypoints.some((name) => sideOf(name) !== 'middle') && (
            <p className="side-legend" aria-label="Side colours">
              <span
                className="swatch"
                style={{ background: sideColor(selected.color, 'left') }}
                aria-hidden="true"
              />
              left side{' '}
              <span
                className="swatch"
                style={{ background: sideColor(selected.color, 'right') }}
                aria-hidden="true"
              />
              right side <span className="muted">(the person’s own left and right)</span>
            </p>
          )}
          <ol className="point-list" aria-label={`Points of ${selectedName}`}>
            {template.keypoints.map((name, index) => {
              const point = pose?.points[index] ?? null;
              return (
                <li key={name}>
                  <button
                    type="button"
                    aria-pressed={selection.point === index}
                    data-state={point === null ? 'undecided' : point.visibility}
                    onClick={() => select({ point: index })}
                  >
                    {name}: <span className="muted">{describePoint(point)}</span>
                  </button>
                </li>
              );
            })}
          </ol>
        </>
      )}
    </section>
  );
}

/**
 * What can be done to the selected track: rename, delete, and at this frame delete its keyframe,
 * say it left the picture, split it; merge another track of its kind into it. Every one is one
 * undoable edit; a refusal says why in the labeling notice.
 */
function TrackActions({ track, frame }: { track: Track; frame: number | null }) {
  const labels = useAppStore((state) => state.labels);
  const renameTrack = useAppStore((state) => state.renameTrack);
  const removeTrack = useAppStore((state) => state.removeTrack);
  const mergeTracks = useAppStore((state) => state.mergeTracks);
  const labelAction = useAppStore((state) => state.labelAction);
  const [renaming, setRenaming] = useState(false);
  const [mergeWith, setMergeWith] = useState('');
  const name = trackDisplayName(track, labels.tracks);
  const others = labels.tracks.filter(
    (t) => t.id !== track.id && t.templateId === track.templateId,
  );
  const keyframe = frame === null ? undefined : keyframeAt(track, frame);
  const here = frame === null ? undefined : poseAt(track, frame);

  const rename = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = new FormData(event.currentTarget).get('track-name');
    if (typeof input === 'string' && renameTrack(track.id, input)) setRenaming(false);
  };

  return (
    <div className="track-actions">
      {renaming ? (
        <form className="track-rename" onSubmit={rename} aria-label={`Rename ${name}`}>
          <label>
            Name{' '}
            <input
              name="track-name"
              defaultValue={name}
              maxLength={80}
              // The field is why the form opened (the user's own click): typing goes into it.
              autoFocus
              onKeyDown={(event) => {
                if (event.key === 'Escape') setRenaming(false);
              }}
            />
          </label>{' '}
          <button type="submit">Save name</button>{' '}
          <button type="button" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="button-row" role="group" aria-label={`${name}: track`}>
          <button type="button" onClick={() => setRenaming(true)}>
            Rename
          </button>
          <button type="button" onClick={() => removeTrack(track.id)}>
            Delete track
          </button>
        </div>
      )}
      {frame !== null && (
        <div className="button-row" role="group" aria-label={`${name} at frame ${frame}`}>
          <button
            type="button"
            disabled={keyframe === undefined}
            aria-keyshortcuts="Shift+K"
            title="Delete this keyframe (Shift+K)"
            onClick={() =>
              labelAction((where) => deleteKeyframeAt(where.doc, track.id, where.frame))
            }
          >
            Delete keyframe
          </button>
          <button
            type="button"
            disabled={here === undefined}
            aria-keyshortcuts="X"
            title="The track leaves the picture on this frame, until its next keyframe (X)"
            onClick={() => labelAction((where) => markAbsent(where.doc, track.id, where.frame))}
          >
            Out of picture from here
          </button>
          <button
            type="button"
            disabled={track.keyframes.length < 2}
            title="Frames from this one on become a new track"
            onClick={() =>
              labelAction((where) =>
                splitTrackAt(where.doc, track.id, where.frame, {
                  id: crypto.randomUUID(),
                  color: nextTrackColor(where.doc.tracks),
                }),
              )
            }
          >
            Split here
          </button>
        </div>
      )}
      {others.length > 0 && (
        <div className="track-merge">
          <label>
            Merge into {name}:{' '}
            <select value={mergeWith} onChange={(event) => setMergeWith(event.target.value)}>
              <option value="">choose a track…</option>
              {others.map((other) => (
                <option key={other.id} value={other.id}>
                  {trackDisplayName(other, labels.tracks)}
                </option>
              ))}
            </select>
          </label>{' '}
          <button
            type="button"
            disabled={mergeWith === ''}
            onClick={() => {
              mergeTracks(track.id, mergeWith);
              setMergeWith('');
            }}
          >
            Merge
          </button>
        </div>
      )}
    </div>
  );
}
