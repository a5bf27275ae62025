import { describe, expect, it } from 'vitest';
import type { Segment } from '../../../../shared/domain/labels';
import { SegmentEdgeTool, type Effect, type ToolContext } from './segmentEdgeTool';
import { indexSegments, layoutRows } from './timelineView';

function seg(id: string, startFrame: number, endFrame: number, actor = 'a'): Segment {
  return { id, startFrame, endFrame, actor, verbId: null, nounId: null, note: '' };
}

/** 10 px per frame from frame 0; ruler y 0–20, row a y 20–50, row b y 50–80. */
function context(segments: readonly Segment[], allowOverlap = false): ToolContext {
  return {
    view: { firstVisibleFrame: 0, pixelsPerFrame: 10, width: 1000 },
    layout: layoutRows(['a', 'b'], [], {
      rulerHeight: 20,
      actorRowHeight: 30,
      tickRowHeight: 10,
      gap: 0,
    }),
    index: indexSegments(segments),
    frameCount: 100,
    allowOverlap,
  };
}

const ROW_A = 35;
const ROW_B = 65;

/** Presses at `from`, moves through `path`, releases at the last point; returns all effects. */
function drag(
  tool: SegmentEdgeTool,
  ctx: ToolContext,
  from: [number, number],
  ...path: [number, number][]
): Effect[] {
  const effects: Effect[] = [...tool.pointerDown({ x: from[0], y: from[1] }, ctx)];
  for (const [x, y] of path) effects.push(...tool.pointerMove({ x, y }, ctx));
  const last = path.at(-1) ?? from;
  effects.push(...tool.pointerUp({ x: last[0], y: last[1] }, ctx));
  return effects;
}

const commands = (effects: readonly Effect[]) => effects.filter((e) => e.type === 'command');

describe('segment edge tool', () => {
  const segments = [seg('s1', 10, 19), seg('s2', 30, 39), seg('s3', 50, 59, 'b')];

  it('dragging the end edge snaps to frames and emits one update on release', () => {
    const tool = new SegmentEdgeTool();
    const ctx = context(segments);
    const effects = drag(tool, ctx, [200, ROW_A], [210, ROW_A], [232, ROW_A], [247, ROW_A]);
    expect(commands(effects)).toEqual([
      {
        type: 'command',
        command: { type: 'updateSegment', segmentId: 's1', patch: { endFrame: 24 } },
      },
    ]);
    expect(tool.state.name).toBe('idle');
  });

  it('shows the dragged edges as a preview until release', () => {
    const tool = new SegmentEdgeTool();
    const ctx = context(segments);
    tool.pointerDown({ x: 100, y: ROW_A }, ctx);
    tool.pointerMove({ x: 72, y: ROW_A }, ctx);
    expect(tool.state.name).toBe('draggingEdge');
    expect(tool.preview).toEqual({ segmentId: 's1', actor: 'a', startFrame: 7, endFrame: 19 });
  });

  it('dragging the start edge emits a start patch', () => {
    const tool = new SegmentEdgeTool();
    const effects = drag(tool, context(segments), [99, ROW_A], [41, ROW_A]);
    expect(commands(effects)).toEqual([
      {
        type: 'command',
        command: { type: 'updateSegment', segmentId: 's1', patch: { startFrame: 4 } },
      },
    ]);
  });

  it('emits nothing when a drag ends where it began', () => {
    const tool = new SegmentEdgeTool();
    const effects = drag(tool, context(segments), [200, ROW_A], [260, ROW_A], [201, ROW_A]);
    expect(commands(effects)).toEqual([]);
  });

  it('stops a start edge at the end edge, so a segment keeps at least one frame', () => {
    const tool = new SegmentEdgeTool();
    const effects = drag(tool, context(segments), [100, ROW_A], [900, ROW_A]);
    expect(commands(effects)).toEqual([
      {
        type: 'command',
        command: { type: 'updateSegment', segmentId: 's1', patch: { startFrame: 19 } },
      },
    ]);
  });

  it('stops an edge at the clip ends', () => {
    const tool = new SegmentEdgeTool();
    const ctx = context([seg('solo', 10, 19)]);
    expect(commands(drag(tool, ctx, [100, ROW_A], [-300, ROW_A]))).toEqual([
      {
        type: 'command',
        command: { type: 'updateSegment', segmentId: 'solo', patch: { startFrame: 0 } },
      },
    ]);
    expect(commands(drag(tool, ctx, [200, ROW_A], [5000, ROW_A]))).toEqual([
      {
        type: 'command',
        command: { type: 'updateSegment', segmentId: 'solo', patch: { endFrame: 99 } },
      },
    ]);
  });

  it('stops an edge before a neighbour in the row unless the project allows overlap', () => {
    const tool = new SegmentEdgeTool();
    const blocked = drag(tool, context(segments), [200, ROW_A], [450, ROW_A]);
    expect(commands(blocked)).toEqual([
      {
        type: 'command',
        command: { type: 'updateSegment', segmentId: 's1', patch: { endFrame: 29 } },
      },
    ]);
    const allowed = drag(tool, context(segments, true), [200, ROW_A], [450, ROW_A]);
    expect(commands(allowed)).toEqual([
      {
        type: 'command',
        command: { type: 'updateSegment', segmentId: 's1', patch: { endFrame: 44 } },
      },
    ]);
  });

  it('moves a segment by its body, keeping its length and its row free of overlap', () => {
    const tool = new SegmentEdgeTool();
    const moved = drag(tool, context(segments), [150, ROW_A], [180, ROW_A]);
    expect(commands(moved)).toEqual([
      {
        type: 'command',
        command: {
          type: 'updateSegment',
          segmentId: 's1',
          patch: { startFrame: 13, endFrame: 22 },
        },
      },
    ]);
    const stopped = drag(tool, context(segments), [150, ROW_A], [400, ROW_A]);
    expect(commands(stopped)).toEqual([
      {
        type: 'command',
        command: {
          type: 'updateSegment',
          segmentId: 's1',
          patch: { startFrame: 20, endFrame: 29 },
        },
      },
    ]);
  });

  it('a click on a segment selects it and emits no command', () => {
    const tool = new SegmentEdgeTool();
    const effects = drag(tool, context(segments), [550, ROW_B], [551, ROW_B]);
    expect(effects).toEqual([{ type: 'select', segmentId: 's3' }]);
  });

  it('a click on empty row space deselects and seeks to the frame under it', () => {
    const tool = new SegmentEdgeTool();
    const effects = drag(tool, context(segments), [705, ROW_A]);
    expect(effects).toEqual([
      { type: 'select', segmentId: null },
      { type: 'seek', frame: 70 },
    ]);
  });

  it('pressing the ruler seeks, and dragging along it scrubs frame by frame', () => {
    const tool = new SegmentEdgeTool();
    const effects = drag(tool, context(segments), [125, 10], [128, 10], [135, 10], [161, 10]);
    expect(effects).toEqual([
      { type: 'seek', frame: 12 },
      { type: 'seek', frame: 13 },
      { type: 'seek', frame: 16 },
    ]);
  });

  it('a double click on a segment asks for its label', () => {
    const tool = new SegmentEdgeTool();
    const effects = tool.doubleClick({ x: 350, y: ROW_A }, context(segments));
    expect(effects).toEqual([
      { type: 'select', segmentId: 's2' },
      { type: 'requestLabel', segmentId: 's2' },
    ]);
    expect(tool.doubleClick({ x: 700, y: ROW_A }, context(segments))).toEqual([]);
  });

  it('cancelling a drag drops it without a command', () => {
    const tool = new SegmentEdgeTool();
    const ctx = context(segments);
    tool.pointerDown({ x: 200, y: ROW_A }, ctx);
    tool.pointerMove({ x: 300, y: ROW_A }, ctx);
    tool.cancel();
    expect(tool.state.name).toBe('idle');
    expect(tool.pointerUp({ x: 300, y: ROW_A }, ctx)).toEqual([]);
  });

  it('a drag on empty row space creates a segment over the frames it crossed, in that row', () => {
    const tool = new SegmentEdgeTool(() => 'new');
    const ctx = context(segments);
    tool.pointerDown({ x: 655, y: ROW_A }, ctx);
    tool.pointerMove({ x: 700, y: ROW_A }, ctx);
    expect(tool.preview).toEqual({ segmentId: 'new', actor: 'a', startFrame: 65, endFrame: 70 });
    const effects = tool.pointerUp({ x: 782, y: ROW_A }, ctx);
    expect(effects).toEqual([
      {
        type: 'command',
        command: {
          type: 'addSegment',
          segment: {
            id: 'new',
            actor: 'a',
            startFrame: 65,
            endFrame: 78,
            verbId: null,
            nounId: null,
            note: '',
          },
        },
      },
      { type: 'select', segmentId: 'new' },
    ]);
    expect(tool.state.name).toBe('idle');
  });

  it('a leftward drag creates the segment from where it ends to where it began', () => {
    const tool = new SegmentEdgeTool(() => 'new');
    const effects = drag(tool, context(segments), [895, ROW_B], [870, ROW_B], [812, ROW_B]);
    expect(commands(effects)).toMatchObject([
      { command: { type: 'addSegment', segment: { actor: 'b', startFrame: 81, endFrame: 89 } } },
    ]);
  });

  it('a new segment stops short of its neighbours unless the project allows overlap', () => {
    // Row a has s1 (10–19) and s2 (30–39): a drag from 25 stops at 20 and at 29.
    const back = drag(new SegmentEdgeTool(() => 'n'), context(segments), [255, ROW_A], [40, ROW_A]);
    expect(commands(back)).toMatchObject([
      { command: { segment: { startFrame: 20, endFrame: 25 } } },
    ]);
    const on = drag(new SegmentEdgeTool(() => 'n'), context(segments), [255, ROW_A], [450, ROW_A]);
    expect(commands(on)).toMatchObject([
      { command: { segment: { startFrame: 25, endFrame: 29 } } },
    ]);
    const overlapping = drag(
      new SegmentEdgeTool(() => 'n'),
      context(segments, true),
      [255, ROW_A],
      [450, ROW_A],
    );
    expect(commands(overlapping)).toMatchObject([
      { command: { segment: { startFrame: 25, endFrame: 45 } } },
    ]);
  });

  it('a press on a row that moves less than the drag threshold is still a click', () => {
    const tool = new SegmentEdgeTool(() => 'new');
    const effects = drag(tool, context(segments), [705, ROW_A], [707, ROW_A]);
    expect(commands(effects)).toEqual([]);
    expect(effects).toContainEqual({ type: 'seek', frame: 70 });
  });

  it('names a drawn segment with a fresh UUID by default', () => {
    const effects = drag(new SegmentEdgeTool(), context(segments), [655, ROW_A], [700, ROW_A]);
    const added = commands(effects)[0];
    const id = added?.command.type === 'addSegment' ? added.command.segment.id : '';
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
