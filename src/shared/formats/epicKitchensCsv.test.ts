import { describe, expect, it } from 'vitest';
import type { Segment } from '../domain/labels';
import {
  actionClassesCsv,
  countClassInstances,
  epicActionsCsvChunks,
  frameTimesCsvChunks,
  isVariableFrameRate,
  videoInfoCsvChunks,
  type Taxonomy,
} from './epicKitchensCsv';

const taxonomy: Taxonomy = {
  verbs: [
    { id: 0, key: 'take', category: 'retrieve' },
    { id: 3, key: 'open' },
  ],
  nouns: [
    { id: 10, key: 'tap' },
    { id: 11, key: "chef's knife" },
  ],
};

function segment(fields: Partial<Segment>): Segment {
  return {
    id: 's',
    startFrame: 0,
    endFrame: 0,
    verbId: 0,
    nounId: 10,
    actor: 'camera_wearer',
    note: '',
    ...fields,
  };
}

/** 29.97 fps, starting 0.5 s in: timestamps must come from here, not from frame ÷ fps. */
const frameTimes = Array.from({ length: 200 }, (_, i) => 0.5 + (i * 1001) / 30000);

describe('epicActionsCsvChunks', () => {
  it('writes EPIC-KITCHENS-100 columns with frame-table timestamps and RFC 4180 quoting', () => {
    const text = [
      ...epicActionsCsvChunks(
        [
          {
            videoId: 'P01_01',
            participantId: 'P01',
            frameTimes,
            segments: [
              segment({ id: 'a', startFrame: 30, endFrame: 90, verbId: 3, nounId: 10 }),
              segment({
                id: 'b',
                startFrame: 100,
                endFrame: 150,
                nounId: 11,
                note: 'take "the" knife, fast',
              }),
            ],
          },
        ],
        taxonomy,
      ),
    ].join('');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'narration_id,participant_id,video_id,narration_timestamp,start_timestamp,stop_timestamp,start_frame,stop_frame,narration,verb,verb_class,noun,noun_class,all_nouns,all_noun_classes',
    );
    // Frame 30: 0.5 + 30·1001/30000 = 1.501 s; frame 90: 3.503 s.
    expect(lines[1]).toBe(
      "P01_01_0,P01,P01_01,00:00:01.501,00:00:01.501,00:00:03.503,30,90,open tap,open,3,tap,10,['tap'],[10]",
    );
    expect(lines[2]).toBe(
      `P01_01_1,P01,P01_01,00:00:03.837,00:00:03.837,00:00:05.505,100,150,"take ""the"" knife, fast",take,0,chef's knife,11,['chef\\'s knife'],[11]`,
    );
    expect(lines[3]).toBe('');
  });

  it('leaves class fields empty for a segment not labeled yet', () => {
    const text = [
      ...epicActionsCsvChunks(
        [
          {
            videoId: 'v',
            participantId: 'p',
            frameTimes,
            segments: [segment({ verbId: null, nounId: null })],
          },
        ],
        taxonomy,
      ),
    ].join('');
    expect(text.split('\r\n')[1]).toBe(
      'v_0,p,v,00:00:00.500,00:00:00.500,00:00:00.500,0,0,,,,,,[],[]',
    );
  });

  it('refuses unknown classes and frames beyond the frame table', () => {
    const run = (s: Segment): string[] => [
      ...epicActionsCsvChunks(
        [{ videoId: 'v', participantId: 'p', frameTimes, segments: [s] }],
        taxonomy,
      ),
    ];
    expect(() => run(segment({ verbId: 99 }))).toThrow(/verb class 99/);
    expect(() => run(segment({ endFrame: 200 }))).toThrow(/frame table has 200 frames/);
  });
});

describe('class and video files', () => {
  it('writes id,key,instances,category sorted by id', () => {
    const counts = countClassInstances([
      segment({ verbId: 3 }),
      segment({ verbId: 3 }),
      segment({}),
    ]);
    expect(actionClassesCsv(taxonomy.verbs, counts.verbs)).toBe(
      'id,key,instances,category\r\n0,take,1,retrieve\r\n3,open,2,\r\n',
    );
    expect(counts.nouns.get(10)).toBe(3);
  });

  it('writes duration to the end of the last frame and fps as frames ÷ duration', () => {
    const times = Array.from({ length: 300 }, (_, i) => (i * 1001) / 30000);
    const text = [
      ...videoInfoCsvChunks([
        {
          videoId: 'v',
          frameTimes: times,
          lastFrameDurationSeconds: 1001 / 30000,
          width: 1080,
          height: 1920,
        },
      ]),
    ].join('');
    expect(text).toBe('video_id,duration,fps,resolution\r\nv,10.01,29.97,1080x1920\r\n');
  });

  it('tells variable from constant frame rate and lists every frame time', () => {
    expect(isVariableFrameRate(frameTimes)).toBe(false);
    expect(isVariableFrameRate([0, 0.033, 0.066, 0.133, 0.166])).toBe(true);
    expect([...frameTimesCsvChunks([0, 1 / 30])].join('')).toBe(
      'frame_index,timestamp\r\n0,0\r\n1,0.033333\r\n',
    );
  });
});
