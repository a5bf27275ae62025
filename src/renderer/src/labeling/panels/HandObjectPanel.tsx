import { CONTACT_STATES, contactAt } from '../../../../shared/domain/labels';
import { useAppStore } from '../../store/AppStoreContext';
import { useSettledFrame } from './useSettledFrame';

/** Hand-object contact (100DOH): pick the hand, its state from this frame on, the object box and class. */
export function HandObjectPanel() {
  const tracks = useAppStore((state) => state.labels.tracks);
  const contacts = useAppStore((state) => state.labels.contacts);
  const project = useAppStore((state) => state.labelProject);
  const trackId = useAppStore((state) => state.selection.trackId);
  const select = useAppStore((state) => state.select);
  const setContactState = useAppStore((state) => state.setContactState);
  const objectClassId = useAppStore((state) => state.objectClassId);
  const setObjectClass = useAppStore((state) => state.setObjectClass);
  const draft = useAppStore((state) => state.contactDraft);
  const frame = useSettledFrame();
  const hands = tracks.filter((t) => t.kind !== 'person');
  if (!project) return null;
  const hand = hands.find((t) => t.id === trackId);
  const current = hand && frame !== null ? contactAt(contacts, hand.id, frame) : undefined;

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
                  {t.label}
                </option>
              ))}
            </select>
          </label>
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
                    current.object
                      ? `, ${project.schema.objectClasses.find((c) => c.id === current.object?.classId)?.name ?? 'object'} box ${Math.round(current.object.box.w)}×${Math.round(current.object.box.h)}`
                      : ''
                  }`
                : hand
                  ? 'No contact label on this frame.'
                  : 'Choose a hand.'}
          </p>
        </>
      )}
    </section>
  );
}
