import { describe, expect, it } from 'vitest';
import type { Command } from './commands';
import { EMPTY_LABELS, type EditContext, type LabelsDocument } from './labelsDocument';
import type { Track } from './tracks';
import {
  canRedo,
  canUndo,
  createUndoStack,
  execute,
  redo,
  undo,
  type StepResult,
  type UndoStack,
} from './undoStack';

const context: EditContext = {
  frameCount: 100,
  allowSegmentOverlap: false,
  templates: [{ id: 'one', name: 'One', kind: 'other', keypoints: ['p'], skeleton: [] }],
};

const track: Track = {
  id: 't',
  kind: 'person',
  templateId: 'one',
  label: 'T',
  color: '#ffffff',
  keyframes: [{ frame: 5, points: [{ x: 0, y: 0, visibility: 'visible', source: 'manual' }] }],
};

type State = { doc: LabelsDocument; stack: UndoStack };

function step(result: StepResult): State {
  if (!result.ok) throw new Error(result.message);
  return { doc: result.doc, stack: result.stack };
}

function run(state: State, command: Command): State {
  return step(execute(state.doc, state.stack, command, context));
}

function drag(x: number, gesture?: string): Command {
  return {
    type: 'setPoint',
    trackId: 't',
    frame: 5,
    index: 0,
    point: { x, y: x, visibility: 'visible', source: 'manual' },
    ...(gesture === undefined ? {} : { gesture }),
  };
}

const xOf = (doc: LabelsDocument): number | undefined => doc.tracks[0]?.keyframes[0]?.points[0]?.x;

describe('undo stack', () => {
  const start = run({ doc: EMPTY_LABELS, stack: createUndoStack() }, { type: 'addTrack', track });

  it('undoes and redoes a step, returning the command the store must persist', () => {
    const moved = run(start, drag(10));
    const undone = undo(moved.doc, moved.stack, context);
    expect(undone.ok && undone.applied).toMatchObject({ type: 'setPoint', point: { x: 0 } });
    const back = step(undone);
    expect(back.doc).toEqual(start.doc);
    expect(canRedo(back.stack)).toBe(true);
    const again = step(redo(back.doc, back.stack, context));
    expect(again.doc).toEqual(moved.doc);
  });

  it('merges the moves of one drag into a single undo step', () => {
    let state = start;
    for (const x of [1, 2, 3, 4]) state = run(state, drag(x, 'drag-1'));
    expect(state.stack.past).toHaveLength(2);
    state = step(undo(state.doc, state.stack, context));
    expect(xOf(state.doc)).toBe(0);
  });

  it('keeps two drags with different gesture ids as two steps', () => {
    let state = run(run(start, drag(1, 'a')), drag(2, 'b'));
    expect(state.stack.past).toHaveLength(3);
    state = step(undo(state.doc, state.stack, context));
    expect(xOf(state.doc)).toBe(1);
  });

  it('drops the redo history on a new edit', () => {
    let state = run(start, drag(1, 'a'));
    state = step(undo(state.doc, state.stack, context));
    state = run(state, drag(7, 'b'));
    expect(canRedo(state.stack)).toBe(false);
  });

  it('keeps at most `cap` steps, forgetting the oldest', () => {
    let state: State = { doc: start.doc, stack: createUndoStack(3) };
    for (const x of [1, 2, 3, 4, 5]) state = run(state, drag(x, `g${x}`));
    expect(state.stack.past).toHaveLength(3);
    for (let i = 0; i < 3; i++) state = step(undo(state.doc, state.stack, context));
    expect(xOf(state.doc)).toBe(2);
    expect(canUndo(state.stack)).toBe(false);
    expect(undo(state.doc, state.stack, context)).toEqual({
      ok: false,
      message: 'Nothing to undo.',
    });
  });

  it('reports an undo that no longer applies and keeps the stack', () => {
    const moved = run(start, { type: 'deleteKeyframe', trackId: 't', frame: 5 });
    // A pull replaced the document: the track the keyframe belonged to is gone.
    const result = undo(EMPTY_LABELS, moved.stack, context);
    expect(result).toEqual({ ok: false, message: 'Cannot undo: There is no track "t".' });
    expect(canUndo(moved.stack)).toBe(true);
  });

  it('does not record a refused command', () => {
    const result = execute(start.doc, start.stack, { type: 'removeTrack', trackId: 'x' }, context);
    expect(result).toEqual({ ok: false, message: 'There is no track "x".' });
  });
});
