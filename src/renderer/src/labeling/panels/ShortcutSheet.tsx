import { useEffect, useRef } from 'react';
import { useAppStore } from '../../store/AppStoreContext';
import { LABELING_SHORTCUTS } from '../labelingKeys';

const PLAYER_SHORTCUTS = [
  { keys: '← / →', what: 'Previous / next frame' },
  { keys: 'Shift+← / Shift+→', what: 'Back / forward 10 frames' },
  { keys: 'Space', what: 'Play / pause (hold over the video and drag to pan)' },
  { keys: 'Mouse wheel', what: 'Zoom the video at the pointer' },
  { keys: 'Wheel over the timeline', what: 'Move along the clip (Ctrl: zoom, Shift: scroll rows)' },
  { keys: 'Home / End', what: 'First / last frame' },
  { keys: 'I / O / L', what: 'Loop in point / out point / loop on or off' },
] as const;

/** Every shortcut, on `?`; a modal dialog that Escape or the Close button dismisses. */
export function ShortcutSheet() {
  const open = useAppStore((state) => state.shortcutSheetOpen);
  const setOpen = useAppStore((state) => state.setShortcutSheetOpen);
  const dialogRef = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={dialogRef}
      className="shortcut-sheet"
      aria-labelledby="shortcuts-heading"
      onClose={() => setOpen(false)}
    >
      <h2 id="shortcuts-heading">Keyboard shortcuts</h2>
      {/*
        The list scrolls on its own, between the heading and Close: the dialog focuses Close on
        opening, and a dialog that scrolled as a whole opened at its end, the heading and the
        first keys out of sight. Focusable so the keyboard can scroll it.
      */}
      <div className="shortcut-list" role="region" aria-label="Shortcuts" tabIndex={0}>
        <table>
          <tbody>
            {[...PLAYER_SHORTCUTS, ...LABELING_SHORTCUTS].map((shortcut) => (
              <tr key={shortcut.keys}>
                <th scope="row">
                  <kbd>{shortcut.keys}</kbd>
                </th>
                <td>{shortcut.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button type="button" onClick={() => setOpen(false)}>
        Close
      </button>
    </dialog>
  );
}
