import { useEffect, useRef } from 'react';
import { isFitView, zoomPercent } from '../../../shared/domain/labels';
import { useAppStore, useAppStoreApi } from '../store/AppStoreContext';
import { PICTURE_LIMITS } from './workspaceLayout';

/**
 * The video's own zoom (the timeline has its own, in its bar) and how the picture is shown. The
 * zoom readout follows wheel zooming, so it is written from a store subscription, not a render.
 */
export function ViewControls() {
  const store = useAppStoreApi();
  const zoomView = useAppStore((state) => state.zoomView);
  const brightness = useAppStore((state) => state.layout.brightness);
  const contrast = useAppStore((state) => state.layout.contrast);
  const setLayout = useAppStore((state) => state.setLayout);
  const percentRef = useRef<HTMLOutputElement>(null);
  const fitRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const paint = () => {
      const { view, stage } = store.getState();
      // Fit is a mode that follows the stage's size; pressed says the picture will keep fitting.
      fitRef.current?.setAttribute('aria-pressed', String(isFitView(view)));
      if (!percentRef.current) return;
      percentRef.current.textContent = stage
        ? `${Math.round(zoomPercent(view, stage.video, stage.container))} %`
        : '–';
    };
    paint();
    return store.subscribe((state, previous) => {
      if (state.view !== previous.view || state.stage !== previous.stage) paint();
    });
  }, [store]);

  const button = (
    label: string,
    text: string,
    keys: string,
    how: Parameters<typeof zoomView>[0],
    ref?: React.RefObject<HTMLButtonElement | null>,
  ) => (
    <button
      ref={ref}
      type="button"
      aria-label={label}
      title={`${label} (${keys})`}
      aria-keyshortcuts={keys}
      onClick={() => zoomView(how)}
    >
      {text}
    </button>
  );

  return (
    <div className="view-controls" role="toolbar" aria-label="Video view">
      <span className="muted" aria-hidden="true">
        Video zoom
      </span>
      {button('Zoom video out', '−', '-', 'out')}
      <output ref={percentRef} className="zoom-readout" aria-label="Video zoom" aria-live="off">
        –
      </output>
      {button('Zoom video in', '+', '=', 'in')}
      {button('Whole picture', 'Fit', 'F', 'fit', fitRef)}
      {button('Actual pixels', '100 %', 'Shift+F', 'pixels')}
      {button('Zoom to the selected track', 'Track', 'Z', 'track')}
      <details className="picture-settings">
        <summary>Picture</summary>
        <div className="picture-popover">
          <label>
            Brightness{' '}
            <input
              type="range"
              min={PICTURE_LIMITS.min}
              max={PICTURE_LIMITS.max}
              step={0.05}
              value={brightness}
              onChange={(event) => setLayout({ brightness: Number(event.target.value) })}
            />
          </label>
          <label>
            Contrast{' '}
            <input
              type="range"
              min={PICTURE_LIMITS.min}
              max={PICTURE_LIMITS.max}
              step={0.05}
              value={contrast}
              onChange={(event) => setLayout({ contrast: Number(event.target.value) })}
            />
          </label>
          <button type="button" onClick={() => setLayout({ brightness: 1, contrast: 1 })}>
            As recorded
          </button>
          <p className="muted">
            On screen only: labels, the pose model and exports see the recorded picture.
          </p>
        </div>
      </details>
    </div>
  );
}
