import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { editContextFor } from './labelsDocument';
import {
  BUILT_IN_TEMPLATES,
  COCO_BODY_SKELETON,
  COCO_BODY_TEMPLATE_ID,
  CONTACT_STATES,
  findTemplate,
  MEDIAPIPE_HAND_SKELETON,
  parseProjectSchema,
  projectTemplates,
  SkeletonTemplate,
} from './projectSchema';

const samplePath = fileURLToPath(
  new URL('../../../../resources/project.sample.json', import.meta.url),
);

const minimal = {
  version: 1,
  name: 'Test',
  taxonomy: {
    verbs: [
      { id: 0, key: 'take' },
      { id: 1, key: 'put' },
    ],
    nouns: [{ id: 0, key: 'cup' }],
  },
};

function messageFor(value: unknown): string {
  const result = parseProjectSchema(JSON.stringify(value));
  if (result.ok) throw new Error('expected the project to be rejected');
  return result.message;
}

describe('parseProjectSchema', () => {
  it('parses the sample project shipped in resources/', () => {
    const result = parseProjectSchema(readFileSync(samplePath, 'utf8'));
    if (!result.ok) throw new Error(result.message);
    const verbs = result.project.taxonomy.verbs.map((v) => v.key);
    expect(verbs).toEqual(expect.arrayContaining(['take', 'put', 'open', 'wash', 'fold', 'pour']));
    expect(result.project.objectClasses.length).toBeGreaterThan(5);
    expect(projectTemplates(result.project).length).toBe(BUILT_IN_TEMPLATES.length + 1);
  });

  it('gives the edit context for a clip of the project', () => {
    const result = parseProjectSchema(readFileSync(samplePath, 'utf8'));
    if (!result.ok) throw new Error(result.message);
    const context = editContextFor(result.project, 900);
    expect(context.frameCount).toBe(900);
    expect(context.templates.map((t) => t.id)).toContain(COCO_BODY_TEMPLATE_ID);
    expect(context.verbIds?.has(0)).toBe(true);
    expect(context.objectClassIds?.size).toBe(result.project.objectClasses.length);
  });

  it('fills defaults: no own templates, no object classes, no segment overlap', () => {
    const result = parseProjectSchema(JSON.stringify(minimal));
    expect(result.ok && result.project).toMatchObject({
      templates: [],
      objectClasses: [],
      allowSegmentOverlap: false,
    });
  });

  it('takes the lead’s pre-annotation settings, optional, and checks the threshold is 0–1', () => {
    const without = parseProjectSchema(JSON.stringify(minimal));
    // Absent: the run falls back to DEFAULT_SCORE_THRESHOLD (0.5), camera not mirrored.
    expect(without.ok && without.project.preannotation).toBeUndefined();
    const set = parseProjectSchema(
      JSON.stringify({ ...minimal, preannotation: { scoreThreshold: 0.7, mirroredVideo: true } }),
    );
    expect(set.ok && set.project.preannotation).toEqual({
      scoreThreshold: 0.7,
      mirroredVideo: true,
    });
    expect(messageFor({ ...minimal, preannotation: { scoreThreshold: 1.5 } })).toMatch(
      /preannotation\.scoreThreshold: must be 0–1/,
    );
    expect(messageFor({ ...minimal, preannotation: { threshold: 0.5 } })).toMatch(
      /unknown field "threshold"/,
    );
  });

  it('takes the share of unaccepted proposals a submit allows, 0–1, absent meaning 0', () => {
    const set = parseProjectSchema(
      JSON.stringify({ ...minimal, preannotation: { maxUnacceptedShare: 0.1 } }),
    );
    expect(set.ok && editContextFor(set.project, 10).maxUnacceptedShare).toBe(0.1);
    const without = parseProjectSchema(JSON.stringify(minimal));
    expect(without.ok && editContextFor(without.project, 10).maxUnacceptedShare).toBe(0);
    expect(messageFor({ ...minimal, preannotation: { maxUnacceptedShare: 2 } })).toMatch(
      /preannotation\.maxUnacceptedShare: must be 0–1/,
    );
  });

  it('refuses an unknown version instead of guessing', () => {
    expect(messageFor({ ...minimal, version: 2 })).toMatch(/version: 2 is not supported/);
    expect(messageFor({ ...minimal, version: undefined })).toMatch(
      /version: null is not supported/,
    );
  });

  it('rejects text that is not JSON, saying so', () => {
    expect(parseProjectSchema('{').ok).toBe(false);
    expect(messageFor([])).toMatch(/must hold a JSON object/);
  });

  it('names unknown fields and duplicate class ids', () => {
    expect(messageFor({ ...minimal, verbz: [] })).toMatch(/unknown field "verbz"/);
    const twice = {
      ...minimal,
      taxonomy: {
        ...minimal.taxonomy,
        nouns: [
          { id: 0, key: 'cup' },
          { id: 0, key: 'mug' },
        ],
      },
    };
    expect(messageFor(twice)).toMatch(/taxonomy\.nouns\[1\]: noun id 0 is used twice/);
  });

  it('checks skeleton edges against the keypoint count, 1-based', () => {
    const template = {
      id: 'pair',
      name: 'Pair',
      kind: 'other',
      keypoints: ['a', 'b'],
      skeleton: [[0, 1]],
    };
    expect(messageFor({ ...minimal, templates: [template] })).toMatch(
      /templates\[0\]\.skeleton\[0\]: must join two keypoints numbered 1–2/,
    );
    expect(
      parseProjectSchema(
        JSON.stringify({ ...minimal, templates: [{ ...template, skeleton: [[1, 2]] }] }),
      ).ok,
    ).toBe(true);
  });

  it('refuses a project template that reuses a built-in id', () => {
    const template = {
      id: COCO_BODY_TEMPLATE_ID,
      name: 'Mine',
      kind: 'body',
      keypoints: ['a'],
      skeleton: [],
    };
    expect(messageFor({ ...minimal, templates: [template] })).toMatch(/is a built-in template id/);
  });
});

describe('built-in templates', () => {
  it('COCO-17 has COCO names in order and its 19 1-based edges', () => {
    const coco = findTemplate(BUILT_IN_TEMPLATES, COCO_BODY_TEMPLATE_ID);
    expect(coco?.keypoints).toHaveLength(17);
    expect(coco?.keypoints[0]).toBe('nose');
    expect(coco?.keypoints[16]).toBe('right_ankle');
    expect(COCO_BODY_SKELETON).toHaveLength(19);
    expect(COCO_BODY_SKELETON[0]).toEqual([16, 14]);
  });

  it('hands have 21 MediaPipe landmarks and 21 connections, wrist first', () => {
    const hands = BUILT_IN_TEMPLATES.filter((t) => t.kind === 'hand');
    expect(hands).toHaveLength(2);
    for (const hand of hands) {
      expect(hand.keypoints).toHaveLength(21);
      expect(hand.keypoints[0]).toBe('wrist');
      expect(hand.keypoints[4]).toBe('thumb_tip');
      expect(hand.keypoints[20]).toBe('pinky_tip');
    }
    expect(MEDIAPIPE_HAND_SKELETON).toHaveLength(21);
    expect(MEDIAPIPE_HAND_SKELETON).toContainEqual([1, 2]);
    expect(MEDIAPIPE_HAND_SKELETON).toContainEqual([20, 21]);
  });

  it('every built-in passes the template validator', () => {
    for (const template of BUILT_IN_TEMPLATES) {
      expect(SkeletonTemplate.safeParse(template).success).toBe(true);
    }
  });

  it('contact states are the 100DOH codes 0–4', () => {
    expect(CONTACT_STATES.map((s) => s.code)).toEqual([0, 1, 2, 3, 4]);
  });
});
