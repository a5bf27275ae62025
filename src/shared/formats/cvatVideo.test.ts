import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  poseAt,
  type Keyframe,
  type Keypoint,
  type Track,
} from '../domain/labels';
import { exportLabelsFor, type ClipLabels } from './clipLabels';
import { readCvatVideo } from './cvatVideoReader';
import { cvatVideoXmlChunks } from './cvatVideoXml';
import { parseXml, type XmlElement } from './xmlParser';

const labels = exportLabelsFor(BUILT_IN_TEMPLATES);

function point(x: number, y: number, visibility: Keypoint['visibility'] = 'visible'): Keypoint {
  return { x, y, visibility, source: 'manual' };
}

function keyframe(frame: number, count: number, at: (i: number) => Keypoint | null): Keyframe {
  return { frame, points: Array.from({ length: count }, (_, i) => at(i)) };
}

const person: Track = {
  id: 'p1',
  kind: 'person',
  templateId: 'coco17-body',
  label: 'Person',
  color: '#ff0000',
  keyframes: [
    keyframe(2, 17, (i) =>
      i === 0 ? point(10, 20) : i === 1 ? point(100, 100, 'occluded') : point(0, 0, 'unlabeled'),
    ),
    keyframe(6, 17, (i) =>
      i === 0 ? point(30, 40) : i === 1 ? point(104, 96) : point(0, 0, 'unlabeled'),
    ),
  ],
};

const hand: Track = {
  id: 'h1',
  kind: 'right_hand',
  templateId: 'mediapipe21-right-hand',
  label: 'R & "hand"',
  color: '#00ff00',
  keyframes: [keyframe(0, 21, (i) => point(i, i * 2))],
};

const clip: ClipLabels = {
  videoId: 'v<1>',
  width: 1080,
  height: 1920,
  frameTimes: Array.from({ length: 10 }, (_, i) => i / 30),
  tracks: [person, hand],
};

function write(c: ClipLabels = clip): string {
  return [
    ...cvatVideoXmlChunks({
      task: { id: 7, name: 'clip <7> & co', source: 'a.mp4' },
      clip: c,
      labels,
    }),
  ].join('');
}

function attrs(element: XmlElement | undefined): Readonly<Record<string, string>> {
  return element?.attributes ?? {};
}

describe('cvatVideoXmlChunks', () => {
  it('writes CVAT 1.1 meta with escaped names, size, original size and skeleton labels', () => {
    const root = parseXml(write());
    expect(root.children[0]?.text).toBe('1.1');
    const task = root.children[1]?.children[0] as XmlElement;
    const text = (name: string): string | undefined =>
      task.children.find((c) => c.name === name)?.text;
    expect(text('name')).toBe('clip <7> & co');
    expect(text('size')).toBe('10');
    expect(text('mode')).toBe('interpolation');
    expect(text('stop_frame')).toBe('9');
    const labelElements = task.children.find((c) => c.name === 'labels')?.children ?? [];
    const skeleton = labelElements[0] as XmlElement;
    expect(skeleton.children.find((c) => c.name === 'type')?.text).toBe('skeleton');
    const svg = skeleton.children.find((c) => c.name === 'svg')?.text ?? '';
    expect(svg).toContain('data-node-from="16" data-node-to="14"');
    expect(svg).toContain('data-label-name="nose"');
    expect(svg.match(/<circle /g)).toHaveLength(17);
    const nose = labelElements[1] as XmlElement;
    expect(nose.children.map((c) => [c.name, c.text])).toContainEqual(['parent', 'person']);
    expect(labelElements).toHaveLength(3 + 17 + 21 + 21);
  });

  it('writes every frame of the span, interpolated ones keyframe="0", then an outside keyframe', () => {
    const root = parseXml(write());
    const track = root.children.find((c) => c.name === 'track') as XmlElement;
    expect(track.attributes).toEqual({ id: '0', label: 'person', source: 'manual' });
    const frames = track.children.map((s) => [
      s.attributes.frame,
      s.attributes.keyframe,
      s.attributes.outside,
    ]);
    expect(frames).toEqual([
      ['2', '1', '0'],
      ['3', '0', '0'],
      ['4', '0', '0'],
      ['5', '0', '0'],
      ['6', '1', '0'],
      ['7', '1', '1'],
    ]);
    const mid = track.children[2] as XmlElement;
    expect(attrs(mid.children[0])).toMatchObject({
      label: 'nose',
      points: '20.00,30.00',
      outside: '0',
      occluded: '0',
      keyframe: '0',
    });
    // Occluded at one end: the interpolated point is occluded (the domain's rule).
    expect(attrs(mid.children[1])).toMatchObject({
      label: 'left_eye',
      points: '102.00,98.00',
      occluded: '1',
    });
    expect(attrs(mid.children[2])).toMatchObject({ label: 'right_eye', outside: '1' });
    const expected = poseAt(person, 4)?.points[1];
    expect(expected).toMatchObject({ x: 102, y: 98 });
    const end = track.children[5] as XmlElement;
    expect(end.children.every((p) => p.attributes.outside === '1')).toBe(true);
  });

  it('writes no outside keyframe when the span reaches the last frame', () => {
    const short = { ...clip, frameTimes: clip.frameTimes.slice(0, 7), tracks: [person] };
    const track = parseXml(write(short)).children.find((c) => c.name === 'track') as XmlElement;
    expect(track.children.at(-1)?.attributes.frame).toBe('6');
  });
});

describe('readCvatVideo', () => {
  it('round-trips tracks, keyframes and points through the writer', () => {
    const read = readCvatVideo(write(), labels);
    expect(read).toMatchObject({ size: 10, width: 1080, height: 1920 });
    expect(read.tracks).toHaveLength(2);
    const [p, h] = read.tracks;
    expect(p).toMatchObject({ id: 'cvat-0', kind: 'person', templateId: 'coco17-body' });
    expect(p?.keyframes).toEqual(person.keyframes);
    expect(h).toMatchObject({ kind: 'right_hand', templateId: 'mediapipe21-right-hand' });
    expect(h?.keyframes).toEqual(hand.keyframes);
  });

  it('places points by sublabel name whatever their order in the file', () => {
    const xml = `<annotations><version>1.1</version><track id="3" label="person" source="manual">
      <skeleton frame="5" keyframe="1" outside="0"><points label="right_eye" outside="0" occluded="0" keyframe="1" points="3,4"/><points label="nose" outside="0" occluded="1" keyframe="1" points="1.5,2"/></skeleton>
      <skeleton frame="6" keyframe="0" outside="0"></skeleton></track></annotations>`;
    const [track] = readCvatVideo(xml, labels).tracks;
    expect(track?.keyframes).toHaveLength(1);
    expect(track?.keyframes[0]?.points.slice(0, 3)).toEqual([
      point(1.5, 2, 'occluded'),
      null,
      point(3, 4),
    ]);
  });

  it('refuses unknown labels, unknown keypoints and non-skeleton tracks', () => {
    const wrap = (body: string): string => `<annotations>${body}</annotations>`;
    expect(() => readCvatVideo(wrap('<track id="1" label="car"></track>'), labels)).toThrow(
      /label "car"/,
    );
    expect(() =>
      readCvatVideo(
        wrap('<track id="1" label="person"><box frame="0" keyframe="1" outside="0"/></track>'),
        labels,
      ),
    ).toThrow(/only skeleton tracks/);
    expect(() =>
      readCvatVideo(
        wrap(
          '<track id="1" label="person"><skeleton frame="0" keyframe="1" outside="0"><points label="tail" outside="0" points="1,2"/></skeleton></track>',
        ),
        labels,
      ),
    ).toThrow(/"tail" is not a keypoint/);
  });
});
