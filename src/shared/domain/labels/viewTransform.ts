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
  /**
   * 1 shows the whole picture fitted into the container (contain); 2 is twice that. `FIT_VIEW` is
   * a mode, not a scale: it stays fitted to whatever size the stage takes. Any other view is the
   * annotator's own and keeps its scale and centre when the stage is resized
   * (`viewForResizedStage`).
   */
  readonly zoom: number;
  /** Screen pixels the picture is moved by, after fitting and zooming. */
  readonly panX: number;
  readonly panY: number;
};

export const FIT_VIEW: ViewState = { zoom: 1, panX: 0, panY: 0 };

/** Whether `view` is the fit mode: the whole picture, centred, following the stage's size. */
export function isFitView(view: ViewState): boolean {
  return view.zoom === 1 && view.panX === 0 && view.panY === 0;
}

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
 * wheel event) where it is. The zoom is clamped to `limits`, or kept where it is when already
 * below them.
 */
export function zoomAt(
  view: ViewState,
  video: Size,
  container: Size,
  anchor: Point,
  factor: number,
  limits: ZoomLimits = DEFAULT_ZOOM_LIMITS,
): ViewState {
  // A view already below the limit (100 % of a small clip, or a chosen zoom kept while the stage
  // grew) steps from where it is: zooming out must not jump it up to the whole picture.
  const zoom = Math.min(limits.max, Math.max(Math.min(limits.min, view.zoom), view.zoom * factor));
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

/**
 * The same view on a stage resized from `from` to `to` (window resized, a panel opened or closed,
 * the timeline dragged taller). Fit stays fit, so the whole picture keeps filling the stage. A
 * view the annotator zoomed or panned keeps what they chose: the same screen pixels per video
 * pixel, and the video point at the stage's centre stays at its centre, as in CVAT and image
 * editors. Its zoom relative to the new fit may then fall below 1 (the stage grew): that is still
 * their scale, not the whole picture, until they choose Fit again.
 */
export function viewForResizedStage(view: ViewState, video: Size, from: Size, to: Size): ViewState {
  if (isFitView(view)) return view;
  const before = fitScale(video, from);
  const after = fitScale(video, to);
  // A stage not laid out yet (zero-sized) gives no scale to keep; the view waits for a real one.
  if (!(before > 0) || !(after > 0) || !Number.isFinite(before) || !Number.isFinite(after)) {
    return view;
  }
  const centre = screenToVideo(viewTransform(video, from, view), {
    x: from.width / 2,
    y: from.height / 2,
  });
  const zoom = Math.min((view.zoom * before) / after, zoomLimitsFor(video, to).max);
  const scale = after * zoom;
  return {
    zoom,
    panX: (video.width / 2 - centre.x) * scale,
    panY: (video.height / 2 - centre.y) * scale,
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
