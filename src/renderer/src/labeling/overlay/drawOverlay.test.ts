import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  type Keypoint,
  type Pose,
  type PosePoint,
  type SkeletonTemplate,
  type ViewTransform,
} from '../../../../shared/domain/labels';
import { drawPreview, drawScene } from './drawOverlay';
import { EMPTY_SCENE, type OverlayScene } from './overlayScene';

const IDENTITY: ViewTransform = { scale: 1, offsetX: 0, offsetY: 0 };
/** A three-point template whose only edge names points 1 and 3, as COCO writes edges. */
const TEMPLATE: SkeletonTemplate = {
  ...(BUILT_IN_TEMPLATES[0] as SkeletonTemplate),
  keypoints: ['a', 'b', 'c'],
  skeleton: [[1, 3]],
};

type Call = { name: string; args: unknown[]; fill?: unknown; stroke?: unknown };

/** A 2D context that records the calls that put marks on the canvas and paths into them. */
function recordingContext(): { ctx: CanvasRenderingContext2D; calls: Call[] } {
  const calls: Call[] = [];
  const state: Record<string | symbol, unknown> = {};
  const ctx = new Proxy(state, {
    get(target, name) {
      if (name in target) return target[name];
      return (...args: unknown[]) => {
        calls.push({
          name: String(name),
          args,
          fill: target.fillStyle,
          stroke: target.strokeStyle,
        });
        return { width: 10 };
      };
    },
    set(target, name, value) {
      target[name] = value;
      return true;
    },
  }) as unknown as CanvasRenderingContext2D;
  return { ctx, calls };
}

function point(x: number, y: number, visibility: Keypoint['visibility']): Keypoint {
  return { x, y, visibility, source: 'manual' };
}

function sceneWith(points: (PosePoint | null)[], patch: Partial<OverlayScene> = {}): OverlayScene {
  const pose: Pose = { frame: 0, isKeyframe: true, points };
  return {
    ...EMPTY_SCENE,
    tracks: [{ id: 't', label: 'T', color: '#123456', template: TEMPLATE, pose }],
    ...patch,
  };
}

const arcs = (calls: Call[]) =>
  calls.filter((c) => c.name === 'arc').map((c) => c.args.slice(0, 2));
const lines = (calls: Call[]) =>
  calls.filter((c) => c.name === 'moveTo' || c.name === 'lineTo').map((c) => c.args);

describe('drawScene', () => {
  it('draws template edges by their 1-based point numbers', () => {
    const { ctx, calls } = recordingContext();
    drawScene(
      ctx,
      sceneWith([point(10, 10, 'visible'), point(20, 20, 'visible'), point(30, 30, 'visible')]),
      IDENTITY,
      null,
    );
    expect(lines(calls).slice(0, 2)).toEqual([
      [10, 10],
      [30, 30],
    ]);
  });

  it('does not draw unlabeled or undecided points, nor edges to them', () => {
    const { ctx, calls } = recordingContext();
    drawScene(
      ctx,
      sceneWith([point(10, 10, 'visible'), null, point(30, 30, 'unlabeled')]),
      IDENTITY,
      null,
    );
    expect(arcs(calls)).toEqual([[10, 10]]);
    expect(calls.filter((c) => c.name === 'lineTo')).toEqual([]);
  });

  it('fills visible points and only strokes occluded ones', () => {
    const { ctx, calls } = recordingContext();
    drawScene(
      ctx,
      sceneWith([point(10, 10, 'visible'), null, point(30, 30, 'occluded')]),
      IDENTITY,
      null,
    );
    const names = calls.map((c) => (c.name === 'arc' ? `arc${String(c.args[0])}` : c.name));
    const visible = names.indexOf('arc10');
    const occluded = names.indexOf('arc30');
    expect(names.indexOf('fill', visible)).toBeLessThan(occluded);
    expect(names.slice(occluded)).not.toContain('fill');
  });

  it('leaves the dragged point and its edges to the drag layer', () => {
    const { ctx, calls } = recordingContext();
    const scene = sceneWith(
      [point(10, 10, 'visible'), point(20, 20, 'visible'), point(30, 30, 'visible')],
      { selectedTrackId: 't', selectedPoint: 2 },
    );
    drawScene(ctx, scene, IDENTITY, { kind: 'point', trackId: 't', index: 2 });
    expect(arcs(calls)).toEqual([
      [10, 10],
      [20, 20],
    ]);
    expect(calls.filter((c) => c.name === 'lineTo')).toEqual([]);
  });

  it('maps video pixels through the view transform', () => {
    const { ctx, calls } = recordingContext();
    drawScene(
      ctx,
      sceneWith([point(10, 10, 'visible'), null, null]),
      { scale: 2, offsetX: 5, offsetY: 7 },
      null,
    );
    expect(arcs(calls)).toEqual([[25, 27]]);
  });
});

describe('drawPreview', () => {
  it('draws the dragged point where the pointer put it, with the edges that meet it', () => {
    const { ctx, calls } = recordingContext();
    const scene = sceneWith([
      point(10, 10, 'visible'),
      point(20, 20, 'visible'),
      point(30, 30, 'visible'),
    ]);
    drawPreview(ctx, scene, IDENTITY, {
      kind: 'point',
      trackId: 't',
      index: 2,
      at: { x: 50, y: 60 },
    });
    expect(lines(calls).slice(0, 2)).toEqual([
      [50, 60],
      [10, 10],
    ]);
    expect(arcs(calls)).toContainEqual([50, 60]);
    expect(arcs(calls)).not.toContainEqual([30, 30]);
  });
});
