import { describe, expect, it } from 'vitest';
import {
  applyCommand,
  BUILT_IN_TEMPLATES,
  COCO_BODY_TEMPLATE_ID,
  emptyKeyframe,
  keyframeFromPose,
  poseAt,
  type Command,
  type Keyframe,
  type LabelsDocument,
  type Point,
  type Track,
} from '../../../../shared/domain/labels';
import { buildOverlayScene, type OverlaySelection } from '../overlay/overlayScene';
import { KeypointTool } from './keypointTool';
import { NO_MODIFIERS, type Hit, type ToolContext, type ToolOutput } from './overlayTool';

const VIDEO = { width: 1920, height: 1080 };
/** Screen = video / 2 here, as at 960×540: the click slop is measured in screen pixels. */
const SCREEN_PER_VIDEO = 0.5;
const COUNT = 17;

function keyframe(frame: number, placed: Record<number, Point>): Keyframe {
  const base = emptyKeyframe(frame, COUNT);
  return {
    frame,
    points: base.points.map((_, i) => {
      const at = placed[i];
      return at ? { ...at, visibility: 'visible' as const, source: 'manual' as const } : null;
    }),
  };
}

function person(keyframes: Keyframe[]): Track {
  return {
    id: 'p1',
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label: 'Person 1',
    color: '#ff0000',
    keyframes,
  };
}

function docOf(track: Track): LabelsDocument {
  return { tracks: [track], segments: [], contacts: [] };
}

function contextFor(
  doc: LabelsDocument,
  frame: number,
  selection: Partial<OverlaySelection> = {},
): ToolContext {
  return {
    scene: buildOverlayScene(doc, frame, BUILT_IN_TEMPLATES, {
      trackId: null,
      point: null,
      contactId: null,
      ...selection,
    }),
    videoSize: VIDEO,
  };
}

/** Drives a tool as the engine does: video coordinates, screen coordinates and the hit. */
function pointer(video: Point, hit: Hit = { kind: 'empty' }) {
  return {
    video,
    screen: { x: video.x * SCREEN_PER_VIDEO, y: video.y * SCREEN_PER_VIDEO },
    hit,
    modifiers: NO_MODIFIERS,
  };
}

function commandsOf(outputs: readonly ToolOutput[]): Command[] {
  return outputs.flatMap((o) => (o.type === 'command' ? [o.command] : []));
}

const EDIT_CONTEXT = { frameCount: 100, allowSegmentOverlap: false, templates: BUILT_IN_TEMPLATES };

describe('keypoint tool', () => {
  const onKeyframe = docOf(
    person([keyframe(10, { 0: { x: 100, y: 100 }, 1: { x: 200, y: 100 } })]),
  );
  const hitNose: Hit = { kind: 'point', trackId: 'p1', index: 0 };

  it('a press on a point selects it and a drag emits previews but exactly one setPoint on release', () => {
    const tool = new KeypointTool({ newGestureId: () => 'g1' });
    const context = contextFor(onKeyframe, 10);
    const outputs: ToolOutput[] = [];
    outputs.push(...tool.pointerDown(pointer({ x: 102, y: 101 }, hitNose), context));
    expect(outputs).toEqual([{ type: 'select', selection: { trackId: 'p1', point: 0 } }]);
    for (let step = 1; step <= 20; step++) {
      const moved = tool.pointerMove(pointer({ x: 102 + step * 5, y: 101 + step }), context);
      expect(commandsOf(moved)).toEqual([]);
      outputs.push(...moved);
    }
    expect(tool.state).toBe('dragging');
    const last = outputs[outputs.length - 1];
    // The point keeps its offset from the pointer instead of jumping under it.
    expect(last).toEqual({
      type: 'preview',
      preview: { kind: 'point', trackId: 'p1', index: 0, at: { x: 200, y: 120 } },
    });
    const released = tool.pointerUp(pointer({ x: 202, y: 121 }), context);
    expect(commandsOf([...outputs, ...released])).toEqual([
      {
        type: 'setPoint',
        trackId: 'p1',
        frame: 10,
        index: 0,
        point: { x: 200, y: 120, visibility: 'visible', source: 'manual' },
        gesture: 'g1',
      },
    ]);
    expect(released[0]).toEqual({ type: 'preview', preview: null });
    expect(tool.state).toBe('idle');
  });

  it('a drag keeps an occluded point occluded and makes a model point manual', () => {
    const track = person([keyframe(10, {})]);
    const points = [...(track.keyframes[0] as Keyframe).points];
    points[3] = { x: 50, y: 60, visibility: 'occluded', source: 'model', model: 'm', score: 0.4 };
    const doc = docOf({ ...track, keyframes: [{ frame: 10, points }] });
    const tool = new KeypointTool();
    const context = contextFor(doc, 10);
    tool.pointerDown(
      pointer({ x: 50, y: 60 }, { kind: 'point', trackId: 'p1', index: 3 }),
      context,
    );
    tool.pointerMove(pointer({ x: 70, y: 60 }), context);
    const [command] = commandsOf(tool.pointerUp(pointer({ x: 70, y: 60 }), context));
    expect(command).toMatchObject({
      type: 'setPoint',
      point: { x: 70, y: 60, visibility: 'occluded', source: 'manual' },
    });
  });

  it('a drag on an interpolated frame makes the shown pose a keyframe and moves the point, in one batch', () => {
    const doc = docOf(
      person([
        keyframe(0, { 0: { x: 100, y: 100 }, 1: { x: 200, y: 100 } }),
        keyframe(10, { 0: { x: 200, y: 100 }, 1: { x: 300, y: 100 } }),
      ]),
    );
    const tool = new KeypointTool({ newGestureId: () => 'g2' });
    const context = contextFor(doc, 5);
    const pose = poseAt(doc.tracks[0] as Track, 5);
    if (!pose) throw new Error('no pose');
    tool.pointerDown(pointer({ x: 150, y: 100 }, hitNose), context);
    tool.pointerMove(pointer({ x: 150, y: 140 }), context);
    const commands = commandsOf(tool.pointerUp(pointer({ x: 150, y: 140 }), context));
    expect(commands).toEqual([
      {
        type: 'batch',
        commands: [
          { type: 'setKeyframe', trackId: 'p1', keyframe: keyframeFromPose(pose, COUNT) },
          {
            type: 'setPoint',
            trackId: 'p1',
            frame: 5,
            index: 0,
            point: { x: 150, y: 140, visibility: 'visible', source: 'manual' },
            gesture: 'g2',
          },
        ],
      },
    ]);
    // The domain accepts it: the new keyframe keeps the other interpolated point as manual.
    const applied = applyCommand(doc, commands[0] as Command, EDIT_CONTEXT);
    expect(applied.ok && applied.doc.tracks[0]?.keyframes[1]?.points.slice(0, 2)).toEqual([
      { x: 150, y: 140, visibility: 'visible', source: 'manual' },
      { x: 250, y: 100, visibility: 'visible', source: 'manual' },
    ]);
  });

  it('Shift+drag on any point moves the whole skeleton as one keyframe: one command, one undo', () => {
    const doc = docOf(
      person([
        keyframe(0, { 0: { x: 100, y: 100 }, 1: { x: 200, y: 100 } }),
        keyframe(10, { 0: { x: 200, y: 100 }, 1: { x: 300, y: 100 } }),
      ]),
    );
    const tool = new KeypointTool();
    const context = contextFor(doc, 5);
    const shifted = { ...pointer({ x: 250, y: 100 }, { kind: 'point', trackId: 'p1', index: 1 }) };
    tool.pointerDown({ ...shifted, modifiers: { ...NO_MODIFIERS, shift: true } }, context);
    const previews: ToolOutput[] = [];
    for (let step = 1; step <= 6; step++) {
      previews.push(
        ...tool.pointerMove(pointer({ x: 250 + step * 5, y: 100 + step * 10 }), context),
      );
    }
    expect(commandsOf(previews)).toEqual([]);
    expect(previews[previews.length - 1]).toEqual({
      type: 'preview',
      preview: { kind: 'skeleton', trackId: 'p1', dx: 30, dy: 60 },
    });
    const commands = commandsOf(tool.pointerUp(pointer({ x: 280, y: 160 }), context));
    expect(commands).toHaveLength(1);
    const applied = applyCommand(doc, commands[0] as Command, EDIT_CONTEXT);
    if (!applied.ok) throw new Error(applied.error.message);
    expect(applied.doc.tracks[0]?.keyframes[1]?.points.slice(0, 3)).toEqual([
      { x: 180, y: 160, visibility: 'visible', source: 'manual' },
      { x: 280, y: 160, visibility: 'visible', source: 'manual' },
      null,
    ]);
    // One undo takes the whole move (and the keyframe it made) back.
    expect(applyCommand(applied.doc, applied.inverse, EDIT_CONTEXT)).toMatchObject({ doc });
  });

  it('a corner handle scales the whole skeleton about the opposite corner: one command, one undo', () => {
    const doc = docOf(
      person([
        keyframe(10, { 0: { x: 100, y: 100 }, 1: { x: 200, y: 300 }, 2: { x: 150, y: 200 } }),
      ]),
    );
    const tool = new KeypointTool();
    const context = contextFor(doc, 10, { trackId: 'p1' });
    // The south-east handle sits a little outside (200, 300); dragged to twice as far from (100, 100).
    const handle: Hit = { kind: 'skeletonHandle', trackId: 'p1', handle: 'se' };
    tool.pointerDown(pointer({ x: 210, y: 320 }, handle), context);
    const moves = tool.pointerMove(pointer({ x: 320, y: 540 }), context);
    expect(moves).toMatchObject([
      { type: 'preview', preview: { kind: 'skeletonTransform', transform: { factor: 2 } } },
    ]);
    const commands = commandsOf(tool.pointerUp(pointer({ x: 320, y: 540 }), context));
    expect(commands).toHaveLength(1);
    const applied = applyCommand(doc, commands[0] as Command, EDIT_CONTEXT);
    if (!applied.ok) throw new Error(applied.error.message);
    expect(applied.doc.tracks[0]?.keyframes[0]?.points.slice(0, 4)).toEqual([
      { x: 100, y: 100, visibility: 'visible', source: 'manual' },
      { x: 300, y: 500, visibility: 'visible', source: 'manual' },
      { x: 200, y: 300, visibility: 'visible', source: 'manual' },
      null,
    ]);
    expect(applyCommand(applied.doc, applied.inverse, EDIT_CONTEXT)).toMatchObject({ doc });
  });

  it('the rotation handle turns the whole skeleton about its box centre', () => {
    const doc = docOf(person([keyframe(10, { 0: { x: 100, y: 100 }, 1: { x: 300, y: 100 } })]));
    const tool = new KeypointTool();
    const context = contextFor(doc, 10, { trackId: 'p1' });
    // Centre (200, 100); the handle pressed straight above it and dragged round to its right.
    tool.pointerDown(
      pointer({ x: 200, y: 40 }, { kind: 'skeletonHandle', trackId: 'p1', handle: 'rotate' }),
      context,
    );
    tool.pointerMove(pointer({ x: 230, y: 60 }), context);
    const commands = commandsOf(tool.pointerUp(pointer({ x: 260, y: 100 }), context));
    const applied = applyCommand(doc, commands[0] as Command, EDIT_CONTEXT);
    if (!applied.ok) throw new Error(applied.error.message);
    const [a, b] = applied.doc.tracks[0]?.keyframes[0]?.points ?? [];
    expect(a?.x).toBeCloseTo(200);
    expect(a?.y).toBeCloseTo(0);
    expect(b?.x).toBeCloseTo(200);
    expect(b?.y).toBeCloseTo(200);
  });

  it('Shift+click on a point selects the whole skeleton, no single point', () => {
    const tool = new KeypointTool();
    const context = contextFor(onKeyframe, 10);
    const press = pointer({ x: 100, y: 100 }, { kind: 'point', trackId: 'p1', index: 0 });
    tool.pointerDown({ ...press, modifiers: { ...NO_MODIFIERS, shift: true } }, context);
    expect(tool.pointerUp(press, context)).toEqual([
      { type: 'select', selection: { trackId: 'p1', point: null } },
    ]);
  });

  it('a handle pressed and released in place changes nothing', () => {
    const doc = docOf(person([keyframe(10, { 0: { x: 100, y: 100 }, 1: { x: 300, y: 100 } })]));
    const tool = new KeypointTool();
    const context = contextFor(doc, 10, { trackId: 'p1' });
    const press = pointer(
      { x: 310, y: 110 },
      { kind: 'skeletonHandle', trackId: 'p1', handle: 'se' },
    );
    tool.pointerDown(press, context);
    expect(commandsOf(tool.pointerUp(press, context))).toEqual([]);
    expect(tool.state).toBe('idle');
  });

  it('two drags of the same point carry different gestures, so undo does not merge them', () => {
    const tool = new KeypointTool();
    const context = contextFor(onKeyframe, 10);
    const drag = () => {
      tool.pointerDown(pointer({ x: 100, y: 100 }, hitNose), context);
      tool.pointerMove(pointer({ x: 120, y: 100 }), context);
      return commandsOf(tool.pointerUp(pointer({ x: 120, y: 100 }), context))[0];
    };
    const first = drag();
    const second = drag();
    expect(first?.type === 'setPoint' && first.gesture).toBeTruthy();
    expect(first?.type === 'setPoint' && second?.type === 'setPoint' && first.gesture).not.toBe(
      second?.type === 'setPoint' && second.gesture,
    );
  });

  it('a press and release on a point without moving past the slop selects it and edits nothing', () => {
    const tool = new KeypointTool();
    const context = contextFor(onKeyframe, 10);
    tool.pointerDown(pointer({ x: 100, y: 100 }, hitNose), context);
    // 4 video px is 2 screen px at this zoom: still a click.
    expect(tool.pointerMove(pointer({ x: 104, y: 100 }), context)).toEqual([]);
    expect(tool.pointerUp(pointer({ x: 104, y: 100 }), context)).toEqual([]);
    expect(tool.state).toBe('idle');
  });

  it('Escape during a drag cancels it: the preview goes and no command is made', () => {
    const tool = new KeypointTool();
    const context = contextFor(onKeyframe, 10);
    tool.pointerDown(pointer({ x: 100, y: 100 }, hitNose), context);
    tool.pointerMove(pointer({ x: 150, y: 150 }), context);
    expect(tool.cancel()).toEqual([{ type: 'preview', preview: null }]);
    expect(tool.state).toBe('idle');
    expect(commandsOf(tool.pointerUp(pointer({ x: 160, y: 160 }), context))).toEqual([]);
  });

  it('a drag stops at the picture edge', () => {
    const tool = new KeypointTool();
    const context = contextFor(onKeyframe, 10);
    tool.pointerDown(pointer({ x: 100, y: 100 }, hitNose), context);
    tool.pointerMove(pointer({ x: -500, y: 5000 }), context);
    const [command] = commandsOf(tool.pointerUp(pointer({ x: -500, y: 5000 }), context));
    expect(command).toMatchObject({ point: { x: 0, y: 1080 } });
  });

  it('a click on empty space places the selected slot when it is empty, then selects the next empty slot', () => {
    const tool = new KeypointTool({ newGestureId: () => 'g' });
    const context = contextFor(onKeyframe, 10, { trackId: 'p1', point: 5 });
    tool.pointerDown(pointer({ x: 400, y: 300 }), context);
    const outputs = tool.pointerUp(pointer({ x: 401, y: 300 }), context);
    expect(outputs).toEqual([
      {
        type: 'command',
        command: {
          type: 'setPoint',
          trackId: 'p1',
          frame: 10,
          index: 5,
          point: { x: 401, y: 300, visibility: 'visible', source: 'manual' },
          gesture: 'g',
        },
      },
      { type: 'select', selection: { trackId: 'p1', point: 6 } },
    ]);
  });

  it('a click with a placed point selected places the first empty slot instead', () => {
    const tool = new KeypointTool();
    const context = contextFor(onKeyframe, 10, { trackId: 'p1', point: 0 });
    tool.pointerDown(pointer({ x: 400, y: 300 }), context);
    const outputs = tool.pointerUp(pointer({ x: 400, y: 300 }), context);
    expect(commandsOf(outputs)[0]).toMatchObject({ type: 'setPoint', index: 2 });
    expect(outputs[1]).toEqual({ type: 'select', selection: { trackId: 'p1', point: 3 } });
  });

  it('placing on a frame outside the track makes an empty keyframe first', () => {
    const tool = new KeypointTool({ newGestureId: () => 'g' });
    const context = contextFor(onKeyframe, 40, { trackId: 'p1' });
    tool.pointerDown(pointer({ x: 400, y: 300 }), context);
    const outputs = tool.pointerUp(pointer({ x: 400, y: 300 }), context);
    const commands = commandsOf(outputs);
    expect(commands).toEqual([
      {
        type: 'batch',
        commands: [
          { type: 'setKeyframe', trackId: 'p1', keyframe: emptyKeyframe(40, COUNT) },
          {
            type: 'setPoint',
            trackId: 'p1',
            frame: 40,
            index: 0,
            point: { x: 400, y: 300, visibility: 'visible', source: 'manual' },
            gesture: 'g',
          },
        ],
      },
    ]);
    expect(outputs[1]).toEqual({ type: 'select', selection: { trackId: 'p1', point: 1 } });
    expect(applyCommand(onKeyframe, commands[0] as Command, EDIT_CONTEXT).ok).toBe(true);
  });

  it('placing on an interpolated frame keeps the shown pose in the new keyframe', () => {
    const doc = docOf(
      person([keyframe(0, { 0: { x: 0, y: 0 } }), keyframe(10, { 0: { x: 10, y: 0 } })]),
    );
    const tool = new KeypointTool();
    const context = contextFor(doc, 4, { trackId: 'p1' });
    tool.pointerDown(pointer({ x: 400, y: 300 }), context);
    const [command] = commandsOf(tool.pointerUp(pointer({ x: 400, y: 300 }), context));
    const pose = poseAt(doc.tracks[0] as Track, 4);
    if (!pose) throw new Error('no pose');
    expect(command).toMatchObject({
      type: 'batch',
      commands: [
        { type: 'setKeyframe', keyframe: keyframeFromPose(pose, COUNT) },
        { type: 'setPoint', frame: 4, index: 1 },
      ],
    });
  });

  it('placing the last empty slot leaves no point selected', () => {
    const all: Record<number, Point> = {};
    for (let i = 0; i < COUNT - 1; i++) all[i] = { x: i, y: i };
    const doc = docOf(person([keyframe(10, all)]));
    const tool = new KeypointTool();
    const context = contextFor(doc, 10, { trackId: 'p1' });
    tool.pointerDown(pointer({ x: 400, y: 300 }), context);
    const outputs = tool.pointerUp(pointer({ x: 400, y: 300 }), context);
    expect(commandsOf(outputs)[0]).toMatchObject({ index: COUNT - 1 });
    expect(outputs[1]).toEqual({ type: 'select', selection: { trackId: 'p1', point: null } });
  });

  it('a click on empty space with nothing to place clears the point selection', () => {
    const all: Record<number, Point> = {};
    for (let i = 0; i < COUNT; i++) all[i] = { x: i, y: i };
    const full = docOf(person([keyframe(10, all)]));
    const tool = new KeypointTool();
    const withTrack = contextFor(full, 10, { trackId: 'p1', point: 3 });
    tool.pointerDown(pointer({ x: 400, y: 300 }), withTrack);
    expect(tool.pointerUp(pointer({ x: 400, y: 300 }), withTrack)).toEqual([
      { type: 'select', selection: { trackId: 'p1', point: null } },
    ]);
    const noTrack = contextFor(onKeyframe, 10);
    tool.pointerDown(pointer({ x: 400, y: 300 }), noTrack);
    expect(tool.pointerUp(pointer({ x: 400, y: 300 }), noTrack)).toEqual([
      { type: 'select', selection: { trackId: null, point: null } },
    ]);
  });

  it('a drag across empty space places nothing', () => {
    const tool = new KeypointTool();
    const context = contextFor(onKeyframe, 10, { trackId: 'p1' });
    tool.pointerDown(pointer({ x: 400, y: 300 }), context);
    tool.pointerMove(pointer({ x: 500, y: 300 }), context);
    expect(tool.pointerUp(pointer({ x: 500, y: 300 }), context)).toEqual([]);
  });
});
