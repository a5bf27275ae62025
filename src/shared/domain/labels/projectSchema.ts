import { BlurSettings } from '../faces/blurFrame';
import { z } from 'zod';
import { parseVersionedJson } from '../parseVersionedJson';

/** The project file versions this build understands; an unknown one is refused, not guessed at. */
export const SUPPORTED_PROJECT_VERSIONS = [1] as const;

export const TemplateKind = z.enum(['body', 'hand', 'other']);
export type TemplateKind = z.infer<typeof TemplateKind>;

const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1–64 letters, digits, "_", "-" or "."');

/** A class id as EPIC-KITCHENS numbers its verb and noun classes: a non-negative integer. */
const ClassId = z.number().int('must be a whole number').min(0, 'must be 0 or more');

/**
 * A skeleton template. Keypoints are listed in order; `skeleton` edges name two keypoints by their
 * **1-based** position, exactly as COCO's `categories[].skeleton` does, so exports copy them as-is.
 */
export const SkeletonTemplate = z
  .object({
    id: Id,
    name: z.string().min(1, 'must not be empty'),
    kind: TemplateKind,
    keypoints: z
      .array(z.string().regex(/^[a-z0-9_]+$/, 'must be lowercase letters, digits and "_"'))
      .min(1, 'must list at least one keypoint'),
    skeleton: z.array(
      z.tuple([z.number().int('must be a whole number'), z.number().int('must be a whole number')]),
    ),
  })
  .strict()
  .superRefine((template, ctx) => {
    const seen = new Set<string>();
    template.keypoints.forEach((name, index) => {
      if (seen.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['keypoints', index],
          message: `"${name}" is listed twice`,
        });
      }
      seen.add(name);
    });
    const count = template.keypoints.length;
    template.skeleton.forEach(([a, b], index) => {
      if (a < 1 || b < 1 || a > count || b > count) {
        ctx.addIssue({
          code: 'custom',
          path: ['skeleton', index],
          message: `must join two keypoints numbered 1–${count} (1-based, as COCO)`,
        });
      } else if (a === b) {
        ctx.addIssue({
          code: 'custom',
          path: ['skeleton', index],
          message: 'must join two different keypoints',
        });
      }
    });
  });
export type SkeletonTemplate = z.infer<typeof SkeletonTemplate>;

/** A verb or noun class, as a row of EPIC-KITCHENS `verb_classes.csv` / `noun_classes.csv`. */
export const ActionClass = z
  .object({
    id: ClassId,
    key: z.string().min(1, 'must not be empty'),
    category: z.string().optional(),
  })
  .strict();
export type ActionClass = z.infer<typeof ActionClass>;

export const ObjectClass = z
  .object({ id: ClassId, name: z.string().min(1, 'must not be empty') })
  .strict();
export type ObjectClass = z.infer<typeof ObjectClass>;

/** COCO person keypoints, in COCO's order (person_keypoints_*.json, category 1). */
export const COCO_BODY_KEYPOINTS = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;

/** COCO's 19 person skeleton edges, 1-based, in the order COCO lists them. */
export const COCO_BODY_SKELETON: readonly (readonly [number, number])[] = [
  [16, 14],
  [14, 12],
  [17, 15],
  [15, 13],
  [12, 13],
  [6, 12],
  [7, 13],
  [6, 7],
  [6, 8],
  [7, 9],
  [8, 10],
  [9, 11],
  [2, 3],
  [1, 2],
  [1, 3],
  [2, 4],
  [3, 5],
  [4, 6],
  [5, 7],
];

/** MediaPipe Hands landmarks 0–20 (`HandLandmark`), lowercased, in MediaPipe's order. */
export const MEDIAPIPE_HAND_KEYPOINTS = [
  'wrist',
  'thumb_cmc',
  'thumb_mcp',
  'thumb_ip',
  'thumb_tip',
  'index_finger_mcp',
  'index_finger_pip',
  'index_finger_dip',
  'index_finger_tip',
  'middle_finger_mcp',
  'middle_finger_pip',
  'middle_finger_dip',
  'middle_finger_tip',
  'ring_finger_mcp',
  'ring_finger_pip',
  'ring_finger_dip',
  'ring_finger_tip',
  'pinky_mcp',
  'pinky_pip',
  'pinky_dip',
  'pinky_tip',
] as const;

/**
 * MediaPipe's `HAND_CONNECTIONS` (palm, thumb, index, middle, ring, pinky; 21 edges), shifted to
 * 1-based so every template follows the COCO convention.
 */
const MEDIAPIPE_HAND_CONNECTIONS_0_BASED: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 5],
  [9, 13],
  [13, 17],
  [5, 9],
  [0, 17],
  [1, 2],
  [2, 3],
  [3, 4],
  [5, 6],
  [6, 7],
  [7, 8],
  [9, 10],
  [10, 11],
  [11, 12],
  [13, 14],
  [14, 15],
  [15, 16],
  [17, 18],
  [18, 19],
  [19, 20],
];

export const MEDIAPIPE_HAND_SKELETON: readonly (readonly [number, number])[] =
  MEDIAPIPE_HAND_CONNECTIONS_0_BASED.map(([a, b]) => [a + 1, b + 1] as const);

export const COCO_BODY_TEMPLATE_ID = 'coco17-body';
export const LEFT_HAND_TEMPLATE_ID = 'mediapipe21-left-hand';
export const RIGHT_HAND_TEMPLATE_ID = 'mediapipe21-right-hand';

function builtIn(
  id: string,
  name: string,
  kind: TemplateKind,
  keypoints: readonly string[],
  skeleton: readonly (readonly [number, number])[],
): SkeletonTemplate {
  return { id, name, kind, keypoints: [...keypoints], skeleton: skeleton.map(([a, b]) => [a, b]) };
}

/**
 * Templates every project has without listing them. A project file lists only its own templates,
 * and may not reuse these ids.
 */
export const BUILT_IN_TEMPLATES: readonly SkeletonTemplate[] = [
  builtIn(COCO_BODY_TEMPLATE_ID, 'COCO-17 body', 'body', COCO_BODY_KEYPOINTS, COCO_BODY_SKELETON),
  builtIn(
    LEFT_HAND_TEMPLATE_ID,
    'Left hand (21)',
    'hand',
    MEDIAPIPE_HAND_KEYPOINTS,
    MEDIAPIPE_HAND_SKELETON,
  ),
  builtIn(
    RIGHT_HAND_TEMPLATE_ID,
    'Right hand (21)',
    'hand',
    MEDIAPIPE_HAND_KEYPOINTS,
    MEDIAPIPE_HAND_SKELETON,
  ),
];

/**
 * Hand contact states, fixed to the 100 Days of Hands (100DOH) `contactstate` codes. They are not
 * part of the project file: exports and models depend on these exact codes.
 */
export const CONTACT_STATES = [
  { code: 0, key: 'no_contact', name: 'No contact' },
  { code: 1, key: 'self', name: 'Self contact' },
  { code: 2, key: 'other_person', name: 'Other person' },
  { code: 3, key: 'portable_object', name: 'Portable object' },
  { code: 4, key: 'stationary_object', name: 'Stationary object' },
] as const;

function uniqueBy<T>(
  items: readonly T[],
  key: (item: T) => string | number,
  field: string,
  what: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string | number>();
  items.forEach((item, index) => {
    const value = key(item);
    if (seen.has(value)) {
      ctx.addIssue({
        code: 'custom',
        path: [field, index],
        message: `${what} ${JSON.stringify(value)} is used twice`,
      });
    }
    seen.add(value);
  });
}

/**
 * Pre-annotation as the lead sets it for the project. `scoreThreshold`: model points scored below
 * it come in as "not labeled" (absent: DEFAULT_SCORE_THRESHOLD in api/preannotationSchemas, 0.5);
 * an annotator may still override it for one run. `mirroredVideo`: the project's clips are
 * mirrored (a selfie camera, or footage flipped on export), so a hand the pose model sees as the
 * person's left is their right — absent or false for the usual egocentric head-mounted camera,
 * which is not mirrored. `maxUnacceptedShare`: the share of a clip's decided points that may still
 * be model proposals nobody accepted when it is submitted (absent: 0, every proposal checked).
 */
export const PreannotationSettings = z
  .object({
    scoreThreshold: z.number().min(0, 'must be 0–1').max(1, 'must be 0–1').optional(),
    mirroredVideo: z.boolean().optional(),
    maxUnacceptedShare: z.number().min(0, 'must be 0–1').max(1, 'must be 0–1').optional(),
  })
  .strict();
export type PreannotationSettings = z.infer<typeof PreannotationSettings>;

export const ProjectSchemaV1 = z
  .object({
    version: z.literal(1),
    name: z.string().min(1, 'must not be empty'),
    templates: z.array(SkeletonTemplate).default([]),
    taxonomy: z
      .object({ verbs: z.array(ActionClass), nouns: z.array(ActionClass) })
      .strict()
      .superRefine((taxonomy, ctx) => {
        uniqueBy(taxonomy.verbs, (c) => c.id, 'verbs', 'verb id', ctx);
        uniqueBy(taxonomy.verbs, (c) => c.key, 'verbs', 'verb key', ctx);
        uniqueBy(taxonomy.nouns, (c) => c.id, 'nouns', 'noun id', ctx);
        uniqueBy(taxonomy.nouns, (c) => c.key, 'nouns', 'noun key', ctx);
      }),
    objectClasses: z.array(ObjectClass).default([]),
    allowSegmentOverlap: z.boolean().default(false),
    /**
     * Clips without valid consent: 'label' (viewed and labeled, never exported) or 'lock' (read
     * only). Optional so project files written before it still parse; absent means
     * DEFAULT_CONSENT_POLICY (src/shared/domain/consentState.ts). Withdrawn clips are always locked.
     */
    consentPolicy: z.enum(['label', 'lock']).optional(),
    /** The lead's pre-annotation settings; optional, absent fields keep the defaults. */
    preannotation: PreannotationSettings.optional(),
    /**
     * 'require-reviewed': a clip whose face regions no person has reviewed is left out of exports
     * with videos (`blur_not_reviewed`); labels-only exports are unaffected. Absent: no rule.
     */
    blurPolicy: z.enum(['require-reviewed']).optional(),
    /** How `--blur faces` blurs (method, strength, padding); absent fields keep DEFAULT_BLUR. */
    blur: BlurSettings.optional(),
  })
  .strict()
  .superRefine((project, ctx) => {
    uniqueBy(project.templates, (t) => t.id, 'templates', 'template id', ctx);
    project.templates.forEach((template, index) => {
      if (BUILT_IN_TEMPLATES.some((b) => b.id === template.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['templates', index, 'id'],
          message: `"${template.id}" is a built-in template id; choose another`,
        });
      }
    });
    uniqueBy(project.objectClasses, (c) => c.id, 'objectClasses', 'object class id', ctx);
    uniqueBy(project.objectClasses, (c) => c.name, 'objectClasses', 'object class name', ctx);
  });

export type ProjectSchema = z.output<typeof ProjectSchemaV1>;

export type ProjectSchemaResult =
  { ok: true; project: ProjectSchema } | { ok: false; message: string };

/** Built-in templates first, then the project's own. */
export function projectTemplates(project: ProjectSchema): readonly SkeletonTemplate[] {
  return [...BUILT_IN_TEMPLATES, ...project.templates];
}

export function findTemplate(
  templates: readonly SkeletonTemplate[],
  id: string,
): SkeletonTemplate | undefined {
  return templates.find((t) => t.id === id);
}

/** Parses a project file's text; every failure names the field and says what it must be. */
export function parseProjectSchema(text: string): ProjectSchemaResult {
  const parsed = parseVersionedJson(
    text,
    'The project file',
    SUPPORTED_PROJECT_VERSIONS,
    ProjectSchemaV1,
  );
  if (!parsed.ok) return parsed;
  return { ok: true, project: parsed.value };
}
