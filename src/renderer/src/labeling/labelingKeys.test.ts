import { describe, expect, it } from 'vitest';
import { commandForKey, type KeyPress } from '../player/playerKeys';
import { LABELING_SHORTCUTS, labelingCommandForKey, numberKeyTarget } from './labelingKeys';

function press(key: string, modifiers: Partial<KeyPress> = {}): KeyPress {
  return { key, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, ...modifiers };
}

describe('labeling keys', () => {
  it.each([
    [press('z', { ctrlKey: true }), 'undo'],
    [press('Z', { ctrlKey: true, shiftKey: true }), 'redo'],
    [press('z', { metaKey: true, shiftKey: true }), 'redo'],
    [press('y', { ctrlKey: true }), 'redo'],
    [press('c', { ctrlKey: true }), 'copyPose'],
    [press('v', { ctrlKey: true }), 'pastePose'],
    [press('v'), 'cycleVisibility'],
    [press('V', { shiftKey: true }), 'cycleVisibility'],
    [press('Delete'), 'clearPoint'],
    [press('Delete', { shiftKey: true }), 'deleteSegment'],
    [press('k'), 'keyframe'],
    [press('K', { shiftKey: true }), 'deleteKeyframe'],
    [press('x'), 'markAbsent'],
    [press('='), 'zoom'],
    [press('-'), 'zoom'],
    [press('f'), 'zoom'],
    [press('F', { shiftKey: true }), 'zoom'],
    [press('z'), 'zoom'],
    [press('A', { shiftKey: true }), 'acceptTrackProposals'],
    [press('p'), 'nextProposal'],
    [press('P', { shiftKey: true }), 'nextProposal'],
    [press('ArrowLeft', { ctrlKey: true }), 'nudgePoint'],
    [press('ArrowDown', { ctrlKey: true, shiftKey: true }), 'nudgePoint'],
    [press('['), 'markSegmentStart'],
    [press(']'), 'markSegmentEnd'],
    [press('s'), 'splitSegment'],
    [press('m'), 'mergeSegment'],
    [press('e'), 'labelSegment'],
    [press('b'), 'toggleBoxTool'],
    [press('c'), 'endContact'],
    [press('a'), 'acceptPose'],
    [press('?', { shiftKey: true }), 'shortcuts'],
    [press('Escape'), 'escape'],
  ])('%o runs %s', (key, name) => {
    expect(labelingCommandForKey(key, 'other')?.name).toBe(name);
  });

  it('P goes to the next unaccepted model point, Shift+P to the lowest-scored one', () => {
    expect(labelingCommandForKey(press('p'), 'other')).toEqual({
      name: 'nextProposal',
      lowest: false,
    });
    expect(labelingCommandForKey(press('P', { shiftKey: true }), 'other')).toEqual({
      name: 'nextProposal',
      lowest: true,
    });
  });

  it('J and Shift+J go to the next and previous open review comment', () => {
    expect(labelingCommandForKey(press('j'), 'other')).toEqual({ name: 'jumpComment', delta: 1 });
    expect(labelingCommandForKey(press('J', { shiftKey: true }), 'other')).toEqual({
      name: 'jumpComment',
      delta: -1,
    });
    expect(LABELING_SHORTCUTS.map((s) => s.command)).toContain('jumpComment');
  });

  it('Ctrl+arrows nudge the selected point by 1 video pixel, with Shift by 10', () => {
    expect(labelingCommandForKey(press('ArrowLeft', { ctrlKey: true }), 'other')).toEqual({
      name: 'nudgePoint',
      dx: -1,
      dy: 0,
    });
    expect(
      labelingCommandForKey(press('ArrowDown', { ctrlKey: true, shiftKey: true }), 'other'),
    ).toEqual({ name: 'nudgePoint', dx: 0, dy: 10 });
  });

  it('maps 0 to "no contact" and 1–9 to recent segment labels or, with no segment, contact states', () => {
    expect(labelingCommandForKey(press('0'), 'other')).toEqual({ name: 'contactState', state: 0 });
    for (const slot of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      expect(labelingCommandForKey(press(String(slot)), 'other')).toEqual({
        name: 'quickLabel',
        slot,
      });
      expect(numberKeyTarget(slot, true)).toBe('segmentLabel');
      expect(numberKeyTarget(slot, false)).toBe(slot <= 4 ? 'contact' : 'segmentLabel');
    }
    expect(LABELING_SHORTCUTS.map((s) => s.command)).toContain('quickLabel');
  });

  it('leaves typing in fields alone, and Alt combinations to the system', () => {
    expect(labelingCommandForKey(press('v'), 'text')).toBeNull();
    expect(labelingCommandForKey(press('z', { ctrlKey: true }), 'text')).toBeNull();
    expect(labelingCommandForKey(press('k', { altKey: true }), 'other')).toBeNull();
  });

  it('takes no key the player uses, so one press never does two things', () => {
    const playerKeys = ['ArrowLeft', 'ArrowRight', ' ', 'Home', 'End', 'i', 'o', 'l'];
    for (const key of playerKeys) {
      for (const shiftKey of [false, true]) {
        if (commandForKey(press(key, { shiftKey }), 'other') === null) continue;
        expect(labelingCommandForKey(press(key, { shiftKey }), 'other')).toBeNull();
      }
    }
  });

  it('lists every command on the shortcut sheet', () => {
    const listed = new Set(LABELING_SHORTCUTS.map((s) => s.command));
    for (const name of [
      'undo',
      'redo',
      'cycleVisibility',
      'clearPoint',
      'keyframe',
      'deleteKeyframe',
      'markAbsent',
      'copyPose',
      'markSegmentStart',
      'splitSegment',
      'mergeSegment',
      'labelSegment',
      'contactState',
      'endContact',
      'shortcuts',
    ]) {
      expect(listed).toContain(name);
    }
  });
});
