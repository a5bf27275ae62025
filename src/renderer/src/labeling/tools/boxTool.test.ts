import { describe, expect, it } from 'vitest';
import type { Point } from '../../../../shared/domain/labels';
import { EMPTY_SCENE, type OverlayBox } from '../overlay/overlayScene';
import { boxFromCorners, moveBox, resizeBox } from './boxGeometry';
import { BoxTool } from './boxTool';
import { NO_MODIFIERS, type Hit, type ToolContext } from './overlayTool';

const VIDEO = { width: 1920, height: 1080 };

const cup: OverlayBox = {
  boxId: 'b1',
  kind: 'object',
  contactId: 'c1',
  trackId: 'lh',
  box: { x: 100, y: 100, w: 200, h: 100 },
  isKeyframe: true,
  label: 'Left hand: cup',
  color: '#00ff00',
};

const context: ToolContext = {
  scene: { ...EMPTY_SCENE, boxes: [cup], selectedTrackId: 'p1', selectedPoint: 2 },
  videoSize: VIDEO,
};

function pointer(video: Point, hit: Hit = { kind: 'empty' }) {
  return { video, screen: video, hit, modifiers: NO_MODIFIERS };
}

describe('box geometry', () => {
  it('a box dragged up and to the left is normalised to positive width and height', () => {
    expect(boxFromCorners({ x: 300, y: 200 }, { x: 100, y: 50 }, VIDEO)).toEqual({
      x: 100,
      y: 50,
      w: 200,
      h: 150,
    });
  });

  it('a box is clamped to the picture', () => {
    expect(boxFromCorners({ x: -50, y: 1000 }, { x: 100, y: 2000 }, VIDEO)).toEqual({
      x: 0,
      y: 1000,
      w: 100,
      h: 80,
    });
  });

  it('a box under 2 px either way is no box', () => {
    expect(boxFromCorners({ x: 10, y: 10 }, { x: 11.5, y: 300 }, VIDEO)).toBeUndefined();
    expect(boxFromCorners({ x: 10, y: 10 }, { x: 300, y: 11 }, VIDEO)).toBeUndefined();
    expect(boxFromCorners({ x: 10, y: 10 }, { x: 12, y: 12 }, VIDEO)).toEqual({
      x: 10,
      y: 10,
      w: 2,
      h: 2,
    });
  });

  it('a moved box stops at the edge without shrinking', () => {
    expect(moveBox(cup.box, 5000, -5000, VIDEO)).toEqual({ x: 1720, y: 0, w: 200, h: 100 });
  });

  it('resizing keeps the opposite corner and flips when dragged past it', () => {
    expect(resizeBox(cup.box, 'se', { x: 400, y: 300 }, VIDEO)).toEqual({
      x: 100,
      y: 100,
      w: 300,
      h: 200,
    });
    expect(resizeBox(cup.box, 'nw', { x: 350, y: 250 }, VIDEO)).toEqual({
      x: 300,
      y: 200,
      w: 50,
      h: 50,
    });
    // Collapsing it keeps the last valid box.
    expect(resizeBox(cup.box, 'ne', { x: 100, y: 200 }, VIDEO)).toEqual(cup.box);
  });
});

describe('box tool', () => {
  it('dragging on empty space draws a normalised box, emitted once on release', () => {
    const tool = new BoxTool();
    expect(tool.pointerDown(pointer({ x: 500, y: 400 }), context)).toEqual([]);
    expect(tool.pointerMove(pointer({ x: 450, y: 350 }), context)).toEqual([
      {
        type: 'preview',
        preview: { kind: 'box', boxId: null, box: { x: 450, y: 350, w: 50, h: 50 } },
      },
    ]);
    tool.pointerMove(pointer({ x: 400, y: 300 }), context);
    expect(tool.pointerUp(pointer({ x: 400, y: 300 }), context)).toEqual([
      { type: 'preview', preview: null },
      { type: 'boxDrawn', box: { x: 400, y: 300, w: 100, h: 100 } },
    ]);
  });

  it('a box drawn too thin is dropped', () => {
    const tool = new BoxTool();
    tool.pointerDown(pointer({ x: 500, y: 400 }), context);
    tool.pointerMove(pointer({ x: 501, y: 600 }), context);
    expect(tool.pointerUp(pointer({ x: 501, y: 600 }), context)).toEqual([
      { type: 'preview', preview: null },
    ]);
  });

  it('dragging a box body selects and moves it, with one boxChanged on release', () => {
    const tool = new BoxTool();
    expect(
      tool.pointerDown(pointer({ x: 150, y: 150 }, { kind: 'box', boxId: 'b1' }), context),
    ).toEqual([
      { type: 'select', selection: { trackId: 'lh', point: null, contactId: 'c1', boxId: 'b1' } },
    ]);
    tool.pointerMove(pointer({ x: 160, y: 170 }), context);
    tool.pointerMove(pointer({ x: 170, y: 190 }), context);
    expect(tool.pointerUp(pointer({ x: 170, y: 190 }), context)).toEqual([
      { type: 'preview', preview: null },
      { type: 'boxChanged', boxId: 'b1', box: { x: 120, y: 140, w: 200, h: 100 } },
    ]);
  });

  it('dragging a corner handle resizes the box', () => {
    const tool = new BoxTool();
    tool.pointerDown(
      pointer({ x: 300, y: 200 }, { kind: 'box', boxId: 'b1', handle: 'se' }),
      context,
    );
    tool.pointerMove(pointer({ x: 350, y: 260 }), context);
    expect(tool.pointerUp(pointer({ x: 350, y: 260 }), context)).toContainEqual({
      type: 'boxChanged',
      boxId: 'b1',
      box: { x: 100, y: 100, w: 250, h: 160 },
    });
  });

  it('a click on a box selects it without changing it', () => {
    const tool = new BoxTool();
    tool.pointerDown(pointer({ x: 150, y: 150 }, { kind: 'box', boxId: 'b1' }), context);
    expect(tool.pointerUp(pointer({ x: 151, y: 150 }), context)).toEqual([]);
  });

  it('a click on empty space clears the box selection and keeps the point selection', () => {
    const tool = new BoxTool();
    tool.pointerDown(pointer({ x: 900, y: 900 }), context);
    expect(tool.pointerUp(pointer({ x: 900, y: 900 }), context)).toEqual([
      { type: 'select', selection: { trackId: 'p1', point: 2, contactId: null, boxId: null } },
    ]);
  });

  it('Escape cancels a move and a draw without emitting a box', () => {
    const tool = new BoxTool();
    tool.pointerDown(pointer({ x: 150, y: 150 }, { kind: 'box', boxId: 'b1' }), context);
    tool.pointerMove(pointer({ x: 250, y: 250 }), context);
    expect(tool.cancel()).toEqual([{ type: 'preview', preview: null }]);
    expect(tool.pointerUp(pointer({ x: 250, y: 250 }), context)).toEqual([]);
    tool.pointerDown(pointer({ x: 500, y: 500 }), context);
    tool.pointerMove(pointer({ x: 600, y: 600 }), context);
    expect(tool.cancel()).toEqual([{ type: 'preview', preview: null }]);
    expect(tool.state).toBe('idle');
  });
});
