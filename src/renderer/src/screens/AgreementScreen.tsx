import { useMemo } from 'react';
import { CONTACT_STATES } from '../../../shared/domain/labels';
import type {
  AgreementFigures,
  AgreementReport,
} from '../../../shared/domain/metrics/agreementReport';
import { Chart } from '../charts/Chart';
import type { ChartOption } from '../charts/echarts';
import { useAppStore } from '../store/AppStoreContext';

function fixed(value: number | null, digits = 3): string {
  return value === null ? '–' : value.toFixed(digits);
}

function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)} %`;
}

function f1At(figures: AgreementFigures, threshold: number): string {
  const f1 = figures.segmentF1.find((f) => f.threshold === threshold)?.f1 ?? null;
  return f1 === null ? '–' : f1.toFixed(1);
}

/** "2 double-annotated clips", with the pairs when a clip has more than two annotators. */
function clipsAndPairs(report: AgreementReport): string {
  const clips = new Set(report.pairs.map((p) => p.clipId)).size;
  const pairs = report.overall.pairs;
  const text = `${clips} double-annotated clip${clips === 1 ? '' : 's'}`;
  return pairs === clips ? text : `${text} (${pairs} pairs of annotators)`;
}

/** Agreement per annotator and per batch, with plots, for the team lead. */
export function AgreementScreen() {
  const report = useAppStore((state) => state.agreementReport);
  const loading = useAppStore((state) => state.agreementLoading);
  const batchId = useAppStore((state) => state.agreementBatchId);
  const batches = useAppStore((state) => state.batches);
  const loadAgreement = useAppStore((state) => state.loadAgreement);
  const showBatches = useAppStore((state) => state.showBatches);
  const pullFromServer = useAppStore((state) => state.pullAgreementFromServer);
  const pullNote = useAppStore((state) => state.agreementPullNote);

  return (
    <section className="screen agreement-screen" aria-labelledby="agreement-title">
      <nav className="screen-nav">
        <button type="button" onClick={showBatches}>
          Back to batches
        </button>
      </nav>
      <h1 id="agreement-title">Agreement</h1>
      <label>
        Batch{' '}
        <select
          value={batchId ?? ''}
          onChange={(event) => void loadAgreement(event.target.value || null)}
        >
          <option value="">All batches</option>
          {batches.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => void pullFromServer()}>
        Fetch double annotation from the server
      </button>
      {pullNote !== null && <p aria-label="Pull from the server">{pullNote}</p>}
      {loading && <p role="status">Comparing double-annotated clips…</p>}
      {report && <AgreementBody report={report} />}
    </section>
  );
}

function AgreementBody({ report }: { report: AgreementReport }) {
  const charts = useMemo(() => chartOptions(report), [report]);
  const { overall } = report;
  return (
    <>
      <p role="status" aria-label="Agreement summary">
        {overall.pairs === 0
          ? 'No clip has been handed in by two annotators yet: agreement needs double annotation.'
          : `${clipsAndPairs(report)}, ${overall.framesCompared} poses compared: OKS ${fixed(overall.oks)}, PCK@0.2 ${percent(overall.pck)}, segment F1@0.5 ${f1At(overall, 0.5)}, edit ${fixed(overall.edit, 1)}, contact κ ${fixed(overall.contactKappa)}.`}
      </p>
      {report.notOnThisMachine > 0 && (
        <p aria-label="Clips not on this machine">
          {report.notOnThisMachine === 1
            ? '1 double-annotated clip handed in by two annotators on the server is not on this machine, so it is not compared: import its batch to include it.'
            : `${report.notOnThisMachine} double-annotated clips handed in by two annotators on the server are not on this machine, so they are not compared: import their batches to include them.`}
        </p>
      )}
      <div className="chart-grid">
        <Chart label="Distribution of OKS" summary={charts.oksSummary} option={charts.oks} />
        <Chart label="Segment F1 per IoU threshold" summary={charts.f1Summary} option={charts.f1} />
        <Chart
          label="Contact states: confusion matrix"
          summary={charts.confusionSummary}
          option={charts.confusion}
        />
        <Chart
          label="Throughput per day"
          summary={charts.throughputSummary}
          option={charts.throughput}
        />
        <Chart
          label="Rejection rate per annotator"
          summary={charts.rejectionSummary}
          option={charts.rejection}
        />
      </div>
      <h2>Per annotator</h2>
      <table className="data-table" aria-label="Agreement per annotator">
        <thead>
          <tr>
            <th scope="col">Annotator</th>
            <th scope="col">Clips compared</th>
            <th scope="col">OKS</th>
            <th scope="col">PCK@0.2</th>
            <th scope="col">F1@0.5</th>
            <th scope="col">Edit</th>
            <th scope="col">Contact κ</th>
            <th scope="col">Submitted</th>
            <th scope="col">Rejection rate</th>
          </tr>
        </thead>
        <tbody>
          {report.perAnnotator.map((row) => (
            <tr key={row.annotator}>
              <th scope="row">{row.annotator}</th>
              <td>{row.figures.pairs}</td>
              <td>{fixed(row.figures.oks)}</td>
              <td>{percent(row.figures.pck)}</td>
              <td>{f1At(row.figures, 0.5)}</td>
              <td>{fixed(row.figures.edit, 1)}</td>
              <td>{fixed(row.figures.contactKappa)}</td>
              <td>{row.submitted}</td>
              <td>{percent(row.rejectionRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Per batch</h2>
      <table className="data-table" aria-label="Agreement per batch">
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Clips compared</th>
            <th scope="col">OKS</th>
            <th scope="col">F1@0.5</th>
            <th scope="col">Contact κ</th>
          </tr>
        </thead>
        <tbody>
          {report.perBatch.map((row) => (
            <tr key={row.batchId}>
              <th scope="row">{row.batchName}</th>
              <td>{row.figures.pairs}</td>
              <td>{fixed(row.figures.oks)}</td>
              <td>{f1At(row.figures, 0.5)}</td>
              <td>{fixed(row.figures.contactKappa)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Clips</h2>
      <table className="data-table" aria-label="Double-annotated clips">
        <thead>
          <tr>
            <th scope="col">Clip</th>
            <th scope="col">Annotators</th>
            <th scope="col">OKS</th>
            <th scope="col">F1@0.5</th>
            <th scope="col">Contact κ</th>
            <th scope="col">Unpaired tracks</th>
          </tr>
        </thead>
        <tbody>
          {report.pairs.map((pair) => (
            <tr key={`${pair.clipId}-${pair.reference}-${pair.other}`}>
              <th scope="row">{pair.clipName}</th>
              <td>
                {pair.reference} / {pair.other}
              </td>
              <td>{fixed(pair.oks)}</td>
              <td>{pair.f1At50 === null ? '–' : pair.f1At50.toFixed(1)}</td>
              <td>{fixed(pair.contactKappa)}</td>
              <td>{pair.unmatchedTracks}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function chartOptions(report: AgreementReport) {
  const bins = report.oksHistogram.map((_, i) => (i / report.oksHistogram.length).toFixed(2));
  const annotators = report.perAnnotator.map((a) => a.annotator);
  const thresholds = report.overall.segmentF1.map((f) => `IoU ${f.threshold}`);
  const days = [...new Set(report.throughput.map((t) => t.day))];
  const states = CONTACT_STATES.map((s) => `${s.code} ${s.name}`);
  const confusionCells = report.contactConfusion.flatMap((row, i) =>
    row.map((count, j) => [j, i, count] as [number, number, number]),
  );
  const maxCell = Math.max(1, ...confusionCells.map((c) => c[2]));

  const oks: ChartOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 32, bottom: 40 },
    xAxis: { type: 'category', data: bins, name: 'OKS', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: 'frames' },
    series: [{ type: 'bar', data: report.oksHistogram, name: 'frames' }],
  };
  const f1: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 32, bottom: 28 },
    xAxis: { type: 'category', data: thresholds },
    yAxis: { type: 'value', min: 0, max: 100, name: 'F1' },
    series: [
      { type: 'bar', name: 'all', data: report.overall.segmentF1.map((f) => f.f1) },
      ...report.perAnnotator.map((a) => ({
        type: 'bar' as const,
        name: a.annotator,
        data: a.figures.segmentF1.map((f) => f.f1),
      })),
    ],
  };
  const confusion: ChartOption = {
    tooltip: { position: 'top' },
    grid: { left: 120, right: 16, top: 32, bottom: 80 },
    xAxis: {
      type: 'category',
      data: states,
      name: 'second annotator',
      nameLocation: 'middle',
      nameGap: 64,
      axisLabel: { rotate: 30 },
    },
    yAxis: { type: 'category', data: states, name: 'reference' },
    visualMap: { min: 0, max: maxCell, show: false, inRange: { color: ['#f4f6f8', '#1f5fbf'] } },
    series: [{ type: 'heatmap', data: confusionCells, label: { show: true } }],
  };
  const throughput: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 32, bottom: 28 },
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value', name: 'clips submitted', minInterval: 1 },
    series: annotators.map((annotator) => ({
      type: 'line' as const,
      name: annotator,
      data: days.map(
        (day) =>
          report.throughput.find((t) => t.day === day && t.annotator === annotator)?.submitted ?? 0,
      ),
    })),
  };
  const rejection: ChartOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 32, bottom: 28 },
    xAxis: { type: 'category', data: annotators },
    yAxis: { type: 'value', min: 0, max: 100, name: '% sent back' },
    series: [
      {
        type: 'bar',
        data: report.perAnnotator.map((a) =>
          a.rejectionRate === null ? null : Math.round(a.rejectionRate * 1000) / 10,
        ),
      },
    ],
  };
  const total = report.oksHistogram.reduce((s, n) => s + n, 0);
  return {
    oks,
    oksSummary: `${total} frames; mean ${fixed(report.overall.oks)}`,
    f1,
    f1Summary: report.overall.segmentF1
      .map((f) => `${f.threshold}: ${f.f1 === null ? '–' : f.f1.toFixed(1)}`)
      .join(', '),
    confusion,
    confusionSummary: `${confusionCells.reduce((s, c) => s + c[2], 0)} frames; accuracy ${percent(report.overall.contactAccuracy)}`,
    throughput,
    throughputSummary: `${report.throughput.reduce((s, t) => s + t.submitted, 0)} clips submitted over ${days.length} days`,
    rejection,
    rejectionSummary: report.perAnnotator
      .map((a) => `${a.annotator} ${percent(a.rejectionRate)}`)
      .join(', '),
  };
}
