/**
 * Player keyboard shortcuts, as plain data so the mapping is testable without a window:
 * →/← one frame, Shift+→/← ten, Space play/pause, Home/End first/last frame, [ and ] set the loop
 * ends at the current frame, L toggles the loop.
 */
export type PlayerCommand =
  | { name: 'step'; delta: number }
  | { name: 'togglePlay' }
  | { name: 'first' }
  | { name: 'last' }
  | { name: 'loopStart' }
  | { name: 'loopEnd' }
  | { name: 'toggleLoop' };

export type KeyPress = {
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
};

/** Where the key went: `text` for fields that take typing (the Frame box, selects, text areas). */
export type KeyTarget = 'text' | 'toggle' | 'other';

export function commandForKey(press: KeyPress, target: KeyTarget): PlayerCommand | null {
  if (press.altKey || press.ctrlKey || press.metaKey || target === 'text') return null;
  switch (press.key) {
    case 'ArrowRight':
      return { name: 'step', delta: press.shiftKey ? 10 : 1 };
    case 'ArrowLeft':
      return { name: 'step', delta: press.shiftKey ? -10 : -1 };
    case ' ':
      // Space belongs to a focused checkbox, which it ticks.
      return target === 'toggle' ? null : { name: 'togglePlay' };
    case 'Home':
      return { name: 'first' };
    case 'End':
      return { name: 'last' };
    // In and out points, as video editors name them: `[` and `]` are the timeline's, for segments.
    case 'i':
    case 'I':
      return { name: 'loopStart' };
    case 'o':
    case 'O':
      return { name: 'loopEnd' };
    case 'l':
    case 'L':
      return { name: 'toggleLoop' };
    default:
      return null;
  }
}

/** How a focused element treats keys: the player's range slider and buttons leave them to us. */
export function keyTargetOf(element: EventTarget | null): KeyTarget {
  if (!(element instanceof HTMLElement)) return 'other';
  if (element.isContentEditable) return 'text';
  if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return 'text';
  if (element instanceof HTMLInputElement) {
    if (element.type === 'range' || element.type === 'button') return 'other';
    if (element.type === 'checkbox' || element.type === 'radio') return 'toggle';
    return 'text';
  }
  return 'other';
}
