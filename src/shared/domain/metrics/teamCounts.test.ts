import { describe, expect, it } from 'vitest';
import { agreementReport } from './agreementReport';
import { withServerCounts } from './teamCounts';

describe("the agreement page's counts on a lead's workstation", () => {
  it("take the server's submitted, verdicts and throughput for the annotators it knows", () => {
    const report = agreementReport([], []);
    const base = {
      ...report,
      perAnnotator: [
        {
          annotator: 'ann1',
          figures: report.overall,
          submitted: 0,
          accepted: 0,
          changesRequested: 0,
          rejectionRate: null,
        },
      ],
    };
    const merged = withServerCounts(base, [
      {
        annotator: 'ann1',
        submitted: 3,
        accepted: 1,
        changesRequested: 1,
        perDay: [
          { day: '2026-12-02', submitted: 2 },
          { day: '2026-12-01', submitted: 1 },
        ],
      },
    ]);
    expect(merged.perAnnotator[0]).toMatchObject({
      submitted: 3,
      accepted: 1,
      changesRequested: 1,
      rejectionRate: 0.5,
    });
    expect(merged.throughput).toEqual([
      { day: '2026-12-01', annotator: 'ann1', submitted: 1 },
      { day: '2026-12-02', annotator: 'ann1', submitted: 2 },
    ]);
    expect(withServerCounts(base, [])).toBe(base);
  });
});
