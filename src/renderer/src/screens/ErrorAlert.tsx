import { useAppStore } from '../store/AppStoreContext';

/** API errors, code and message, in a live region that exists before anything goes wrong. */
export function ErrorAlert() {
  const error = useAppStore((state) => state.error);
  const dismissError = useAppStore((state) => state.dismissError);
  return (
    <div role="alert" className={error ? 'error-alert' : 'error-alert error-alert-empty'}>
      {error && (
        <>
          <p>
            <strong>Error while {error.during}</strong> <code>{error.code}</code>
          </p>
          <p>{error.message}</p>
          <button type="button" onClick={dismissError}>
            Dismiss
          </button>
        </>
      )}
    </div>
  );
}
