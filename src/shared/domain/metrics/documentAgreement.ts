import {
  COCO_BODY_TEMPLATE_ID,
  boxTracksOf,
  findTemplate,
  LEFT_HAND_TEMPLATE_ID,
  RIGHT_HAND_TEMPLATE_ID,
  type ContactLabel,
  type LabelsDocument,
  type SkeletonTemplate,
  type Track,
} from '../labels';
import { agreementFromMatrix, type Agreement } from './agreement';
import {
  contactAgreement,
  CONTACT_STATES,
  frameLabelsFromSegments,
  trackPosePairs,
} from './fromLabels';
import { COCO_BODY_SIGMAS, COCO_WHOLEBODY_HAND_SIGMAS, trackOks } from './oks';
import { trackPck } from './pck';
import {
  compareSegmentations,
  poolSegmentationScores,
  type PooledSegmentationScores,
} from './segmentMetrics';

/**
 * Agreement between two annotators' labels of one clip (double annotation). The annotators made
 * their tracks independently, so tracks are first matched: per kind, greedily by mean OKS on the
 * reference's keyframes; a track left without a partner is reported, not scored. Segments are
 * compared per timeline row (person rows mapped through the track matching) and pooled; contact
 * states per matched hand.
 */

/** Sigma per keypoint for a template without published ones: COCO's median body sigma. */
const DEFAULT_SIGMA = 0.072;
const PCK_ALPHA = 0.2;

export function sigmasFor(template: SkeletonTemplate): readonly number[] {
  if (template.id === COCO_BODY_TEMPLATE_ID) return COCO_BODY_SIGMAS;
  if (template.id === LEFT_HAND_TEMPLATE_ID || template.id === RIGHT_HAND_TEMPLATE_ID) {
    return COCO_WHOLEBODY_HAND_SIGMAS;
  }
  return template.keypoints.map(() => DEFAULT_SIGMA);
}

export type TrackAgreement = {
  readonly kind: Track['kind'];
  readonly referenceTrackId: string;
  readonly otherTrackId: string;
  readonly oks: number | null;
  readonly pck: number | null;
  readonly framesCompared: number;
  /** OKS of every compared frame (for distributions). */
  readonly frameOks: readonly number[];
};

export type DocumentAgreement = {
  readonly tracks: readonly TrackAgreement[];
  readonly unmatchedReference: readonly string[];
  readonly unmatchedOther: readonly string[];
  /** Mean OKS over every compared frame of every matched track; null when none. */
  readonly oks: number | null;
  readonly pck: number | null;
  readonly segments: PooledSegmentationScores | null;
  /** Contact states over every matched hand's frames: kappa, and the 5×5 confusion counts. */
  readonly contacts: Agreement & { readonly confusion: readonly (readonly number[])[] };
  readonly objectBoxIoU: number | null;
};

type Match = { reference: Track; other: Track; template: SkeletonTemplate };

function meanOksOn(
  reference: Track,
  other: Track,
  template: SkeletonTemplate,
  frames?: Iterable<number>,
): number | null {
  const pairs = trackPosePairs(reference, other, template.keypoints.length, frames);
  return trackOks(pairs, { sigmas: sigmasFor(template) }).oks;
}

function matchTracks(
  reference: LabelsDocument,
  other: LabelsDocument,
  templates: readonly SkeletonTemplate[],
): { matches: Match[]; unmatchedReference: string[]; unmatchedOther: string[] } {
  const candidates: {
    reference: Track;
    other: Track;
    template: SkeletonTemplate;
    score: number;
  }[] = [];
  for (const a of reference.tracks) {
    const template = findTemplate(templates, a.templateId);
    if (!template) continue;
    for (const b of other.tracks) {
      if (b.kind !== a.kind || b.templateId !== a.templateId) continue;
      // Keyframes are where the reference annotator looked: cheap, and telling enough to pair.
      const score = meanOksOn(
        a,
        b,
        template,
        a.keyframes.map((k) => k.frame),
      );
      if (score !== null) candidates.push({ reference: a, other: b, template, score });
    }
  }
  candidates.sort((x, y) => y.score - x.score);
  const used = new Set<string>();
  const matches: Match[] = [];
  for (const c of candidates) {
    if (used.has(`a:${c.reference.id}`) || used.has(`b:${c.other.id}`)) continue;
    used.add(`a:${c.reference.id}`);
    used.add(`b:${c.other.id}`);
    matches.push({ reference: c.reference, other: c.other, template: c.template });
  }
  return {
    matches,
    unmatchedReference: reference.tracks.filter((t) => !used.has(`a:${t.id}`)).map((t) => t.id),
    unmatchedOther: other.tracks.filter((t) => !used.has(`b:${t.id}`)).map((t) => t.id),
  };
}

export function documentAgreement(
  reference: LabelsDocument,
  other: LabelsDocument,
  templates: readonly SkeletonTemplate[],
  frameCount: number,
): DocumentAgreement {
  const { matches, unmatchedReference, unmatchedOther } = matchTracks(reference, other, templates);
  const tracks: TrackAgreement[] = matches.map(({ reference: a, other: b, template }) => {
    const pairs = trackPosePairs(a, b, template.keypoints.length);
    const oks = trackOks(pairs, { sigmas: sigmasFor(template) });
    const pck = trackPck(pairs, template.keypoints.length, { alpha: PCK_ALPHA });
    return {
      kind: a.kind,
      referenceTrackId: a.id,
      otherTrackId: b.id,
      oks: oks.oks,
      pck: pck.pck,
      framesCompared: oks.framesCompared,
      frameOks: oks.perFrame.map((f) => f.oks),
    };
  });
  const allOks = tracks.flatMap((t) => t.frameOks);
  const pckScored = tracks.filter((t) => t.pck !== null);

  // The other annotator's rows and hands renamed to the reference's track ids.
  const renamed = new Map(matches.map((m) => [m.other.id, m.reference.id]));
  const otherSegments = other.segments.map((s) => ({
    ...s,
    actor: renamed.get(s.actor) ?? s.actor,
  }));
  const rows = [...new Set([...reference.segments, ...otherSegments].map((s) => s.actor))].sort();
  const segments =
    rows.length === 0
      ? null
      : poolSegmentationScores(
          rows.map((actor) =>
            compareSegmentations(
              frameLabelsFromSegments(otherSegments, frameCount, { actor }),
              frameLabelsFromSegments(reference.segments, frameCount, { actor }),
            ),
          ),
        );

  const confusion = CONTACT_STATES.map(() => CONTACT_STATES.map(() => 0));
  const ious: { iou: number; frames: number }[] = [];
  for (const { reference: a, other: b } of matches) {
    if (a.kind === 'person') continue;
    const otherContacts: ContactLabel[] = other.contacts
      .filter((c) => c.trackId === b.id)
      .map((c) => ({ ...c, trackId: a.id }));
    const result = contactAgreement(reference.contacts, otherContacts, a.id, frameCount, {
      reference: boxTracksOf(reference),
      other: boxTracksOf(other),
    });
    result.confusion.matrix.forEach((row, i) =>
      row.forEach((count, j) => {
        const target = confusion[i];
        if (target) target[j] = (target[j] ?? 0) + count;
      }),
    );
    if (result.objectBoxIoU !== null) {
      ious.push({ iou: result.objectBoxIoU, frames: result.framesWithBothBoxes });
    }
  }
  const boxFrames = ious.reduce((s, x) => s + x.frames, 0);

  return {
    tracks,
    unmatchedReference,
    unmatchedOther,
    oks: allOks.length === 0 ? null : allOks.reduce((s, x) => s + x, 0) / allOks.length,
    pck:
      pckScored.length === 0
        ? null
        : pckScored.reduce((s, t) => s + (t.pck ?? 0) * t.framesCompared, 0) /
          Math.max(
            1,
            pckScored.reduce((s, t) => s + t.framesCompared, 0),
          ),
    segments,
    contacts: { ...agreementFromMatrix(confusion), confusion },
    objectBoxIoU:
      boxFrames === 0 ? null : ious.reduce((s, x) => s + x.iou * x.frames, 0) / boxFrames,
  };
}
