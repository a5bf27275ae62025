import {
  boxAt,
  boxKeyframeAt,
  boxTracksOf,
  CONTACT_STATES,
  contactAt,
  handBoxTrackOf,
  objectBoxAt,
  removeContactAt,
  trackDisplayName,
  type HandLink,
} from '../../../../shared/domain/labels';
import { useAppStore } from '../../store/AppStoreContext';
import { useSettledFrame } from './useSettledFrame';

const CAMERA_WEARER = 'camera_wearer';

function linkValue(link: HandLink | undefined): string {
  if (link === undefined) return '';
  return link.kind === 'camera_wearer' ? CAMERA_WEARER : `person:${link.trackId}`;
}

function linkFromValue(value: string): HandLink | null {
  if (value === '') return null;
  if (value === CAMERA_WEARER) return { kind: 'camera_wearer' };
  return { kind: 'person', trackId: value.slice('person:'.length) };
}

/**
 * Hand-object contact (100DOH): pick the hand and whose it is, its state from this frame on and
 * where that state ends, the hand's box and the object's box (both keyframed on the video).
 */
export function HandObjectPanel() {
  const labels = useAppStore((state) => state.labels);
  const project = useAppStore((state) => state.labelProject);
  const trackId = useAppStore((state) => state.selection.trackId);
  const select = useAppStore((state) => state.select);
  const setContactState = useAppStore((state) => state.setContactState);
  const endContact = useAppStore((state) => state.endContact);
  const linkHand = useAppStore((state) => state.linkHand);
  const setOverlayTool = useAppStore((state) => state.setOverlayTool);
  const overlayTool = useAppStore((state) => state.overlayTool);
  const objectClassId = useAppStore((state) => state.objectClassId);
  const setObjectClass = useAppStore((state) => state.setObjectClass);
  const draft = useAppStore((state) => state.contactDraft);
  const editLabels = useAppStore((state) => state.editLabels);
  const labelAction = useAppStore((state) => state.labelAction);
  const frame = useSettledFrame();
  const { tracks, contacts } = labels;
  const hands = tracks.filter((t) => t.kind !== 'person');
  const people = tracks.filter((t) => t.kind === 'person');
  if (!project) return null;
  const hand = hands.find((t) => t.id === trackId);
  const current = hand && frame !== null ? contactAt(contacts, hand.id, frame) : undefined;
  const handBox = hand ? handBoxTrackOf(boxTracksOf(labels), hand.id) : undefined;
  const handBoxNow = handBox && frame !== null ? boxAt(handBox, frame) : undefined;
  const handBoxKey = handBox && frame !== null ? boxKeyframeAt(handBox, frame) : undefined;
  const objectNow = current && frame !== null ? objectBoxAt(labels, current, frame) : undefined;
  const className = current?.object
    ? (project.schema.objectClasses.find((c) => c.id === current.object?.classId)?.name ?? 'object')
    : undefined;

  return (
    <section className="panel hand-object-panel" aria-labelledby="contact-heading">
      <h2 id="contact-heading">Hand-object contact</h2>
      {hands.length === 0 ? (
        <p className="muted">Add a left or right hand track to label its contact.</p>
      ) : (
        <>
          <label>
            Hand{' '}
            <select
              value={hand?.id ?? ''}
              onChange={(event) => select({ trackId: event.target.value, point: 0 })}
            >
              <option value="" disabled>
                Choose a hand
              </option>
              {hands.map((t) => (
                <option key={t.id} value={t.id}>
                  {trackDisplayName(t, tracks)}
                </option>
              ))}
            </select>
          </label>
          {hand && (
            <label>
              Belongs to{' '}
              <select
                value={linkValue(hand.link)}
                onChange={(event) => linkHand(hand.id, linkFromValue(event.target.value))}
              >
                <option value="">Not linked yet</option>
                <option value={CAMERA_WEARER}>Camera wearer (own hands)</option>
                {people.map((p) => (
                  <option key={p.id} value={`person:${p.id}`}>
                    {trackDisplayName(p, tracks)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <div className="button-row" role="group" aria-label="Contact state from this frame on">
            {CONTACT_STATES.map((state) => (
              <button
                key={state.code}
                type="button"
                disabled={!hand}
                aria-pressed={current?.state === state.code}
                aria-keyshortcuts={String(state.code)}
                onClick={() => setContactState(state.code)}
              >
                {state.code} {state.name}
              </button>
            ))}
            <button
              type="button"
              disabled={!hand}
              aria-keyshortcuts="C"
              title="The contact ends on this frame (C); on a later frame, it moves the end there"
              onClick={endContact}
            >
              End here (C)
            </button>
            <button
              type="button"
              disabled={!current}
              onClick={() => {
                if (hand) labelAction(({ doc, frame: at }) => removeContactAt(doc, hand.id, at));
              }}
            >
              Delete contact
            </button>
          </div>
          <label>
            Object class{' '}
            <select
              value={objectClassId ?? ''}
              onChange={(event) => setObjectClass(Number(event.target.value))}
            >
              {project.schema.objectClasses.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <p aria-label="Contact on this frame">
            {draft
              ? `Draw the object's box on the video for state ${draft.state} (Escape cancels).`
              : current
                ? `Frames ${current.startFrame}–${current.endFrame}: state ${current.state}${
                    className !== undefined
                      ? objectNow
                        ? `, ${className} box ${Math.round(objectNow.box.w)}×${Math.round(objectNow.box.h)}${objectNow.isKeyframe ? '' : ' (interpolated)'}`
                        : `, ${className} (no box on this frame)`
                      : ''
                  }`
                : hand
                  ? 'No contact label on this frame.'
                  : 'Choose a hand.'}
          </p>
          {hand && (
            <div className="hand-box-row">
              <p aria-label="Hand box on this frame">
                {handBoxNow
                  ? `Hand box ${Math.round(handBoxNow.box.w)}×${Math.round(handBoxNow.box.h)}${handBoxNow.isKeyframe ? ', keyframe' : ', interpolated'}`
                  : handBox
                    ? 'Hand box: not in the picture on this frame.'
                    : 'No hand box yet.'}
              </p>
              <div className="button-row" role="group" aria-label="Hand box">
                <button
                  type="button"
                  aria-pressed={overlayTool === 'box'}
                  title="Drag on the video to box the hand on this frame; boxes between keyframes are interpolated (B)"
                  onClick={() => {
                    select({ trackId: hand.id, boxId: handBox?.id ?? null });
                    setOverlayTool(overlayTool === 'box' ? 'keypoint' : 'box');
                  }}
                >
                  {overlayTool === 'box' ? 'Box tool on (B)' : 'Draw boxes (B)'}
                </button>
                <button
                  type="button"
                  disabled={!handBoxNow || frame === null}
                  title="The hand leaves the picture on this frame (until its next box keyframe)"
                  onClick={() => {
                    if (handBox && frame !== null) {
                      editLabels({
                        type: 'setBoxKeyframe',
                        trackId: handBox.id,
                        keyframe: { frame, absent: true },
                      });
                    }
                  }}
                >
                  Out of picture
                </button>
                <button
                  type="button"
                  disabled={!handBoxKey || frame === null}
                  onClick={() => {
                    if (handBox && frame !== null) {
                      editLabels({ type: 'deleteBoxKeyframe', trackId: handBox.id, frame });
                    }
                  }}
                >
                  Delete box keyframe
                </button>
                <button
                  type="button"
                  disabled={!handBox}
                  onClick={() => {
                    if (handBox) editLabels({ type: 'removeBoxTrack', trackId: handBox.id });
                  }}
                >
                  Delete hand box
                </button>
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}
