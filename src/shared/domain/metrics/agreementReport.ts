import { z } from 'zod';
import type { DocumentAgreement } from './documentAgreement';
import { f1FromCounts, type SegmentCounts } from './segmentMetrics';
import { agreementFromMatrix } from './agreement';

/**
 * The lead's agreement page, as data: figures per annotator, per batch and overall from every
 * double-annotated clip, plus what the plots draw (OKS distribution, F1 per IoU threshold,
 * contact confusion, throughput per day, rejection rates from review verdicts).
 */

const Nullable = z.number().nullable();

export const AgreementFigures = z.object({
  /** Double-annotated clips compared. */
  pairs: z.number().int(),
  framesCompared: z.number().int(),
  oks: Nullable,
  pck: Nullable,
  segmentF1: z.array(z.object({ threshold: z.number(), f1: Nullable })),
  edit: Nullable,
  contactAccuracy: Nullable,
  contactKappa: Nullable,
});
export type AgreementFigures = z.infer<typeof AgreementFigures>;

export const AgreementReport = z.object({
  overall: AgreementFigures,
  perAnnotator: z.array(
    z.object({
      annotator: z.string(),
      figures: AgreementFigures,
      submitted: z.number().int(),
      accepted: z.number().int(),
      changesRequested: z.number().int(),
      /** Changes requested over verdicts given; null before any verdict. */
      rejectionRate: Nullable,
    }),
  ),
  perBatch: z.array(
    z.object({ batchId: z.string(), batchName: z.string(), figures: AgreementFigures }),
  ),
  pairs: z.array(
    z.object({
      clipId: z.string(),
      clipName: z.string(),
      batchId: z.string(),
      reference: z.string(),
      other: z.string(),
      oks: Nullable,
      f1At50: Nullable,
      contactKappa: Nullable,
      unmatchedTracks: z.number().int(),
    }),
  ),
  /** Frame OKS values in bins of 0.05 from 0 to 1 (the last bin includes 1). */
  oksHistogram: z.array(z.number().int()),
  /** Contact states, rows the reference annotator's, columns the other's (100DOH 0–4). */
  contactConfusion: z.array(z.array(z.number().int())),
  throughput: z.array(
    z.object({ day: z.string(), annotator: z.string(), submitted: z.number().int() }),
  ),
  /**
   * Double-annotated clips the server has two annotators' work for that are not imported on this
   * machine: not compared (no frame count, no batch), but counted so none goes missing silently.
   */
  notOnThisMachine: z.number().int(),
});
export type AgreementReport = z.infer<typeof AgreementReport>;

export type ComparedClip = {
  readonly clipId: string;
  readonly clipName: string;
  readonly batchId: string;
  readonly batchName: string;
  readonly reference: string;
  readonly other: string;
  readonly agreement: DocumentAgreement;
};

export type StatusChange = {
  readonly at: string;
  readonly action: 'labels.submitted' | 'labels.accepted' | 'labels.changes_requested';
  readonly annotator: string;
};

export const OKS_BINS = 20;

function figuresOf(clips: readonly ComparedClip[]): AgreementFigures {
  const frameOks = clips.flatMap((c) => c.agreement.tracks.flatMap((t) => t.frameOks));
  const pckWeighted = clips.flatMap((c) =>
    c.agreement.tracks.flatMap((t) =>
      t.pck === null ? [] : [{ pck: t.pck, n: t.framesCompared }],
    ),
  );
  const pckFrames = pckWeighted.reduce((s, x) => s + x.n, 0);
  const thresholds = clips.find((c) => c.agreement.segments)?.agreement.segments?.f1 ?? [];
  const counts: SegmentCounts[] = thresholds.map(() => ({ tp: 0, fp: 0, fn: 0 }));
  const edits: number[] = [];
  for (const clip of clips) {
    const segments = clip.agreement.segments;
    if (!segments) continue;
    if (segments.edit !== null) edits.push(segments.edit);
    segments.f1.forEach((f, i) => {
      const c = counts[i];
      if (c) counts[i] = { tp: c.tp + f.tp, fp: c.fp + f.fp, fn: c.fn + f.fn };
    });
  }
  const confusion = summedConfusion(clips);
  const contact = agreementFromMatrix(confusion);
  return {
    pairs: clips.length,
    framesCompared: frameOks.length,
    oks: frameOks.length === 0 ? null : frameOks.reduce((s, x) => s + x, 0) / frameOks.length,
    pck: pckFrames === 0 ? null : pckWeighted.reduce((s, x) => s + x.pck * x.n, 0) / pckFrames,
    // Pooled as eval.py pools a split: F1 from summed counts, edit as the mean over videos.
    segmentF1: thresholds.map((t, i) => ({
      threshold: t.threshold,
      f1: f1FromCounts(counts[i] ?? { tp: 0, fp: 0, fn: 0 }),
    })),
    edit: edits.length === 0 ? null : edits.reduce((s, x) => s + x, 0) / edits.length,
    contactAccuracy: contact.accuracy,
    contactKappa: contact.kappa,
  };
}

function summedConfusion(clips: readonly ComparedClip[]): number[][] {
  const total = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
  for (const clip of clips) {
    clip.agreement.contacts.confusion.forEach((row, i) =>
      row.forEach((count, j) => {
        const target = total[i];
        if (target) target[j] = (target[j] ?? 0) + count;
      }),
    );
  }
  return total;
}

export function agreementReport(
  clips: readonly ComparedClip[],
  statusChanges: readonly StatusChange[],
  elsewhere: { notOnThisMachine?: number } = {},
): AgreementReport {
  const annotators = [
    ...new Set([
      ...clips.flatMap((c) => [c.reference, c.other]),
      ...statusChanges.map((s) => s.annotator),
    ]),
  ].sort();
  const batches = new Map(clips.map((c) => [c.batchId, c.batchName]));

  const histogram = new Array<number>(OKS_BINS).fill(0);
  for (const clip of clips) {
    for (const track of clip.agreement.tracks) {
      for (const oks of track.frameOks) {
        const bin = Math.min(OKS_BINS - 1, Math.max(0, Math.floor(oks * OKS_BINS)));
        histogram[bin] = (histogram[bin] ?? 0) + 1;
      }
    }
  }

  const perDay = new Map<string, number>();
  for (const change of statusChanges) {
    if (change.action !== 'labels.submitted') continue;
    const key = JSON.stringify([change.at.slice(0, 10), change.annotator]);
    perDay.set(key, (perDay.get(key) ?? 0) + 1);
  }

  return {
    overall: figuresOf(clips),
    perAnnotator: annotators.map((annotator) => {
      const mine = statusChanges.filter((s) => s.annotator === annotator);
      const accepted = mine.filter((s) => s.action === 'labels.accepted').length;
      const changesRequested = mine.filter((s) => s.action === 'labels.changes_requested').length;
      const verdicts = accepted + changesRequested;
      return {
        annotator,
        figures: figuresOf(clips.filter((c) => c.reference === annotator || c.other === annotator)),
        submitted: mine.filter((s) => s.action === 'labels.submitted').length,
        accepted,
        changesRequested,
        rejectionRate: verdicts === 0 ? null : changesRequested / verdicts,
      };
    }),
    perBatch: [...batches].map(([batchId, batchName]) => ({
      batchId,
      batchName,
      figures: figuresOf(clips.filter((c) => c.batchId === batchId)),
    })),
    pairs: clips.map((c) => ({
      clipId: c.clipId,
      clipName: c.clipName,
      batchId: c.batchId,
      reference: c.reference,
      other: c.other,
      oks: c.agreement.oks,
      f1At50: c.agreement.segments?.f1.find((f) => f.threshold === 0.5)?.f1 ?? null,
      contactKappa: c.agreement.contacts.kappa,
      unmatchedTracks: c.agreement.unmatchedReference.length + c.agreement.unmatchedOther.length,
    })),
    oksHistogram: histogram,
    contactConfusion: summedConfusion(clips),
    throughput: [...perDay]
      .map(([key, submitted]) => {
        const [day, annotator] = JSON.parse(key) as [string, string];
        return { day, annotator, submitted };
      })
      .sort((a, b) => a.day.localeCompare(b.day) || a.annotator.localeCompare(b.annotator)),
    notOnThisMachine: elsewhere.notOnThisMachine ?? 0,
  };
}
