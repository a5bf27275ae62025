import Konva from 'konva';
import type { Command, Segment } from '../../../../shared/domain/labels';
import {
  SegmentEdgeTool,
  type DragPreview,
  type Effect,
  type PointerAt,
  type ToolContext,
} from './segmentEdgeTool';
import {
  clampView,
  fitView,
  followFrame,
  candidateRange,
  formatRulerLabel,
  frameToX,
  framesInRange,
  indexSegments,
  clampRowScroll,
  layoutRows,
  maxRowScroll,
  scrollRows,
  MAX_PIXELS_PER_FRAME,
  rulerTicks,
  scrollByPixels,
  scrollToFrame as scrolledToFrame,
  visibleFrames,
  zoomAt,
  zoomToFrames as zoomedToFrames,
  type RowLayout,
  type RowSegments,
  type SegmentIndex,
  type TimelineHit,
  type Viewport,
} from './timelineView';

/**
 * The timeline under the player, drawn with Konva (the only module of this folder that imports
 * it, STYLE §9) behind a small facade (STYLE §5): React mounts it, hands it data with `setData`
 * and the playhead with `setPlayhead` (outside React renders), and receives its events.
 *
 * Drawing follows Konva's performance advice for thousands of items: two layers, each holding one
 * non-listening Shape whose sceneFunc draws only what is visible straight onto the canvas — the
 * content (ruler, rows, segment bars, keyframe ticks) and a small overlay (playhead, drag preview)
 * that redraws alone at playback rate. Pointer input is hit-tested by timelineView, not by Konva.
 */

export type TimelineRow = { readonly id: string; readonly label: string; readonly color: string };

export type KeyframeTickRow = {
  readonly trackId: string;
  readonly label: string;
  readonly color: string;
  /** Keyframe frames, sorted ascending. */
  readonly frames: readonly number[];
};

/** One span of a span row: a hand's contact state over frames [startFrame, endFrame]. */
export type TimelineSpan = {
  readonly startFrame: number;
  readonly endFrame: number;
  readonly color: string;
  /** Drawn on the span when it is wide enough ("3 cup"). */
  readonly label: string;
};

/** A row of spans that never overlap, sorted by start: a hand's contact states. */
export type SpanRow = {
  readonly id: string;
  readonly label: string;
  readonly spans: readonly TimelineSpan[];
};

export type TimelineData = {
  readonly frameCount: number;
  /** Nominal frame rate, for m:ss on the ruler; frames only when absent. */
  readonly fps?: number | undefined;
  /** From the project schema; when false, drags stop at the neighbouring segment of the row. */
  readonly allowOverlap?: boolean | undefined;
  readonly rows: readonly TimelineRow[];
  /** In the domain's canonical order (by start); other orders are sorted on arrival. */
  readonly segments: readonly Segment[];
  readonly keyframeTicks: readonly KeyframeTickRow[];
  /** Contact spans per hand, between the actor rows and the tick rows; none when absent. */
  readonly spanRows?: readonly SpanRow[] | undefined;
  /** Review comments' frames, drawn as flags on the ruler; absent outside review. */
  readonly commentTicks?: readonly { readonly frame: number; readonly resolved: boolean }[];
  readonly selectedSegmentId: string | null;
  /** The text on a segment's bar ("cut onion"); an empty string for none. */
  labelOf(segment: Segment): string;
};

export type TimelineEvents = {
  /** A click on the ruler or empty space, or a scrub along the ruler. */
  seek(frame: number): void;
  select(segmentId: string | null): void;
  /** An edit, for the undo stack to apply; the engine shows the result once `setData` brings it. */
  command(command: Command): void;
  /** A double click on a segment: the host opens the taxonomy picker. */
  requestLabel(segmentId: string): void;
  /** After every scroll or zoom, for controls that show the zoom (zoom limits, say). */
  viewChange?(view: TimelineViewState): void;
  /** When the rows' height, the drawing area's or the rows' scroll changes (a scrollbar). */
  rowsChange?(rows: TimelineRowsState): void;
};

/** The rows against the drawing area: they scroll vertically under the ruler when taller. */
export type TimelineRowsState = {
  /** Ruler and rows, in pixels. */
  readonly contentHeight: number;
  readonly viewportHeight: number;
  readonly scrollY: number;
};

export type TimelineViewState = {
  readonly firstVisibleFrame: number;
  readonly pixelsPerFrame: number;
  readonly width: number;
  readonly atFit: boolean;
  readonly atMaxZoom: boolean;
};

const COLORS = {
  background: '#ffffff',
  ruler: '#f4f6f8',
  rowBand: '#f8f9fb',
  border: '#d5dbe1',
  text: '#1d2329',
  muted: '#5c6670',
  unlabeled: '#c3c9d0',
  hatch: '#8a939c',
  selected: '#1f5fbf',
  playhead: '#d12f2f',
  preview: 'rgba(31, 95, 191, 0.35)',
} as const;
const FONT = '11px system-ui, sans-serif';
/** Average glyph width of FONT, to shorten labels without measuring each one per frame. */
const CHAR_WIDTH = 6.2;
const ZOOM_STEP = 1.5;
/** Pixels a wheel "line" scrolls (deltaMode 1, as Firefox on Linux reports). */
const WHEEL_LINE_PX = 16;

type Run = { x0: number; x1: number };

/** How long a dropped segment waits for the host's data before returning to its place. */
const SETTLE_TIMEOUT_MS = 400;

/** Bars narrower than this are drawn as whole pixel columns (see drawSegments). */
const NARROW_BAR_PX = 3;

export class TimelineEngine {
  private readonly stage: Konva.Stage;
  private readonly contentLayer: Konva.Layer;
  private readonly overlayLayer: Konva.Layer;
  private readonly tool = new SegmentEdgeTool();
  private readonly hatch: CanvasPattern | null;
  private readonly detach: (() => void)[] = [];
  private data: TimelineData;
  private index: SegmentIndex = indexSegments([]);
  /** The rows as laid out, unscrolled; `layout` is them as drawn and hit, scrolled. */
  private rowLayout: RowLayout = layoutRows([], []);
  private layout: RowLayout = this.rowLayout;
  private rowScroll = 0;
  private lastRowsState: TimelineRowsState | null = null;
  private view: Viewport;
  private height: number;
  private playhead = 0;
  private selectedId: string | null = null;
  private lastViewState: TimelineViewState | null = null;
  /** A released drag's result, shown until the host's data brings it (or refuses it). */
  private settling: DragPreview | null = null;
  private settleTimer: number | undefined;
  private readonly columnBuffers: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];

  constructor(
    private readonly container: HTMLDivElement,
    private readonly events: TimelineEvents,
  ) {
    const width = Math.max(1, container.clientWidth);
    this.height = Math.max(1, container.clientHeight);
    this.data = {
      frameCount: 1,
      rows: [],
      segments: [],
      keyframeTicks: [],
      selectedSegmentId: null,
      labelOf: () => '',
    };
    this.view = fitView(width, 1);
    this.stage = new Konva.Stage({ container, width, height: this.height, listening: false });
    this.contentLayer = new Konva.Layer({ listening: false });
    this.overlayLayer = new Konva.Layer({ listening: false });
    this.contentLayer.add(
      new Konva.Shape({
        listening: false,
        perfectDrawEnabled: false,
        sceneFunc: (context) => this.drawContent(context._context),
      }),
    );
    this.overlayLayer.add(
      new Konva.Shape({
        listening: false,
        perfectDrawEnabled: false,
        sceneFunc: (context) => this.drawOverlay(context._context),
      }),
    );
    this.stage.add(this.contentLayer, this.overlayLayer);
    this.hatch = makeHatch();
    this.listen();
  }

  // ---- facade -------------------------------------------------------------------------------

  setData(data: TimelineData): void {
    const previous = this.data;
    this.data = data;
    if (data.segments !== previous.segments) {
      this.index = indexSegments(data.segments);
      this.settling = null;
      window.clearTimeout(this.settleTimer);
    }
    if (
      data.rows !== previous.rows ||
      data.keyframeTicks !== previous.keyframeTicks ||
      data.spanRows !== previous.spanRows
    ) {
      this.rowLayout = layoutRows(
        data.rows.map((r) => r.id),
        data.keyframeTicks.map((t) => t.trackId),
        undefined,
        (data.spanRows ?? []).map((r) => r.id),
      );
      this.setRowScroll(this.rowScroll, true);
    }
    this.selectedId = data.selectedSegmentId;
    this.setView(
      data.frameCount !== previous.frameCount
        ? fitView(this.view.width, data.frameCount)
        : clampView(this.view, data.frameCount),
    );
    this.contentLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  /** High-frequency: redraws the overlay only, and pages the content when the frame leaves it. */
  setPlayhead(frame: number): void {
    if (frame === this.playhead) return;
    this.playhead = frame;
    if (this.tool.state.name === 'idle') {
      this.setView(followFrame(this.view, frame, this.data.frameCount));
    }
    this.overlayLayer.batchDraw();
  }

  resize(width: number, height: number): void {
    const w = Math.max(1, Math.floor(width));
    const h = Math.max(1, Math.floor(height));
    const wasFit = this.viewState().atFit;
    this.height = h;
    this.stage.size({ width: w, height: h });
    this.setRowScroll(this.rowScroll);
    this.setView(
      wasFit
        ? fitView(w, this.data.frameCount)
        : clampView({ ...this.view, width: w }, this.data.frameCount),
    );
    this.contentLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  zoomToFit(): void {
    this.setView(fitView(this.view.width, this.data.frameCount));
  }

  /** Shows about `frames` frames, centred on the playhead. */
  zoomToFrames(frames: number): void {
    this.setView(zoomedToFrames(this.view, frames, this.playhead, this.data.frameCount));
  }

  /** Zooms by `factor` (> 1 closer) keeping the frame at `anchorX` in place; default: the playhead if visible, else the centre. */
  zoom(factor: number, anchorX?: number): void {
    const playheadX = frameToX(this.view, this.playhead + 0.5);
    const anchor =
      anchorX ?? (playheadX >= 0 && playheadX <= this.view.width ? playheadX : this.view.width / 2);
    this.setView(zoomAt(this.view, factor, anchor, this.data.frameCount));
  }

  zoomIn(): void {
    this.zoom(ZOOM_STEP);
  }

  zoomOut(): void {
    this.zoom(1 / ZOOM_STEP);
  }

  /** Puts `frame` at the left edge (clamped to the clip). */
  scrollToFrame(frame: number): void {
    this.setView(scrolledToFrame(this.view, frame, this.data.frameCount));
  }

  scrollBy(dx: number): void {
    this.setView(scrollByPixels(this.view, dx, this.data.frameCount));
  }

  /** Scrolls the rows so `y` pixels of them are above the top edge (clamped to the rows). */
  scrollRowsTo(y: number): void {
    this.setRowScroll(y);
  }

  rowsState(): TimelineRowsState {
    return {
      contentHeight: this.rowLayout.height,
      viewportHeight: this.height,
      scrollY: this.rowScroll,
    };
  }

  viewState(): TimelineViewState {
    const fit = fitView(this.view.width, this.data.frameCount);
    return {
      firstVisibleFrame: this.view.firstVisibleFrame,
      pixelsPerFrame: this.view.pixelsPerFrame,
      width: this.view.width,
      atFit: this.view.pixelsPerFrame <= fit.pixelsPerFrame * 1.0001,
      atMaxZoom: this.view.pixelsPerFrame >= Math.max(MAX_PIXELS_PER_FRAME, fit.pixelsPerFrame),
    };
  }

  /** Draws pending changes now instead of on the next animation frame (benchmarks, tests). */
  drawNow(): void {
    this.contentLayer.draw();
    this.overlayLayer.draw();
  }

  destroy(): void {
    window.clearTimeout(this.settleTimer);
    for (const off of this.detach.splice(0)) off();
    this.stage.destroy();
  }

  // ---- view and input -----------------------------------------------------------------------

  private setRowScroll(y: number, relaidOut = false): void {
    const next = clampRowScroll(this.rowLayout, this.height, y);
    if (next !== this.rowScroll || relaidOut) {
      this.rowScroll = next;
      this.layout = scrollRows(this.rowLayout, next);
      this.contentLayer.batchDraw();
      this.overlayLayer.batchDraw();
    }
    const state = this.rowsState();
    const last = this.lastRowsState;
    if (
      last?.contentHeight !== state.contentHeight ||
      last.viewportHeight !== state.viewportHeight ||
      last.scrollY !== state.scrollY
    ) {
      this.lastRowsState = state;
      this.events.rowsChange?.(state);
    }
  }

  private setView(next: Viewport): void {
    const same =
      next.firstVisibleFrame === this.view.firstVisibleFrame &&
      next.pixelsPerFrame === this.view.pixelsPerFrame &&
      next.width === this.view.width;
    this.view = next;
    if (same) return;
    this.contentLayer.batchDraw();
    this.overlayLayer.batchDraw();
    const state = this.viewState();
    const last = this.lastViewState;
    this.lastViewState = state;
    if (
      !last ||
      last.firstVisibleFrame !== state.firstVisibleFrame ||
      last.pixelsPerFrame !== state.pixelsPerFrame ||
      last.width !== state.width
    ) {
      this.events.viewChange?.(state);
    }
  }

  /**
   * Keeps a dragged (or newly drawn) segment where it was dropped between the command and the data that applies
   * it, so it does not flash back for a frame; a command the domain refuses brings no new data,
   * and the segment returns to its place after a moment.
   */
  private settle(command: Command): void {
    if (command.type === 'addSegment') {
      const { id, actor, startFrame, endFrame } = command.segment;
      this.settling = { segmentId: id, actor, startFrame, endFrame };
    } else if (command.type === 'updateSegment') {
      const original = this.index.byId.get(command.segmentId);
      if (!original) return;
      this.settling = {
        segmentId: original.id,
        actor: original.actor,
        startFrame: command.patch.startFrame ?? original.startFrame,
        endFrame: command.patch.endFrame ?? original.endFrame,
      };
    } else {
      return;
    }
    window.clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => {
      this.settling = null;
      this.contentLayer.batchDraw();
      this.overlayLayer.batchDraw();
    }, SETTLE_TIMEOUT_MS);
  }

  private toolContext(): ToolContext {
    return {
      view: this.view,
      layout: this.layout,
      index: this.index,
      frameCount: this.data.frameCount,
      allowOverlap: this.data.allowOverlap ?? false,
    };
  }

  private pointer(event: MouseEvent): PointerAt {
    const box = this.container.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  private run(effects: readonly Effect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'seek':
          // Shown at once; the host's playhead confirms it (or corrects it) through setPlayhead.
          this.playhead = effect.frame;
          this.overlayLayer.batchDraw();
          this.events.seek(effect.frame);
          break;
        case 'select':
          this.selectedId = effect.segmentId;
          this.contentLayer.batchDraw();
          this.events.select(effect.segmentId);
          break;
        case 'command':
          this.events.command(effect.command);
          break;
        case 'requestLabel':
          this.events.requestLabel(effect.segmentId);
          break;
      }
    }
  }

  private listen(): void {
    const el = this.container;
    const on = <K extends keyof HTMLElementEventMap>(
      target: HTMLElement | Window,
      type: K,
      handler: (event: HTMLElementEventMap[K]) => void,
      options?: AddEventListenerOptions,
    ) => {
      const listener = handler as EventListener;
      target.addEventListener(type, listener, options);
      this.detach.push(() => target.removeEventListener(type, listener, options));
    };
    on(el, 'pointerdown', (event) => {
      if (event.button !== 0) return;
      el.setPointerCapture(event.pointerId);
      const wasDragging = this.tool.preview !== null;
      this.run(this.tool.pointerDown(this.pointer(event), this.toolContext()));
      if (wasDragging) this.contentLayer.batchDraw();
    });
    on(el, 'pointermove', (event) => {
      const at = this.pointer(event);
      if (this.tool.state.name === 'idle') {
        el.style.cursor = cursorFor(this.tool.hover(at, this.toolContext()));
        return;
      }
      const wasDragging = this.tool.preview !== null;
      this.run(this.tool.pointerMove(at, this.toolContext()));
      if (this.tool.preview) {
        // The dragged bar moves to the overlay; the content redraws once, without it.
        if (!wasDragging) this.contentLayer.batchDraw();
        this.overlayLayer.batchDraw();
      }
    });
    on(el, 'pointerup', (event) => {
      const wasDragging = this.tool.preview !== null;
      const effects = this.tool.pointerUp(this.pointer(event), this.toolContext());
      for (const effect of effects) {
        if (effect.type === 'command') this.settle(effect.command);
      }
      this.run(effects);
      if (wasDragging) {
        this.contentLayer.batchDraw();
        this.overlayLayer.batchDraw();
      }
    });
    const cancel = () => {
      if (this.tool.state.name === 'idle') return;
      this.run(this.tool.cancel());
      this.contentLayer.batchDraw();
      this.overlayLayer.batchDraw();
    };
    on(el, 'pointercancel', cancel);
    on(el, 'lostpointercapture', cancel);
    on(window, 'keydown', (event) => {
      if (event.key === 'Escape' && this.tool.state.name !== 'idle') {
        event.preventDefault();
        cancel();
      }
    });
    on(el, 'dblclick', (event) => {
      this.run(this.tool.doubleClick(this.pointer(event), this.toolContext()));
    });
    on(
      el,
      'wheel',
      (event) => {
        event.preventDefault();
        const unit =
          event.deltaMode === 1 ? WHEEL_LINE_PX : event.deltaMode === 2 ? this.view.width : 1;
        if (event.ctrlKey || event.metaKey) {
          // Pinch on a trackpad arrives as Ctrl+wheel too; exp keeps zoom steps symmetric.
          this.zoom(Math.exp((-event.deltaY * unit) / 300), this.pointer(event).x);
          return;
        }
        const delta = Math.abs(event.deltaX) > Math.abs(event.deltaY) ? event.deltaX : event.deltaY;
        // Shift+wheel scrolls rows that do not fit (Chromium hands a shifted wheel over as
        // deltaX, hence the larger of the two); otherwise the wheel moves along the clip.
        if (event.shiftKey && maxRowScroll(this.rowLayout, this.height) > 0) {
          const rowUnit = event.deltaMode === 2 ? this.height : unit;
          this.setRowScroll(this.rowScroll + delta * rowUnit);
          return;
        }
        this.scrollBy(delta * unit);
      },
      { passive: false },
    );
  }

  // ---- drawing ------------------------------------------------------------------------------

  private drawContent(ctx: CanvasRenderingContext2D): void {
    const { view, layout, data } = this;
    const width = view.width;
    ctx.fillStyle = COLORS.background;
    ctx.fillRect(0, 0, width, this.height);
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    const visible = visibleFrames(view, data.frameCount);
    const dragged = (this.tool.preview ?? this.settling)?.segmentId ?? null;
    const rowById = new Map(data.rows.map((r) => [r.id, r]));
    const ticksById = new Map(data.keyframeTicks.map((t) => [t.trackId, t]));
    const spansById = new Map((data.spanRows ?? []).map((r) => [r.id, r]));

    for (const row of layout.rows) {
      ctx.fillStyle = COLORS.rowBand;
      ctx.fillRect(0, row.y, width, row.height);
      if (row.kind === 'actor') {
        const segments = this.index.rows.get(row.id);
        const color = rowById.get(row.id)?.color ?? COLORS.muted;
        if (segments) this.drawSegments(ctx, segments, row, color, visible, dragged);
      } else if (row.kind === 'spans') {
        const spans = spansById.get(row.id);
        if (spans) this.drawSpans(ctx, spans, row, visible);
      } else {
        const ticks = ticksById.get(row.id);
        if (ticks) this.drawTicks(ctx, ticks, row, visible);
      }
    }
    this.drawRowLabels(ctx, rowById, ticksById, spansById);
    // Last: scrolled rows pass under the ruler.
    this.drawRuler(ctx, visible);
  }

  /**
   * A hand's contact spans: a bar per state from its start to its explicit end, coloured by state,
   * with a dark end mark so where a contact stops is visible; gaps are frames with no state.
   */
  private drawSpans(
    ctx: CanvasRenderingContext2D,
    row: SpanRow,
    at: { y: number; height: number },
    visible: { first: number; last: number },
  ): void {
    const { view } = this;
    const top = at.y + 2;
    const height = at.height - 4;
    // Text starts right of the row's name, which is drawn over the row's left end.
    const nameWidth = Math.min(140, row.label.length * CHAR_WIDTH + 8);
    for (const span of row.spans) {
      if (span.endFrame < visible.first || span.startFrame > visible.last) continue;
      const x0 = Math.max(-1, frameToX(view, span.startFrame));
      const x1 = Math.min(view.width + 1, frameToX(view, span.endFrame + 1));
      ctx.fillStyle = span.color;
      ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
      ctx.fillStyle = COLORS.text;
      ctx.fillRect(Math.max(x0, x1 - 2), top, Math.min(2, Math.max(1, x1 - x0)), height);
      const left = Math.max(x0, nameWidth) + 4;
      const chars = Math.floor((x1 - left - 6) / CHAR_WIDTH);
      if (chars >= 2) {
        const text = span.label.length > chars ? `${span.label.slice(0, chars - 1)}…` : span.label;
        ctx.fillText(text, left, top + height / 2);
      }
    }
  }

  private drawSegments(
    ctx: CanvasRenderingContext2D,
    segments: RowSegments,
    row: { y: number; height: number },
    color: string,
    visible: { first: number; last: number },
    dragged: string | null,
  ): void {
    const { view } = this;
    const top = row.y + 2;
    const height = row.height - 4;
    // Wide bars merge into runs and each style is one path. Narrow bars (far zoom: thousands of
    // sub-pixel bars) only mark the pixel columns they touch, which become whole-pixel runs: the
    // raster cost is then bounded by the width, not the segment count, and unaliased.
    const labeled: Run[] = [];
    const unlabeled: Run[] = [];
    const columns = Math.ceil(view.width) + 2;
    const narrowLabeled = this.columnBuffer(0, columns);
    const narrowUnlabeled = this.columnBuffer(1, columns);
    const texts: { x: number; w: number; text: string }[] = [];
    let selected: Run | null = null;
    const push = (runs: Run[], x0: number, x1: number) => {
      const last = runs[runs.length - 1];
      if (last && x0 <= last.x1 + 1) last.x1 = Math.max(last.x1, x1);
      else runs.push({ x0, x1 });
    };
    const { from, to } = candidateRange(segments, visible.first, visible.last);
    for (let i = from; i < to; i++) {
      const segment = segments.segments[i];
      if (!segment || segment.endFrame < visible.first || segment.id === dragged) continue;
      const x0 = Math.max(-1, frameToX(view, segment.startFrame));
      const x1 = Math.min(view.width + 1, frameToX(view, segment.endFrame + 1));
      const isLabeled = segment.verbId !== null && segment.nounId !== null;
      if (segment.id === this.selectedId) selected = { x0, x1 };
      if (x1 - x0 < NARROW_BAR_PX) {
        const marks = isLabeled ? narrowLabeled : narrowUnlabeled;
        const c0 = Math.max(0, Math.floor(x0));
        const c1 = Math.min(columns, Math.max(c0 + 1, Math.ceil(x1)));
        for (let c = c0; c < c1; c++) marks[c] = 1;
        continue;
      }
      // A visible gap between neighbours keeps their edges apart once bars are wide enough.
      const inset = x1 - x0 > 6 ? 1 : 0;
      push(isLabeled ? labeled : unlabeled, x0 + inset, x1 - inset);
      if (x1 - x0 > 36) {
        texts.push({ x: x0, w: x1 - x0, text: this.data.labelOf(segment) || 'unlabeled' });
      }
    }
    addColumnRuns(labeled, narrowLabeled);
    fillRuns(ctx, labeled, top, height, color);
    fillRuns(ctx, unlabeled, top, height, COLORS.unlabeled);
    if (this.hatch && unlabeled.length > 0) fillRuns(ctx, unlabeled, top, height, this.hatch);
    // Too narrow to show stripes: a darker grey still tells unlabeled work from labeled.
    const narrowRuns: Run[] = [];
    addColumnRuns(narrowRuns, narrowUnlabeled);
    fillRuns(ctx, narrowRuns, top, height, COLORS.hatch);
    if (selected) {
      ctx.strokeStyle = COLORS.selected;
      ctx.lineWidth = 2;
      const { x0, x1 } = selected;
      ctx.strokeRect(x0 + 1, top + 1, Math.max(1, x1 - x0 - 2), height - 2);
    }
    ctx.fillStyle = COLORS.text;
    for (const { x, w, text } of texts) {
      const left = Math.max(x, 0) + 4;
      const room = Math.min(x + w, this.view.width) - left - 4;
      const chars = Math.floor(room / CHAR_WIDTH);
      if (chars < 2) continue;
      ctx.fillText(
        text.length > chars ? `${text.slice(0, chars - 1)}…` : text,
        left,
        top + height / 2,
      );
    }
  }

  /** Reused per draw: a cleared column mask per style, so far-zoom frames allocate nothing. */
  private columnBuffer(slot: 0 | 1, columns: number): Uint8Array {
    let buffer = this.columnBuffers[slot];
    if (buffer.length < columns) {
      buffer = new Uint8Array(columns);
      this.columnBuffers[slot] = buffer;
    } else {
      buffer.fill(0, 0, columns);
    }
    return buffer.subarray(0, columns);
  }

  private drawTicks(
    ctx: CanvasRenderingContext2D,
    ticks: KeyframeTickRow,
    row: { y: number; height: number },
    visible: { first: number; last: number },
  ): void {
    const { from, to } = framesInRange(ticks.frames, visible.first, visible.last);
    const w = Math.max(1, Math.min(4, this.view.pixelsPerFrame));
    ctx.fillStyle = ticks.color;
    ctx.beginPath();
    // Ticks that touch or share pixel columns become one rect: at far zoom thousands of ticks
    // cost a few rects per row instead of one each.
    let runStart = 0;
    let runEnd = -Infinity;
    const top = row.y + 1;
    const height = row.height - 2;
    for (let i = from; i < to; i++) {
      const x = Math.floor(frameToX(this.view, (ticks.frames[i] ?? 0) + 0.5) - w / 2);
      if (x <= runEnd) {
        runEnd = Math.max(runEnd, x + w);
        continue;
      }
      if (runEnd > runStart) ctx.rect(runStart, top, runEnd - runStart, height);
      runStart = x;
      runEnd = x + w;
    }
    if (runEnd > runStart) ctx.rect(runStart, top, runEnd - runStart, height);
    ctx.fill();
  }

  private drawRuler(ctx: CanvasRenderingContext2D, visible: { first: number; last: number }): void {
    const { view, layout } = this;
    const h = layout.rulerHeight;
    ctx.fillStyle = COLORS.ruler;
    ctx.fillRect(0, 0, view.width, h);
    ctx.fillStyle = COLORS.border;
    ctx.fillRect(0, h - 1, view.width, 1);
    const ticks = rulerTicks(view, this.data.frameCount);
    ctx.fillStyle = COLORS.muted;
    ctx.beginPath();
    if (ticks.minorStep < ticks.majorStep) {
      const start = Math.ceil(visible.first / ticks.minorStep) * ticks.minorStep;
      for (let f = start; f <= visible.last; f += ticks.minorStep) {
        if (f % ticks.majorStep !== 0) ctx.rect(Math.floor(frameToX(view, f)), h - 5, 1, 4);
      }
    }
    for (const f of ticks.major) ctx.rect(Math.floor(frameToX(view, f)), h - 10, 1, 9);
    ctx.fill();
    ctx.fillStyle = COLORS.text;
    for (const f of ticks.major) {
      ctx.fillText(formatRulerLabel(f, this.data.fps), Math.floor(frameToX(view, f)) + 3, 8);
    }
    // A comment's tick: a small downward triangle on the ruler's lower edge, open ones orange.
    for (const tick of this.data.commentTicks ?? []) {
      if (tick.frame < visible.first || tick.frame > visible.last) continue;
      const x = Math.floor(frameToX(view, tick.frame + 0.5));
      ctx.fillStyle = tick.resolved ? '#9a9a9a' : '#ff8c1a';
      ctx.beginPath();
      ctx.moveTo(x - 5, h - 10);
      ctx.lineTo(x + 5, h - 10);
      ctx.lineTo(x, h - 1);
      ctx.closePath();
      ctx.fill();
    }
  }

  private drawRowLabels(
    ctx: CanvasRenderingContext2D,
    rows: ReadonlyMap<string, TimelineRow>,
    ticks: ReadonlyMap<string, KeyframeTickRow>,
    spans: ReadonlyMap<string, SpanRow>,
  ): void {
    for (const row of this.layout.rows) {
      const label =
        row.kind === 'actor'
          ? rows.get(row.id)?.label
          : row.kind === 'spans'
            ? spans.get(row.id)?.label
            : ticks.get(row.id)?.label;
      if (!label) continue;
      const small = row.kind === 'ticks';
      ctx.font = small ? '9px system-ui, sans-serif' : FONT;
      const w = Math.min(140, label.length * (small ? 5.2 : CHAR_WIDTH) + 8);
      ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
      ctx.fillRect(0, row.y, w, row.height);
      ctx.fillStyle = small ? COLORS.muted : COLORS.text;
      ctx.fillText(label, 4, row.y + row.height / 2, w - 8);
    }
    ctx.font = FONT;
  }

  private drawOverlay(ctx: CanvasRenderingContext2D): void {
    const { view } = this;
    const preview = this.tool.preview ?? this.settling;
    if (preview) {
      const row = this.layout.rows.find((r) => r.kind === 'actor' && r.id === preview.actor);
      if (row) {
        const x0 = frameToX(view, preview.startFrame);
        const x1 = frameToX(view, preview.endFrame + 1);
        ctx.fillStyle = COLORS.preview;
        ctx.fillRect(x0, row.y + 2, x1 - x0, row.height - 4);
        ctx.strokeStyle = COLORS.selected;
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 + 1, row.y + 3, Math.max(1, x1 - x0 - 2), row.height - 6);
      }
    }
    const x0 = frameToX(view, this.playhead);
    const x1 = frameToX(view, this.playhead + 1);
    if (x1 < 0 || x0 > view.width) return;
    ctx.fillStyle = COLORS.playhead;
    if (x1 - x0 >= 4) {
      // Close in, the playhead covers its whole frame, so it is clear which frame is current.
      ctx.globalAlpha = 0.15;
      ctx.fillRect(x0, 0, x1 - x0, this.height);
      ctx.globalAlpha = 1;
    }
    const x = Math.floor((x0 + x1) / 2);
    ctx.fillRect(x, 0, 1, this.height);
    ctx.beginPath();
    ctx.moveTo(x - 5, 0);
    ctx.lineTo(x + 6, 0);
    ctx.lineTo(x + 0.5, 7);
    ctx.closePath();
    ctx.fill();
  }
}

/** Appends the runs of marked columns, as whole-pixel spans. */
function addColumnRuns(runs: Run[], marks: Uint8Array): void {
  let start = -1;
  for (let c = 0; c <= marks.length; c++) {
    const marked = c < marks.length && marks[c] === 1;
    if (marked && start < 0) start = c;
    else if (!marked && start >= 0) {
      runs.push({ x0: start, x1: c });
      start = -1;
    }
  }
}

function fillRuns(
  ctx: CanvasRenderingContext2D,
  runs: readonly Run[],
  top: number,
  height: number,
  style: string | CanvasPattern,
): void {
  if (runs.length === 0) return;
  ctx.fillStyle = style;
  ctx.beginPath();
  for (const { x0, x1 } of runs) ctx.rect(x0, top, Math.max(1, x1 - x0), height);
  ctx.fill();
}

/** Diagonal stripes over the grey of unlabeled bars, so they read as "to do" at any zoom. */
function makeHatch(): CanvasPattern | null {
  const tile = document.createElement('canvas');
  tile.width = 8;
  tile.height = 8;
  const ctx = tile.getContext('2d');
  if (!ctx) return null;
  ctx.strokeStyle = COLORS.hatch;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(0, 8);
  ctx.lineTo(8, 0);
  ctx.moveTo(-2, 2);
  ctx.lineTo(2, -2);
  ctx.moveTo(6, 10);
  ctx.lineTo(10, 6);
  ctx.stroke();
  return ctx.createPattern(tile, 'repeat');
}

function cursorFor(hit: TimelineHit): string {
  if (hit.kind === 'segment') return hit.part === 'body' ? 'grab' : 'ew-resize';
  if (hit.kind === 'ruler') return 'col-resize';
  // A drag on a row's empty space makes a segment.
  if (hit.kind === 'row') return 'crosshair';
  return 'default';
}
