import Konva from 'konva/lib/Core';
import {
  FIT_VIEW,
  screenToVideo,
  viewTransform,
  type Box,
  type Command,
  type Point,
  type Size,
  type ViewState,
  type ViewTransform,
} from '../../../../shared/domain/labels';
import { BoxTool } from '../tools/boxTool';
import { KeypointTool } from '../tools/keypointTool';
import type {
  DragPreview,
  Hit,
  OverlayTool,
  SelectionChange,
  ToolOutput,
  ToolPointerEvent,
} from '../tools/overlayTool';
import { ViewTool, wheelDeltaPx, wheelZoom } from '../tools/viewTool';
import { drawPreview, drawScene, type HiddenItem } from './drawOverlay';
import { hitBox, hitPoint, hitSkeletonHandle } from './overlayHitTest';
import { EMPTY_SCENE, type OverlayScene } from './overlayScene';

export type OverlayToolName = 'keypoint' | 'box';

/** What the overlay tells its host. The engine never changes the document or the view itself. */
export type OverlayEvents = {
  /** An edit to apply and record (one per gesture); answer with `setScene`. */
  command(command: Command): void;
  /** A point, track or contact box chosen; answer with `setScene` carrying the selection. */
  select(selection: SelectionChange): void;
  /** Wheel zoom or pan; the overlay already shows it, the host applies it to the video. */
  viewChange(view: ViewState): void;
  /** A new box drawn with the box tool; the host decides whose box it is. */
  boxDrawn(box: Box): void;
  /** A box moved or resized on this frame (`OverlayBox.boxId`). */
  boxChanged(boxId: string, box: Box): void;
};

type Gesture = { readonly pointerId: number; readonly owner: 'tool' | 'view' };

const HANDLE_CURSORS = {
  nw: 'nwse-resize',
  se: 'nwse-resize',
  ne: 'nesw-resize',
  sw: 'nesw-resize',
};

/**
 * The keypoint and contact-box overlay: the only module that touches Konva (STYLE §9), behind a
 * small facade (STYLE §5). The host mounts it on a div laid exactly over the video, feeds it the
 * scene, video size, view and container size, and receives edits as events.
 *
 * Drawing follows Konva's performance advice: two layers that never listen for Konva events, one
 * custom shape each. The scene layer holds every skeleton and box; the drag layer holds only the
 * item being dragged, so a pointer move redraws one point, not the scene. Hit testing is our own
 * nearest-point search in screen space (see overlayHitTest.ts). Changes are drawn together on the
 * next animation frame; `flush()` draws them at once.
 *
 * Coordinates: labels are in video pixels of the displayed picture, mapped to the container with
 * `viewTransform` (contain-fit letterboxing, then zoom, then pan), as the host maps the video.
 */
export class OverlayEngine {
  private readonly stage: Konva.Stage;
  private readonly sceneLayer: Konva.Layer;
  private readonly dragLayer: Konva.Layer;
  private readonly tools: Record<OverlayToolName, OverlayTool> = {
    keypoint: new KeypointTool(),
    box: new BoxTool(),
  };
  private readonly viewTool = new ViewTool();
  private toolName: OverlayToolName = 'keypoint';
  private scene: OverlayScene = EMPTY_SCENE;
  private videoSize: Size = { width: 0, height: 0 };
  private containerSize: Size;
  private view: ViewState = FIT_VIEW;
  private transform: ViewTransform | null = null;
  private panMode = false;
  private gesture: Gesture | null = null;
  private preview: DragPreview | null = null;
  /** A released drag's preview stays up until the host's next scene shows the edit. */
  private settling = false;
  private hidden: HiddenItem = null;
  private sceneDirty = true;
  private dragDirty = true;
  private frameRequest: number | null = null;

  constructor(
    private readonly container: HTMLDivElement,
    private readonly events: OverlayEvents,
  ) {
    this.containerSize = { width: container.clientWidth, height: container.clientHeight };
    this.stage = new Konva.Stage({
      container,
      width: this.containerSize.width,
      height: this.containerSize.height,
      listening: false,
    });
    this.sceneLayer = new Konva.Layer({ listening: false });
    this.dragLayer = new Konva.Layer({ listening: false });
    this.sceneLayer.add(
      new Konva.Shape({
        listening: false,
        sceneFunc: (context) => {
          drawScene(context._context, this.scene, this.currentTransform(), this.hidden);
        },
      }),
    );
    this.dragLayer.add(
      new Konva.Shape({
        listening: false,
        sceneFunc: (context) => {
          if (this.preview) {
            drawPreview(context._context, this.scene, this.currentTransform(), this.preview);
          }
        },
      }),
    );
    this.stage.add(this.sceneLayer, this.dragLayer);
    // Pointer events are the engine's own: browser panning and text selection would steal drags.
    container.style.touchAction = 'none';
    container.style.userSelect = 'none';
    container.addEventListener('pointerdown', this.onPointerDown);
    container.addEventListener('pointermove', this.onPointerMove);
    container.addEventListener('pointerup', this.onPointerUp);
    container.addEventListener('pointercancel', this.onPointerCancel);
    container.addEventListener('lostpointercapture', this.onPointerCancel);
    container.addEventListener('wheel', this.onWheel, { passive: false });
    this.requestDraw();
  }

  /** The displayed (upright) picture's size in video pixels: the space labels live in. */
  setVideoSize(size: Size): void {
    if (size.width === this.videoSize.width && size.height === this.videoSize.height) return;
    this.videoSize = size;
    this.invalidateTransform();
  }

  /** The view the host shows the video with; the overlay sends changes back as `viewChange`. */
  setView(view: ViewState): void {
    if (
      view.zoom === this.view.zoom &&
      view.panX === this.view.panX &&
      view.panY === this.view.panY
    )
      return;
    this.view = view;
    this.invalidateTransform();
  }

  /** What to draw: call on every frame change, edit or selection change. */
  setScene(scene: OverlayScene): void {
    this.scene = scene;
    if (this.settling) {
      this.settling = false;
      this.setPreview(null);
    }
    this.sceneDirty = true;
    // An empty drag layer stays empty: redrawing it would only clear a blank canvas.
    if (this.preview) this.dragDirty = true;
    this.requestDraw();
  }

  /** Switching tools drops any gesture under way, without an edit. */
  setTool(tool: OverlayToolName): void {
    if (tool === this.toolName) return;
    this.cancelGesture();
    this.toolName = tool;
    this.container.style.cursor = '';
  }

  /**
   * Whether a primary-button drag pans instead of editing: the host forwards Space held down. The
   * host owns the keyboard (Space also plays and pauses), so the engine never listens for it.
   */
  setPanMode(held: boolean): void {
    this.panMode = held;
    if (!this.gesture) this.container.style.cursor = held ? 'grab' : '';
  }

  /** The container's size in CSS pixels; call whenever it changes (e.g. from a ResizeObserver). */
  resize(width: number, height: number): void {
    if (width === this.containerSize.width && height === this.containerSize.height) return;
    this.containerSize = { width, height };
    this.stage.size({ width, height });
    this.invalidateTransform();
  }

  /** Drops the gesture under way (a drag, a box being drawn, a pan) without an edit. */
  cancelGesture(): void {
    const gesture = this.gesture;
    if (!gesture) return;
    this.endGesture();
    if (gesture.owner === 'view') this.viewTool.cancel();
    else this.apply(this.tools[this.toolName].cancel());
  }

  /** Draws pending changes now instead of on the next animation frame (tests, benchmarks). */
  flush(): void {
    if (this.frameRequest !== null) {
      cancelAnimationFrame(this.frameRequest);
      this.frameRequest = null;
    }
    if (this.sceneDirty) this.sceneLayer.draw();
    if (this.dragDirty) this.dragLayer.draw();
    this.sceneDirty = false;
    this.dragDirty = false;
  }

  destroy(): void {
    this.cancelGesture();
    if (this.frameRequest !== null) cancelAnimationFrame(this.frameRequest);
    this.frameRequest = null;
    const { container } = this;
    container.removeEventListener('pointerdown', this.onPointerDown);
    container.removeEventListener('pointermove', this.onPointerMove);
    container.removeEventListener('pointerup', this.onPointerUp);
    container.removeEventListener('pointercancel', this.onPointerCancel);
    container.removeEventListener('lostpointercapture', this.onPointerCancel);
    container.removeEventListener('wheel', this.onWheel);
    this.stage.destroy();
  }

  private currentTransform(): ViewTransform {
    this.transform ??= viewTransform(this.videoSize, this.containerSize, this.view);
    return this.transform;
  }

  private invalidateTransform(): void {
    this.transform = null;
    this.sceneDirty = true;
    if (this.preview) this.dragDirty = true;
    this.requestDraw();
  }

  private requestDraw(): void {
    this.frameRequest ??= requestAnimationFrame(() => {
      this.frameRequest = null;
      this.flush();
    });
  }

  private setPreview(preview: DragPreview | null): void {
    this.preview = preview;
    const hidden: HiddenItem =
      preview?.kind === 'point'
        ? { kind: 'point', trackId: preview.trackId, index: preview.index }
        : preview?.kind === 'skeleton' || preview?.kind === 'skeletonTransform'
          ? { kind: 'track', trackId: preview.trackId }
          : preview?.kind === 'box' && preview.boxId !== null
            ? { kind: 'box', boxId: preview.boxId }
            : null;
    // The scene layer is redrawn only when what it leaves out changes, not on every move.
    if (!sameHidden(hidden, this.hidden)) {
      this.hidden = hidden;
      this.sceneDirty = true;
    }
    this.dragDirty = true;
    this.requestDraw();
  }

  /** Draws what tools ask for first, then tells the host, which may answer at once with a scene. */
  private apply(outputs: readonly ToolOutput[]): void {
    const commits = outputs.some(
      (o) => o.type === 'command' || o.type === 'boxDrawn' || o.type === 'boxChanged',
    );
    for (const output of outputs) {
      if (output.type !== 'preview') continue;
      if (output.preview === null && commits) this.settling = true;
      else this.setPreview(output.preview);
    }
    for (const output of outputs) {
      switch (output.type) {
        case 'preview':
          break;
        case 'command':
          this.events.command(output.command);
          break;
        case 'select':
          this.events.select(output.selection);
          break;
        case 'boxDrawn':
          this.events.boxDrawn(output.box);
          break;
        case 'boxChanged':
          this.events.boxChanged(output.boxId, output.box);
          break;
      }
    }
  }

  private applyView(view: ViewState): void {
    this.view = view;
    this.invalidateTransform();
    this.events.viewChange(view);
  }

  private localPoint(event: MouseEvent): Point {
    const rect = this.container.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  private hitTest(screen: Point): Hit {
    const transform = this.currentTransform();
    if (this.toolName !== 'keypoint') return hitBox(this.scene, transform, screen);
    // A point beats a handle: placing and grabbing points stays as it was.
    const point = hitPoint(this.scene, transform, screen);
    return point.kind === 'point' ? point : hitSkeletonHandle(this.scene, transform, screen);
  }

  private toolEvent(event: PointerEvent): ToolPointerEvent {
    const screen = this.localPoint(event);
    return {
      video: screenToVideo(this.currentTransform(), screen),
      screen,
      hit: this.hitTest(screen),
      modifiers: { shift: event.shiftKey, alt: event.altKey, ctrl: event.ctrlKey || event.metaKey },
    };
  }

  private toolContext() {
    return { scene: this.scene, videoSize: this.videoSize };
  }

  private startGesture(event: PointerEvent, owner: Gesture['owner']): void {
    this.gesture = { pointerId: event.pointerId, owner };
    this.container.setPointerCapture(event.pointerId);
    if (owner === 'tool') window.addEventListener('keydown', this.onKeyDown, true);
    else this.container.style.cursor = 'grabbing';
  }

  private endGesture(): void {
    const gesture = this.gesture;
    if (!gesture) return;
    this.gesture = null;
    window.removeEventListener('keydown', this.onKeyDown, true);
    this.container.style.cursor = this.panMode ? 'grab' : '';
    if (this.container.hasPointerCapture(gesture.pointerId)) {
      this.container.releasePointerCapture(gesture.pointerId);
    }
  }

  private readonly onPointerDown = (event: PointerEvent): void => {
    if (this.gesture) return;
    // A drag the host never answered (a refused edit) must not leave its ghost behind.
    if (this.settling) {
      this.settling = false;
      this.setPreview(null);
    }
    if (this.viewTool.claims(event.button, this.panMode)) {
      // Middle-button autoscroll would fight the pan.
      event.preventDefault();
      this.startGesture(event, 'view');
      this.viewTool.pointerDown(this.localPoint(event));
      return;
    }
    if (event.button !== 0) return;
    this.startGesture(event, 'tool');
    this.apply(this.tools[this.toolName].pointerDown(this.toolEvent(event), this.toolContext()));
  };

  private readonly onPointerMove = (event: PointerEvent): void => {
    const gesture = this.gesture;
    if (!gesture) {
      this.updateHoverCursor(event);
      return;
    }
    if (event.pointerId !== gesture.pointerId) return;
    if (gesture.owner === 'view') {
      const view = this.viewTool.pointerMove(this.localPoint(event), this.view);
      if (view) this.applyView(view);
      return;
    }
    this.apply(this.tools[this.toolName].pointerMove(this.toolEvent(event), this.toolContext()));
  };

  private readonly onPointerUp = (event: PointerEvent): void => {
    const gesture = this.gesture;
    if (!gesture || event.pointerId !== gesture.pointerId) return;
    this.endGesture();
    if (gesture.owner === 'view') this.viewTool.pointerUp();
    else this.apply(this.tools[this.toolName].pointerUp(this.toolEvent(event), this.toolContext()));
  };

  private readonly onPointerCancel = (event: PointerEvent): void => {
    if (this.gesture?.pointerId === event.pointerId) this.cancelGesture();
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    // Escape ends the drag only; the host's own Escape (deselect) must not also fire.
    event.preventDefault();
    event.stopPropagation();
    this.cancelGesture();
  };

  private readonly onWheel = (event: WheelEvent): void => {
    event.preventDefault();
    const view = wheelZoom(
      this.view,
      this.videoSize,
      this.containerSize,
      this.localPoint(event),
      wheelDeltaPx(event.deltaY, event.deltaMode),
    );
    this.applyView(view);
  };

  private updateHoverCursor(event: PointerEvent): void {
    if (this.panMode) return;
    const hit = this.hitTest(this.localPoint(event));
    const cursor =
      hit.kind === 'point'
        ? 'pointer'
        : hit.kind === 'box'
          ? hit.handle
            ? HANDLE_CURSORS[hit.handle]
            : 'move'
          : hit.kind === 'skeletonHandle'
            ? hit.handle === 'rotate'
              ? 'grab'
              : HANDLE_CURSORS[hit.handle]
            : this.toolName === 'box' || this.scene.selectedTrackId !== null
              ? 'crosshair'
              : '';
    if (this.container.style.cursor !== cursor) this.container.style.cursor = cursor;
  }
}

function sameHidden(a: HiddenItem, b: HiddenItem): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'point' && b.kind === 'point')
    return a.trackId === b.trackId && a.index === b.index;
  if (a.kind === 'box' && b.kind === 'box') return a.boxId === b.boxId;
  if (a.kind === 'track' && b.kind === 'track') return a.trackId === b.trackId;
  return false;
}
