import {
  COCO_BODY_TEMPLATE_ID,
  findTemplate,
  keyframeAt,
  LEFT_HAND_TEMPLATE_ID,
  poseAt,
  projectTemplates,
  RIGHT_HAND_TEMPLATE_ID,
  type PosePoint,
  type TrackKind,
} from '../../../../shared/domain/labels';
import { useAppStore } from '../../store/AppStoreContext';
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
  const isKeyframe = selected && frame !== null && keyframeAt(selected, frame) !== undefined;
  const add = (kind: TrackKind, templateId: string) => addTrack(kind, templateId);

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
          {labels.tracks.map((track) => (
            <li key={track.id}>
              <button
                type="button"
                aria-pressed={track.id === selection.trackId}
                onClick={() => select({ trackId: track.id, point: 0, contactId: null })}
              >
                <span className="swatch" style={{ background: track.color }} aria-hidden="true" />
                {track.label}{' '}
                <span className="muted">
                  ({track.keyframes.length} keyframe{track.keyframes.length === 1 ? '' : 's'})
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected && template && (
        <>
          <h3>
            {selected.label} at frame {frame ?? '–'}{' '}
            <span className="muted">
              {pose === undefined ? '(no pose here)' : isKeyframe ? '(keyframe)' : '(interpolated)'}
            </span>
          </h3>
          <ol className="point-list" aria-label={`Points of ${selected.label}`}>
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
