import { isPlaced, poseAt, presentRuns, type Pose, type SkeletonTemplate } from '../domain/labels';
import { labelsByTrack, type ClipLabels, type ExportLabel } from './clipLabels';
import { roundCoordinate } from './exportNumbers';
import { escapeXml } from './xmlText';

export type CvatTask = {
  readonly id: number;
  readonly name: string;
  /** ISO time written as `created`/`updated`; the caller's clock, so the writer stays pure. */
  readonly exportedAt?: string;
  /** The video file name, written as `source`. */
  readonly source?: string;
};

export type CvatVideoInput = {
  readonly task: CvatTask;
  readonly clip: ClipLabels;
  readonly labels: readonly ExportLabel[];
};

const LABEL_COLORS = ['#fa3253', '#3d3df5', '#34d1b7', '#ff6a4d', '#b83df5', '#24b353'];

/**
 * CVAT for video 1.1 XML for one clip, as a stream of chunks (one per track frame).
 *
 * Each exported label is a `skeleton` label whose sublabels (`points`, with `parent`) are the
 * template's keypoints in template order; its `svg` draws the nodes on a circle (templates carry no
 * layout) joined by the template's 1-based edges. Each track with keyframes becomes a
 * `<track id label source>` (ids are the tracks' positions in the clip; `source` is `semi-auto`
 * when a keyframe holds model points) with a `<skeleton>` for **every** frame it is in the picture,
 * interpolated (or held) frames `keyframe="0"` carrying their points, and an `outside="1"` keyframe
 * after each stretch in the picture when the clip goes on: CVAT's way of saying the track is absent
 * until its next keyframe. A point not placed on a frame (unlabeled,
 * undecided, or not interpolable) is written `outside="1"` at 0,0. Coordinates have 2 decimals.
 */
export function* cvatVideoXmlChunks(input: CvatVideoInput): Generator<string> {
  const { task, clip, labels } = input;
  const size = clip.frameTimes.length;
  const byTrack = labelsByTrack(clip.tracks, labels, clip.videoId);
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<annotations>',
    '  <version>1.1</version>',
    '  <meta>',
    '    <task>',
    `      <id>${task.id}</id>`,
    `      <name>${escapeXml(task.name)}</name>`,
    `      <size>${size}</size>`,
    '      <mode>interpolation</mode>',
    '      <overlap>0</overlap>',
    '      <bugtracker></bugtracker>',
    ...(task.exportedAt === undefined
      ? []
      : [
          `      <created>${escapeXml(task.exportedAt)}</created>`,
          `      <updated>${escapeXml(task.exportedAt)}</updated>`,
        ]),
    '      <start_frame>0</start_frame>',
    `      <stop_frame>${Math.max(0, size - 1)}</stop_frame>`,
    '      <frame_filter></frame_filter>',
    '      <labels>',
    ...labels.flatMap((label, index) => labelXml(label, index)),
    '      </labels>',
    '      <original_size>',
    `        <width>${clip.width}</width>`,
    `        <height>${clip.height}</height>`,
    '      </original_size>',
    ...(task.source === undefined ? [] : [`      <source>${escapeXml(task.source)}</source>`]),
    '    </task>',
    '  </meta>',
  ];
  yield lines.join('\n') + '\n';

  for (const [trackIndex, track] of clip.tracks.entries()) {
    const runs = presentRuns(track);
    if (runs.length === 0) continue;
    const label = byTrack.get(track.id) as ExportLabel;
    const source = track.keyframes.some((k) => k.points.some((p) => p?.source === 'model'))
      ? 'semi-auto'
      : 'manual';
    yield `  <track id="${trackIndex}" label="${escapeXml(label.name)}" source="${source}">\n`;
    const pointLabels = pointLabelsOf(label.template);
    // Each stretch in the picture, then the outside keyframe that ends it (CVAT's absence).
    for (const run of runs) {
      for (let frame = run.first; frame <= run.last; frame++) {
        yield skeletonXml(frame, pointLabels, poseAt(track, frame));
      }
      if (run.last + 1 < size) yield skeletonXml(run.last + 1, pointLabels, undefined);
    }
    yield '  </track>\n';
  }
  yield '</annotations>\n';
}

function labelXml(label: ExportLabel, index: number): string[] {
  const color = LABEL_COLORS[index % LABEL_COLORS.length] as string;
  return [
    '        <label>',
    `          <name>${escapeXml(label.name)}</name>`,
    `          <color>${color}</color>`,
    '          <type>skeleton</type>',
    '          <attributes></attributes>',
    `          <svg>${escapeXml(skeletonSvg(label.template))}</svg>`,
    '        </label>',
    ...label.template.keypoints.flatMap((name) => [
      '        <label>',
      `          <name>${escapeXml(name)}</name>`,
      `          <color>${color}</color>`,
      '          <type>points</type>',
      '          <attributes></attributes>',
      `          <parent>${escapeXml(label.name)}</parent>`,
      '        </label>',
    ]),
  ];
}

/** CVAT's skeleton drawing: nodes on a circle in a 100 × 100 box, then 1-based edges. */
export function skeletonSvg(template: SkeletonTemplate): string {
  const count = template.keypoints.length;
  const position = (i: number): [string, string] => {
    const angle = (2 * Math.PI * i) / count - Math.PI / 2;
    return [(50 + 40 * Math.cos(angle)).toFixed(2), (50 + 40 * Math.sin(angle)).toFixed(2)];
  };
  const edges = template.skeleton.map(([a, b]) => {
    const [x1, y1] = position(a - 1);
    const [x2, y2] = position(b - 1);
    return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="black" data-type="edge" data-node-from="${a}" data-node-to="${b}" stroke-width="0.5"></line>`;
  });
  const nodes = template.keypoints.map((name, i) => {
    const [cx, cy] = position(i);
    return `<circle r="1.5" stroke="black" fill="#b3b3b3" cx="${cx}" cy="${cy}" stroke-width="0.1" data-type="element node" data-element-id="${i + 1}" data-node-id="${i + 1}" data-label-name="${name}"></circle>`;
  });
  return [...edges, ...nodes].join('');
}

/** Each keypoint's `<points label="…"` opening, escaped once per track rather than per frame. */
function pointLabelsOf(template: SkeletonTemplate): string[] {
  return template.keypoints.map((name) => `      <points label="${escapeXml(name)}" keyframe="`);
}

/** One `<skeleton>`; without a pose it is the `outside="1"` keyframe that ends a track. */
function skeletonXml(
  frame: number,
  pointLabels: readonly string[],
  pose: Pose | undefined,
): string {
  const keyframe = pose === undefined || pose.isKeyframe ? 1 : 0;
  const outside = pose === undefined ? 1 : 0;
  let xml = `    <skeleton frame="${frame}" keyframe="${keyframe}" outside="${outside}" occluded="0" z_order="0">\n`;
  for (let i = 0; i < pointLabels.length; i++) {
    const point = pose?.points[i];
    const placed = isPlaced(point);
    const xy = placed
      ? `${roundCoordinate(point.x).toFixed(2)},${roundCoordinate(point.y).toFixed(2)}`
      : '0.00,0.00';
    const occluded = placed && point.visibility === 'occluded' ? 1 : 0;
    xml += `${pointLabels[i] as string}${keyframe}" outside="${placed ? 0 : 1}" occluded="${occluded}" points="${xy}" z_order="0"></points>\n`;
  }
  return xml + '    </skeleton>\n';
}
