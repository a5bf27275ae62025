/**
 * The clip workspace's panel sizes (VS Code's habit: a side panel you can drag wider or close, a
 * panel docked at the bottom you can drag taller), as plain data with the rules that keep the
 * stage usable at any window size. Kept per machine, not per clip: it is how this person works.
 */
export type WorkspaceLayout = {
  readonly sidePanelOpen: boolean;
  /** CSS pixels. */
  readonly sidePanelWidth: number;
  /** CSS pixels, the timeline dock with its toolbar. */
  readonly timelineHeight: number;
  /**
   * How the picture is shown, for dark kitchens: 1 is as recorded. The view only: labels, the
   * pose model and exports always get the recorded pixels.
   */
  readonly brightness: number;
  readonly contrast: number;
};

export const DEFAULT_LAYOUT: WorkspaceLayout = {
  sidePanelOpen: true,
  sidePanelWidth: 360,
  timelineHeight: 180,
  brightness: 1,
  contrast: 1,
};

export const PICTURE_LIMITS = { min: 0.5, max: 3 } as const;

export const SIDE_PANEL_LIMITS = { min: 260, max: 720 } as const;
export const TIMELINE_LIMITS = { min: 96, max: 600 } as const;

/** The stage keeps at least this share of the window, whatever the panels ask for. */
const STAGE_SHARE = 0.4;

export type WindowSize = { readonly width: number; readonly height: number };

function clamp(value: number, min: number, max: number): number {
  return Math.round(Math.min(Math.max(value, min), Math.max(min, max)));
}

/** A side panel width within its limits and leaving the stage its share of the window. */
export function clampSidePanelWidth(width: number, window: WindowSize): number {
  return clamp(
    width,
    SIDE_PANEL_LIMITS.min,
    Math.min(SIDE_PANEL_LIMITS.max, window.width * (1 - STAGE_SHARE)),
  );
}

/** A timeline height within its limits and leaving the stage its share of the window. */
export function clampTimelineHeight(height: number, window: WindowSize): number {
  return clamp(
    height,
    TIMELINE_LIMITS.min,
    Math.min(TIMELINE_LIMITS.max, window.height * (1 - STAGE_SHARE) - 120),
  );
}

function picture(value: number): number {
  return Math.min(PICTURE_LIMITS.max, Math.max(PICTURE_LIMITS.min, value));
}

/** The CSS filter that shows the picture with this brightness and contrast ('none' as recorded). */
export function pictureFilter(layout: Pick<WorkspaceLayout, 'brightness' | 'contrast'>): string {
  if (layout.brightness === 1 && layout.contrast === 1) return 'none';
  return `brightness(${layout.brightness}) contrast(${layout.contrast})`;
}

/** A stored layout read back: anything missing or malformed falls back to the default. */
export function parseLayout(text: string | null): WorkspaceLayout {
  if (text === null) return DEFAULT_LAYOUT;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A hand-edited or truncated value is not worth an error: the default layout is a fine start.
    return DEFAULT_LAYOUT;
  }
  if (typeof value !== 'object' || value === null) return DEFAULT_LAYOUT;
  const record = value as Record<string, unknown>;
  const number = (key: keyof WorkspaceLayout, fallback: number) => {
    const v = record[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
  };
  return {
    sidePanelOpen:
      typeof record.sidePanelOpen === 'boolean'
        ? record.sidePanelOpen
        : DEFAULT_LAYOUT.sidePanelOpen,
    sidePanelWidth: number('sidePanelWidth', DEFAULT_LAYOUT.sidePanelWidth),
    timelineHeight: number('timelineHeight', DEFAULT_LAYOUT.timelineHeight),
    brightness: picture(number('brightness', DEFAULT_LAYOUT.brightness)),
    contrast: picture(number('contrast', DEFAULT_LAYOUT.contrast)),
  };
}
