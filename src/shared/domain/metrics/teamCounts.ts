import type { AgreementReport } from './agreementReport';

/** What the server counted for one annotator (their projects' progress, summed). */
export type ServerAnnotatorCounts = {
  readonly annotator: string;
  readonly submitted: number;
  readonly accepted: number;
  readonly changesRequested: number;
  readonly perDay: readonly { readonly day: string; readonly submitted: number }[];
};

/**
 * The agreement report with each annotator's submitted / accepted / changes requested, rejection
 * rate and throughput as the server counted them, where it has them. A lead's workstation holds
 * only its own audit log: the team's submits and verdicts happened on other machines, and counting
 * them there gave "Submitted 0", a rejection rate of "–" and an empty throughput chart.
 */
export function withServerCounts(
  report: AgreementReport,
  counts: readonly ServerAnnotatorCounts[],
): AgreementReport {
  if (counts.length === 0) return report;
  const byName = new Map(counts.map((c) => [c.annotator, c]));
  const throughput = report.throughput.filter((t) => !byName.has(t.annotator));
  // One entry per day and annotator, however many projects counted that day.
  const perDay = new Map<string, { day: string; annotator: string; submitted: number }>();
  for (const c of counts) {
    for (const d of c.perDay) {
      if (d.submitted === 0) continue;
      const key = `${d.day}|${c.annotator}`;
      const entry = perDay.get(key) ?? { day: d.day, annotator: c.annotator, submitted: 0 };
      entry.submitted += d.submitted;
      perDay.set(key, entry);
    }
  }
  throughput.push(...perDay.values());
  throughput.sort((a, b) => a.day.localeCompare(b.day) || a.annotator.localeCompare(b.annotator));
  return {
    ...report,
    perAnnotator: report.perAnnotator.map((a) => {
      const c = byName.get(a.annotator);
      if (c === undefined) return a;
      const verdicts = c.accepted + c.changesRequested;
      return {
        ...a,
        submitted: c.submitted,
        accepted: c.accepted,
        changesRequested: c.changesRequested,
        rejectionRate: verdicts === 0 ? null : c.changesRequested / verdicts,
      };
    }),
    throughput,
  };
}
