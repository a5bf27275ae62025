import type {
  BoxTrack,
  ContactLabel,
  Keypoint,
  LabelsDocument,
  Track,
} from '../../../src/shared/domain/labels';
import type { LabelFilesClip } from '../../../src/shared/formats';

/**
 * Clips whose labels use every part the writers read: people with linked, unlinked and camera
 * wearer's hands, hand boxes with absent stretches, contacts with objects, segments, model-made
 * points, gaps, names outside ASCII, constant and variable frame rates; some with the labels as a
 * document, some as stored JSON text. Deterministic: clip `i` is the same on every call.
 */
export function variedClips(count: number, frames = 120): LabelFilesClip[] {
  return Array.from({ length: count }, (_, i) => variedClip(i, frames));
}

function point(x: number, y: number, i: number, model: boolean): Keypoint {
  return {
    x,
    y,
    visibility: i % 5 === 4 ? 'occluded' : 'visible',
    ...(model
      ? { source: 'model' as const, model: 'rtmpose@1.2', score: 0.87 }
      : { source: 'manual' as const }),
  };
}

function personTrack(id: string, label: string, offset: number, every: number, frames: number) {
  const keyframes = [];
  for (let frame = offset % every; frame < frames; frame += every) {
    if (frame > frames / 2 && frame < frames / 2 + every * 2) continue;
    keyframes.push({
      frame,
      points: Array.from({ length: 17 }, (_, k) =>
        k === 3 && frame % 3 === 0
          ? null
          : point(
              100.004 + offset * 7 + k * 11.3 + Math.sin(frame / 9) * 13.337,
              80 + k * 9.05 + Math.cos(frame / 7) * 5.1,
              k,
              frame === 0 && offset % 2 === 1,
            ),
      ),
    });
  }
  return {
    id,
    kind: 'person',
    templateId: 'coco17-body',
    label,
    color: '#336699',
    keyframes,
  } satisfies Track;
}

function handTrack(
  id: string,
  side: 'left' | 'right',
  link: Track['link'] | undefined,
  start: number,
  frames: number,
): Track {
  return {
    id,
    kind: side === 'left' ? 'left_hand' : 'right_hand',
    templateId: `mediapipe21-${side}-hand`,
    label: '',
    color: '#00ff00',
    keyframes: [start, start + 10, Math.min(frames - 1, start + 40)].map((frame) => ({
      frame,
      points: Array.from({ length: 21 }, (_, k) =>
        k % 4 === 3 ? null : point(300 + k * 2.5 + frame / 3, 400 + k * 1.25, k, false),
      ),
    })),
    ...(link === undefined ? {} : { link }),
  };
}

function variedClip(i: number, frames: number): LabelFilesClip {
  const people = [personTrack(`p${i}-a`, i % 3 === 0 ? 'Ana Ñúñez ✓' : '', i, 5, frames)];
  if (i % 2 === 1) people.push(personTrack(`p${i}-b`, '', i + 3, 7, frames));
  const hands: Track[] = [
    handTrack(`lh${i}`, 'left', { kind: 'person', trackId: `p${i}-a` }, 2 + (i % 5), frames),
    handTrack(
      `rh${i}`,
      'right',
      i % 3 === 0 ? { kind: 'camera_wearer' } : i % 3 === 1 ? undefined : undefined,
      20,
      frames,
    ),
  ];
  const boxTracks: BoxTrack[] = [
    {
      id: `hb${i}`,
      kind: 'hand',
      label: 'Hand box 1',
      color: '#aa5500',
      subjectId: `rh${i}`,
      keyframes: [
        { frame: 15, box: { x: 290, y: 390, w: 60.5, h: 40.25 } },
        { frame: 30, box: { x: 310, y: 395, w: 58, h: 41 } },
        { frame: 45, absent: true },
        { frame: 70, box: { x: 320.333, y: 380, w: 50, h: 50 } },
      ],
    },
  ];
  const contacts: ContactLabel[] = [
    {
      id: `c${i}`,
      trackId: `rh${i}`,
      startFrame: 21,
      endFrame: 28,
      state: 3,
      object: { box: { x: 340, y: 410, w: 20, h: 30 }, classId: 1 },
      segmentId: `s${i}`,
    },
    {
      id: `c${i}b`,
      trackId: `lh${i}`,
      startFrame: 5,
      endFrame: 9,
      state: 1,
      object: null,
      segmentId: null,
    },
  ];
  const doc: LabelsDocument = {
    tracks: [...people, ...hands],
    segments: [
      {
        id: `s${i}`,
        startFrame: 10,
        endFrame: 40,
        verbId: i % 4,
        nounId: (i + 1) % 3,
        actor: `p${i}-a`,
        note: i % 2 === 0 ? '' : 'pours, "slowly"',
      },
      {
        id: `s${i}x`,
        startFrame: 50,
        endFrame: 60,
        verbId: null,
        nounId: 2,
        actor: 'wearer',
        note: '',
      },
    ],
    contacts,
    boxTracks,
  };
  const variable = i % 4 === 2;
  const frameTimes = Array.from({ length: frames }, (_, f) =>
    variable ? f / 30 + (f % 3) * 0.0021 : (f * 1001) / 30000,
  );
  const videoId = `${(i + 10).toString(16).padStart(2, '0')}${'5c'.repeat(31)}`;
  return {
    videoId,
    name: i % 5 === 0 ? `batch/séance ${i}.mp4` : `clip-${i}.mp4`,
    participantId: `contrib_${i % 3}`,
    width: 1280,
    height: 720,
    frameTimes,
    lastFrameDurationSeconds: 1 / 30,
    frameTableSource: i % 2 === 0 ? 'mp4box' : 'ffprobe',
    doc: i % 2 === 0 ? JSON.stringify(doc) : doc,
    provenance: {
      file_name: `clip-${i}.mp4`,
      frame_count: frames,
      contributor_pseudonym: `contrib_${i % 3}`,
      contributor_region: i % 2 === 0 ? 'PT' : null,
      consent: { id: `consent-${i}`, scope: ['training'] },
      annotators: ['ann1'],
      reviewers: i % 2 === 0 ? ['rev1'] : [],
      revision: 1 + (i % 3),
      review_status: 'accepted',
    },
  };
}
