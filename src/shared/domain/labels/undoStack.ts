import type { Command } from './commands';
import { applyCommand } from './commands';
import type { EditContext, LabelsDocument } from './labelsDocument';

/** One undo step: the command as done, and the command that undoes it. */
export type UndoEntry = { readonly command: Command; readonly inverse: Command };

/** Plain data, like the document: the labels slice holds it and replaces it on every change. */
export type UndoStack = {
  readonly past: readonly UndoEntry[];
  readonly future: readonly UndoEntry[];
  /** The most steps kept; the oldest fall off first. */
  readonly cap: number;
};

export const DEFAULT_UNDO_CAP = 500;

export function createUndoStack(cap: number = DEFAULT_UNDO_CAP): UndoStack {
  return { past: [], future: [], cap: Math.max(1, Math.floor(cap)) };
}

/**
 * Whether `next` continues the drag that `previous` began: both move the same point of the same
 * keyframe with the same gesture id (or both without one). The merged step keeps the first
 * command's inverse, so one undo puts the point back where the drag started.
 */
export function continuesDrag(previous: Command, next: Command): boolean {
  return (
    previous.type === 'setPoint' &&
    next.type === 'setPoint' &&
    previous.trackId === next.trackId &&
    previous.frame === next.frame &&
    previous.index === next.index &&
    previous.gesture === next.gesture
  );
}

/** Records a step that has been applied; any redo history is dropped, as editors do. */
export function recordStep(stack: UndoStack, entry: UndoEntry): UndoStack {
  const top = stack.past[stack.past.length - 1];
  if (top && continuesDrag(top.command, entry.command)) {
    return {
      ...stack,
      past: [...stack.past.slice(0, -1), { command: entry.command, inverse: top.inverse }],
      future: [],
    };
  }
  const past = [...stack.past, entry];
  return {
    ...stack,
    past: past.length > stack.cap ? past.slice(past.length - stack.cap) : past,
    future: [],
  };
}

export type StepResult =
  | {
      ok: true;
      doc: LabelsDocument;
      stack: UndoStack;
      /** The command that changed the document: what the store persists. */
      applied: Command;
    }
  | { ok: false; message: string };

/** Applies a user's command and records it; the one path by which an edit happens. */
export function execute(
  doc: LabelsDocument,
  stack: UndoStack,
  command: Command,
  context: EditContext,
): StepResult {
  const result = applyCommand(doc, command, context);
  if (!result.ok) return { ok: false, message: result.error.message };
  return {
    ok: true,
    doc: result.doc,
    stack: recordStep(stack, { command, inverse: result.inverse }),
    applied: command,
  };
}

export function canUndo(stack: UndoStack): boolean {
  return stack.past.length > 0;
}

export function canRedo(stack: UndoStack): boolean {
  return stack.future.length > 0;
}

/**
 * Undoes the last step. If its inverse no longer applies (the document changed underneath, e.g. a
 * pull replaced it), the stack is left as it was and the reason returned.
 */
export function undo(doc: LabelsDocument, stack: UndoStack, context: EditContext): StepResult {
  const entry = stack.past[stack.past.length - 1];
  if (!entry) return { ok: false, message: 'Nothing to undo.' };
  const result = applyCommand(doc, entry.inverse, context);
  if (!result.ok) return { ok: false, message: `Cannot undo: ${result.error.message}` };
  return {
    ok: true,
    doc: result.doc,
    stack: { ...stack, past: stack.past.slice(0, -1), future: [...stack.future, entry] },
    applied: entry.inverse,
  };
}

export function redo(doc: LabelsDocument, stack: UndoStack, context: EditContext): StepResult {
  const entry = stack.future[stack.future.length - 1];
  if (!entry) return { ok: false, message: 'Nothing to redo.' };
  const result = applyCommand(doc, entry.command, context);
  if (!result.ok) return { ok: false, message: `Cannot redo: ${result.error.message}` };
  return {
    ok: true,
    doc: result.doc,
    stack: {
      ...stack,
      past: [...stack.past, { command: entry.command, inverse: result.inverse }],
      future: stack.future.slice(0, -1),
    },
    applied: entry.command,
  };
}
