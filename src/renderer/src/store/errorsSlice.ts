import { isApiError } from '../../../shared/api/apiError';
import type { SliceCreator } from './appStore';

/** An error as the user sees it: what we were doing, the stable code, and what to do. */
export type ShownError = { during: string; code: string; message: string };

/** A failure already described for the user (an ApiError, or a player failure value). */
export type DescribedFailure = { code: string; message: string };

export type ErrorsSlice = {
  error: ShownError | null;
  /** Shows a described failure; anything else is a bug, shown as UNEXPECTED and logged. */
  reportError: (during: string, error: unknown) => void;
  dismissError: () => void;
};

export const createErrorsSlice: SliceCreator<ErrorsSlice> = () => (set) => ({
  error: null,
  reportError: (during, error) => {
    if (isDescribed(error)) {
      set({ error: { during, code: error.code, message: error.message } });
      return;
    }
    console.error(`Unexpected failure while ${during}`, error);
    set({
      error: {
        during,
        code: 'UNEXPECTED',
        message: error instanceof Error ? error.message : String(error),
      },
    });
  },
  dismissError: () => set({ error: null }),
});

function isDescribed(error: unknown): error is DescribedFailure {
  if (isApiError(error)) return true;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}
