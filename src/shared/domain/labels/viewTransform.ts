import type { Rotation } from '../rotation';

export type Size = { readonly width: number; readonly height: number };
export type Point = { readonly x: number; readonly y: number };

/**
 * Where labels live. Coordinates are continuous video pixels of the **displayed (upright)
 * picture**: (0, 0) is the top-left corner of the top-left pixel, (width, height) the bottom-right
 * corner of the bottom-right one. The player shows the picture upright (the clip's rotation
 * applied), annotators label what they see, and COCO/CVAT exports expect upright images — so
 * labels are stored post-rotation, and rotation matters only when mapping to the raw decoded frame
 * (e.g. feeding a pose model that is given unrotated pixels).
 */
export type ViewState = {
  /** 1 shows the whole picture fitted into the container (contain); 2 is twice that. */
  readonly zoom: number;
  /** Screen pixels the picture is moved by, after fitting and zooming. */
  readonly panX: number;
  readonly panY: number;
};

export const FIT_VIEW: ViewState = { zoom: 1, panX: 0, panY: 0 };

export type ZoomLimits = { readonly min: number; readonly max: number };

/**
 * Without a picture and a stage to measure: from the whole picture (zooming out further only
 * loses the picture in black) to 16 times it.
 */
export const DEFAULT_ZOOM_LIMITS: ZoomLimits = { min: 1, max: 16 };

/** The most screen pixels one video pixel may take: enough to place a point on a 4K frame. */
const MAX_SCREEN_PX_PER_VIDEO_PX = 16;

/**
 * Zoom limits for this picture on this stage: out to the whole picture (further only shows more
 * black), in to 16× the whole picture or 16 screen pixels a video pixel, whichever is larger.
 */
export function zoomLimitsFor(video: Size, container: Size): ZoomLimits {
  const fit = fitScale(video, container);
  if (!(fit > 0) || !Number.isFinite(fit)) return DEFAULT_ZOOM_LIMITS;
  return {
    min: DEFAULT_ZOOM_LIMITS.min,
    max: Math.max(DEFAULT_ZOOM_LIMITS.max, MAX_SCREEN_PX_PER_VIDEO_PX / fit),
  };
}

/** video → screen is `screen = offset + video × scale`; the overlay gives these to its stage. */
export type ViewTransform = {
  readonly scale: number;
  readonly offsetX: number;
  readonly offsetY: number;
};

function fitScale(video: Size, container: Size): number {
  if (video.width <= 0 || video.height <= 0) return 1;
  return Math.min(container.width / video.width, container.height / video.height);
}

/** The one transform the overlay uses: contain-fit with letterboxing, then zoom, then pan. */
export function viewTransform(video: Size, container: Size, view: ViewState): ViewTransform {
  const scale = fitScale(video, container) * view.zoom;
  return {
    scale,
    offsetX: (container.width - video.width * scale) / 2 + view.panX,
    offsetY: (container.height - video.height * scale) / 2 + view.panY,
  };
}

export function videoToScreen(transform: ViewTransform, point: Point): Point {
  return {
    x: transform.offsetX + point.x * transform.scale,
    y: transform.offsetY + point.y * transform.scale,
  };
}

export function screenToVideo(transform: ViewTransform, point: Point): Point {
  return {
    x: (point.x - transform.offsetX) / transform.scale,
    y: (point.y - transform.offsetY) / transform.scale,
  };
}

/**
 * Zooms by `factor` keeping the video point under `anchor` (a screen point, e.g. the mouse on a
 * wheel event) where it is. The zoom is clamped to `limits`.
 */
export function zoomAt(
  view: ViewState,
  video: Size,
  container: Size,
  anchor: Point,
  factor: number,
  limits: ZoomLimits = DEFAULT_ZOOM_LIMITS,
): ViewState {
  const zoom = Math.min(limits.max, Math.max(limits.min, view.zoom * factor));
  // Back at the whole picture (or smaller), it is centred: zooming back restores the exact view.
  if (zoom <= 1) return { zoom, panX: 0, panY: 0 };
  // Nothing to anchor to before the container or the video has a size.
  if (fitScale(video, container) <= 0) return { ...view, zoom };
  const under = screenToVideo(viewTransform(video, container, view), anchor);
  const scale = fitScale(video, container) * zoom;
  return {
    zoom,
    panX: anchor.x - under.x * scale - (container.width - video.width * scale) / 2,
    panY: anchor.y - under.y * scale - (container.height - video.height * scale) / 2,
  };
}

/** Zooms by `factor` about the stage's centre (the zoom buttons and keys). */
export function zoomAtCentre(
  view: ViewState,
  video: Size,
  container: Size,
  factor: number,
): ViewState {
  const centre = { x: container.width / 2, y: container.height / 2 };
  return zoomAt(view, video, container, centre, factor, zoomLimitsFor(video, container));
}

/**
 * One video pixel to one screen pixel ("100 %"), keeping the picture point at the centre. A
 * picture smaller than the stage shows smaller than the whole-picture view, centred.
 */
export function actualPixelsView(view: ViewState, video: Size, container: Size): ViewState {
  const fit = fitScale(video, container);
  if (!(fit > 0)) return view;
  const limits = zoomLimitsFor(video, container);
  const centre = { x: container.width / 2, y: container.height / 2 };
  return zoomAt(view, video, container, centre, 1 / fit / view.zoom, {
    min: Math.min(limits.min, 1 / fit),
    max: limits.max,
  });
}

/** Screen pixels per video pixel under `view`, as a percentage ("250 %"). */
export function zoomPercent(view: ViewState, video: Size, container: Size): number {
  return fitScale(video, container) * view.zoom * 100;
}

/**
 * The view that shows `box` (video pixels) centred, filling `fill` of the stage in its tighter
 * direction: "zoom to the selected track".
 */
export function zoomToBox(
  video: Size,
  container: Size,
  box: { readonly x: number; readonly y: number; readonly w: number; readonly h: number },
  fill = 0.8,
): ViewState {
  const fit = fitScale(video, container);
  if (!(fit > 0)) return FIT_VIEW;
  const limits = zoomLimitsFor(video, container);
  const wanted = Math.min(
    (container.width * fill) / (Math.max(box.w, 1) * fit),
    (container.height * fill) / (Math.max(box.h, 1) * fit),
  );
  const zoom = Math.min(limits.max, Math.max(1, wanted));
  if (zoom <= 1) return FIT_VIEW;
  const scale = fit * zoom;
  return {
    zoom,
    panX: (video.width / 2 - (box.x + box.w / 2)) * scale,
    panY: (video.height / 2 - (box.y + box.h / 2)) * scale,
  };
}

export function panBy(view: ViewState, dx: number, dy: number): ViewState {
  return { ...view, panX: view.panX + dx, panY: view.panY + dy };
}

/** The displayed picture's size for a raw decoded frame turned clockwise by `rotation`. */
export function displayedSize(raw: Size, rotation: Rotation): Size {
  return rotation === 90 || rotation === 270 ? { width: raw.height, height: raw.width } : raw;
}

/** A raw decoded-frame point to the displayed picture, the frame turned clockwise by `rotation`. */
export function rawToDisplayed(point: Point, raw: Size, rotation: Rotation): Point {
  switch (rotation) {
    case 0:
      return point;
    case 90:
      return { x: raw.height - point.y, y: point.x };
    case 180:
      return { x: raw.width - point.x, y: raw.height - point.y };
    case 270:
      return { x: point.y, y: raw.width - point.x };
  }
}

/** A displayed-picture point (as labels are stored) to the raw decoded frame. */
export function displayedToRaw(point: Point, raw: Size, rotation: Rotation): Point {
  switch (rotation) {
    case 0:
      return point;
    case 90:
      return { x: point.y, y: raw.height - point.x };
    case 180:
      return { x: raw.width - point.x, y: raw.height - point.y };
    case 270:
      return { x: raw.width - point.y, y: point.x };
  }
}
