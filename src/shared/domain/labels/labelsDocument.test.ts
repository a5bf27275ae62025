import { describe, expect, it } from 'vitest';
import { BulkLabelsDocument, isPlainLabelsDocument, LabelsDocument } from './labelsDocument';

function validDocument(): unknown {
  return {
    tracks: [
      {
        id: 'p1',
        kind: 'person',
        templateId: 'coco17',
        label: 'Person 1',
        color: '#336699',
        keyframes: [
          {
            frame: 0,
            points: [
              { x: 1.5, y: 2, visibility: 'visible', source: 'manual' },
              null,
              { x: 3, y: 4, visibility: 'occluded', source: 'model', model: 'rtm@1', score: 0.5 },
            ],
          },
          { frame: 4, points: [], absent: true },
          {
            frame: 9,
            points: [{ x: -1, y: 0, visibility: 'unlabeled', source: 'manual' }, null, null],
          },
        ],
      },
      {
        id: 'h1',
        kind: 'left_hand',
        templateId: 'hand21',
        label: '',
        color: '#aabbcc',
        keyframes: [],
      },
    ],
    segments: [
      { id: 's1', startFrame: 1, endFrame: 5, verbId: 0, nounId: null, actor: 'p1', note: 'x' },
    ],
    contacts: [
      {
        id: 'c1',
        trackId: 'h1',
        startFrame: 2,
        endFrame: 3,
        state: 1,
        object: null,
        segmentId: null,
      },
    ],
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value in the document, with the container and key that hold it. */
function slots(value: Json): { parent: Json[] | { [key: string]: Json }; key: string | number }[] {
  const found: { parent: Json[] | { [key: string]: Json }; key: string | number }[] = [];
  const walk = (node: Json) => {
    if (node === null || typeof node !== 'object') return;
    const entries: [string | number, Json][] = Array.isArray(node)
      ? node.map((v, i) => [i, v])
      : Object.entries(node);
    for (const [key, child] of entries) {
      found.push({ parent: node, key });
      walk(child);
    }
  };
  walk(value);
  return found;
}

const ODD_VALUES: Json[] = [
  null,
  true,
  -1,
  0,
  0.5,
  1.5,
  2,
  1e300,
  '',
  'x',
  'manual',
  'model',
  'visible',
  '#12345g',
  [],
  {},
  [null],
];

/** A deterministic pseudo-random sequence, so a failure names the same document every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('the bulk labels check', () => {
  it('passes a valid document through unchanged, without the schema', () => {
    const doc = validDocument();
    expect(isPlainLabelsDocument(doc)).toBe(true);
    expect(BulkLabelsDocument.parse(doc)).toBe(doc);
    expect(LabelsDocument.safeParse(doc).success).toBe(true);
  });

  it('refuses what the schema refuses, with the schema’s words', () => {
    const doc = validDocument() as { tracks: { keyframes: { frame: number }[] }[] };
    const keyframes = doc.tracks[0]?.keyframes ?? [];
    (keyframes[2] as { frame: number }).frame = 4;
    expect(isPlainLabelsDocument(doc)).toBe(false);
    const bulk = BulkLabelsDocument.safeParse(doc);
    const schema = LabelsDocument.safeParse(doc);
    expect(bulk.success).toBe(false);
    expect(bulk.error?.issues.map((i) => [i.path, i.message])).toEqual(
      schema.error?.issues.map((i) => [i.path, i.message]),
    );
  });

  it('never vouches for a document the schema refuses (2,000 random changes)', () => {
    const next = random(15);
    let refused = 0;
    for (let round = 0; round < 2000; round++) {
      const doc = validDocument() as Json;
      const changes = 1 + Math.floor(next() * 2);
      for (let c = 0; c < changes; c++) {
        const all = slots(doc);
        const slot = all[Math.floor(next() * all.length)];
        if (slot === undefined) continue;
        const { parent, key } = slot;
        const action = next();
        if (Array.isArray(parent)) {
          if (action < 0.2) parent.splice(Number(key), 1);
          else parent[Number(key)] = ODD_VALUES[Math.floor(next() * ODD_VALUES.length)] ?? null;
        } else if (action < 0.2) {
          Reflect.deleteProperty(parent, key);
        } else if (action < 0.35) {
          parent[`extra${round}`] = 1;
        } else {
          parent[key] = ODD_VALUES[Math.floor(next() * ODD_VALUES.length)] ?? null;
        }
      }
      const valid = LabelsDocument.safeParse(doc).success;
      if (!valid) refused += 1;
      if (isPlainLabelsDocument(doc)) expect(valid, JSON.stringify(doc)).toBe(true);
      expect(BulkLabelsDocument.safeParse(doc).success).toBe(valid);
    }
    // The changes mostly break the document: the property is tested on refusals, not vacuously.
    expect(refused).toBeGreaterThan(1000);
  });
});
