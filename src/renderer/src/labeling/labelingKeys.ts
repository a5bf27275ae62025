import type { KeyPress, KeyTarget } from '../player/playerKeys';

/**
 * The labeling shortcuts, as plain data so the mapping is testable without a window. The player's
 * own keys (arrows, Space, Home/End, I/O/L) are in `playerKeys.ts`; none is reused here.
 */
export type LabelingCommand =
  | { name: 'undo' }
  | { name: 'redo' }
  | { name: 'cycleVisibility' }
  | { name: 'clearPoint' }
  | { name: 'keyframe' }
  | { name: 'deleteKeyframe' }
  | { name: 'markAbsent' }
  | { name: 'nudgePoint'; dx: number; dy: number }
  | { name: 'copyPose' }
  | { name: 'pastePose' }
  | { name: 'nextPoint'; delta: 1 | -1 }
  | { name: 'nextTrack'; delta: 1 | -1 }
  | { name: 'jumpKeyframe'; delta: 1 | -1 }
  | { name: 'jumpComment'; delta: 1 | -1 }
  | { name: 'markSegmentStart' }
  | { name: 'markSegmentEnd' }
  | { name: 'splitSegment' }
  | { name: 'mergeSegment' }
  | { name: 'labelSegment' }
  | { name: 'deleteSegment' }
  | { name: 'contactState'; state: 0 | 1 | 2 | 3 | 4 }
  /** 1–9: the selected segment's label from the recent ones; without one, 1–4 are contact states. */
  | { name: 'quickLabel'; slot: number }
  | { name: 'endContact' }
  | { name: 'toggleBoxTool' }
  | { name: 'acceptPose' }
  | { name: 'acceptTrackProposals' }
  | { name: 'nextProposal'; lowest: boolean }
  | { name: 'zoom'; how: 'in' | 'out' | 'fit' | 'pixels' | 'track' }
  | { name: 'shortcuts' }
  | { name: 'escape' };

export type Shortcut = { keys: string; what: string; command: LabelingCommand['name'] };

/** What the shortcut sheet lists, in the order it lists them. */
export const LABELING_SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Ctrl+Z', what: 'Undo', command: 'undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', what: 'Redo', command: 'redo' },
  {
    keys: 'N / Shift+N',
    what: 'Select the next / previous point of the track',
    command: 'nextPoint',
  },
  { keys: 'Tab / Shift+Tab', what: 'Select the next / previous track', command: 'nextTrack' },
  {
    keys: 'V',
    what: 'Cycle the point: visible → occluded → not labeled',
    command: 'cycleVisibility',
  },
  { keys: 'Delete', what: 'Clear the selected point (undecided)', command: 'clearPoint' },
  {
    keys: 'Ctrl+arrows / Ctrl+Shift+arrows',
    what: 'Move the selected point by 1 / 10 video pixels',
    command: 'nudgePoint',
  },
  {
    keys: 'Shift+drag a point',
    what: 'Move the whole skeleton (one undo)',
    command: 'nudgePoint',
  },
  {
    keys: 'Shift+click a point',
    what: 'Select the whole skeleton: its box’s corners scale it, the round handle rotates it (one undo each)',
    command: 'nudgePoint',
  },
  { keys: 'K', what: 'Make this frame a keyframe of the track', command: 'keyframe' },
  { keys: 'Shift+K', what: 'Delete the keyframe on this frame', command: 'deleteKeyframe' },
  {
    keys: 'X',
    what: 'The track leaves the picture on this frame (until its next keyframe)',
    command: 'markAbsent',
  },
  {
    keys: ', / .',
    what: 'Go to the previous / next keyframe of the track',
    command: 'jumpKeyframe',
  },
  {
    keys: 'J / Shift+J',
    what: 'Go to the next / previous open review comment',
    command: 'jumpComment',
  },
  {
    keys: 'Ctrl+C / Ctrl+V',
    what: "Copy the track's pose / paste it on this frame",
    command: 'copyPose',
  },
  {
    keys: '[ then ]',
    what: 'Mark a segment from [ to ] on the selected row',
    command: 'markSegmentStart',
  },
  { keys: 'S', what: 'Split the segment at the playhead', command: 'splitSegment' },
  { keys: 'M', what: 'Merge the selected segment with the next', command: 'mergeSegment' },
  {
    keys: 'Drag on a timeline row',
    what: 'Make a segment over the frames dragged across',
    command: 'markSegmentStart',
  },
  { keys: 'E', what: 'Label the selected segment (verb and noun)', command: 'labelSegment' },
  {
    keys: '1 – 9',
    what: 'Label the selected segment with a recent label (numbered in the Action segments panel)',
    command: 'quickLabel',
  },
  { keys: 'Shift+Delete', what: 'Delete the selected segment', command: 'deleteSegment' },
  {
    keys: '0 – 4',
    what: 'Contact state of the selected hand from this frame on (no segment selected)',
    command: 'contactState',
  },
  {
    keys: 'C',
    what: "End the selected hand's contact on this frame (or move its end here)",
    command: 'endContact',
  },
  {
    keys: 'B',
    what: 'Box tool on / off (hand, object and face boxes; X and Shift+K act on the picked box)',
    command: 'toggleBoxTool',
  },
  {
    keys: 'A',
    what: "Accept the track's model pose on this frame (its points become yours)",
    command: 'acceptPose',
  },
  { keys: '= / -', what: 'Zoom the video in / out about its centre', command: 'zoom' },
  { keys: 'F / Shift+F', what: 'Whole picture (fit) / actual pixels (100 %)', command: 'zoom' },
  { keys: 'Z', what: "Zoom to the selected track's points on this frame", command: 'zoom' },
  {
    keys: 'Shift+A',
    what: 'Accept every model proposal of the track, on every frame (one undo)',
    command: 'acceptTrackProposals',
  },
  {
    keys: 'P / Shift+P',
    what: 'Go to the next unaccepted model point / the one with the lowest score',
    command: 'nextProposal',
  },
  {
    keys: 'Escape',
    what: 'Cancel: close dialogs, clear the segment mark and the segment selection',
    command: 'escape',
  },
  { keys: '?', what: 'Show this sheet', command: 'shortcuts' },
];

export function labelingCommandForKey(press: KeyPress, target: KeyTarget): LabelingCommand | null {
  if (target === 'text' || press.altKey) return null;
  const ctrl = press.ctrlKey || press.metaKey;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (ctrl) {
    switch (key) {
      case 'z':
        return press.shiftKey ? { name: 'redo' } : { name: 'undo' };
      case 'y':
        return { name: 'redo' };
      case 'c':
        return { name: 'copyPose' };
      case 'v':
        return { name: 'pastePose' };
      case 'ArrowLeft':
      case 'ArrowRight':
      case 'ArrowUp':
      case 'ArrowDown': {
        const step = press.shiftKey ? 10 : 1;
        const dx = key === 'ArrowLeft' ? -step : key === 'ArrowRight' ? step : 0;
        const dy = key === 'ArrowUp' ? -step : key === 'ArrowDown' ? step : 0;
        return { name: 'nudgePoint', dx, dy };
      }
      default:
        return null;
    }
  }
  switch (key) {
    case 'v':
      return { name: 'cycleVisibility' };
    case 'Delete':
    case 'Backspace':
      return press.shiftKey ? { name: 'deleteSegment' } : { name: 'clearPoint' };
    case 'k':
      return press.shiftKey ? { name: 'deleteKeyframe' } : { name: 'keyframe' };
    case 'x':
      return { name: 'markAbsent' };
    case 'n':
      return { name: 'nextPoint', delta: press.shiftKey ? -1 : 1 };
    case 'Tab':
      return { name: 'nextTrack', delta: press.shiftKey ? -1 : 1 };
    case ',':
    case '<':
      return { name: 'jumpKeyframe', delta: -1 };
    case '.':
    case '>':
      return { name: 'jumpKeyframe', delta: 1 };
    case 'j':
      return { name: 'jumpComment', delta: press.shiftKey ? -1 : 1 };
    case '[':
      return { name: 'markSegmentStart' };
    case ']':
      return { name: 'markSegmentEnd' };
    case 's':
      return { name: 'splitSegment' };
    case 'm':
      return { name: 'mergeSegment' };
    case 'e':
      return { name: 'labelSegment' };
    case '0':
      return { name: 'contactState', state: 0 };
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      return { name: 'quickLabel', slot: Number(key) };
    case 'b':
      return { name: 'toggleBoxTool' };
    case 'c':
      return { name: 'endContact' };
    case 'a':
      return press.shiftKey ? { name: 'acceptTrackProposals' } : { name: 'acceptPose' };
    case 'p':
      return { name: 'nextProposal', lowest: press.shiftKey };
    case '=':
    case '+':
      return { name: 'zoom', how: 'in' };
    case '-':
      return { name: 'zoom', how: 'out' };
    case 'f':
      return { name: 'zoom', how: press.shiftKey ? 'pixels' : 'fit' };
    case 'z':
      return { name: 'zoom', how: 'track' };
    case '?':
      return { name: 'shortcuts' };
    case 'Escape':
      return { name: 'escape' };
    default:
      return null;
  }
}

/**
 * What a number key does: with a segment selected, 1–9 label it from the recent labels; with
 * none, 1–4 keep their older meaning, the selected hand's contact state (0 always is one).
 */
export function numberKeyTarget(
  slot: number,
  segmentSelected: boolean,
): 'segmentLabel' | 'contact' {
  return !segmentSelected && slot <= 4 ? 'contact' : 'segmentLabel';
}
