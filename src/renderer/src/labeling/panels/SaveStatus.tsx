import { useAppStore } from '../../store/AppStoreContext';

/** Says whether every edit on screen is on disk; an edit is called saved only once it is. */
export function SaveStatus() {
  const { pending, retrying, failed } = useAppStore((state) => state.saveIndicator);
  const labelSet = useAppStore((state) => state.labelSet);
  if (!labelSet) return null;
  if (failed) {
    return (
      <p className="save-status save-failed" role="alert">
        {failed}
      </p>
    );
  }
  let text = 'All changes saved';
  if (retrying) text = `Not saved yet (${pending} pending): ${retrying} Retrying…`;
  else if (pending > 0) text = `Saving ${pending} edit${pending === 1 ? '' : 's'}…`;
  return (
    <p
      className={`save-status${retrying ? ' save-retrying' : ''}`}
      role="status"
      aria-label="Save status"
      data-pending={pending}
    >
      {text}
    </p>
  );
}

/** The last thing that could not be done, or a hint for the next step. */
export function LabelNotice() {
  const notice = useAppStore((state) => state.labelNotice);
  return (
    <p className="label-notice" role="status" aria-label="Labeling notice">
      {notice ?? ''}
    </p>
  );
}
