import { useMemo } from 'react';
import type { ProjectProgress } from '../../../shared/api/syncProtocol';
import { Chart } from '../charts/Chart';
import type { ChartOption } from '../charts/echarts';
import { useAppStore } from '../store/AppStoreContext';

const STATUS_LABELS: Record<keyof ProjectProgress['clipsByStatus'], string> = {
  assigned: 'Assigned',
  in_progress: 'In progress',
  submitted: 'Submitted',
  in_review: 'In review',
  changes_requested: 'Changes requested',
  accepted: 'Accepted',
  withdrawn: 'Withdrawn',
};

function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(0)} %`;
}

/** Submitted clips per day over the days with work, for a per-annotator average. */
function perDayAverage(perDay: ProjectProgress['annotators'][number]['perDay']): string {
  const days = perDay.filter((d) => d.submitted > 0).length;
  if (days === 0) return '–';
  const total = perDay.reduce((sum, d) => sum + d.submitted, 0);
  return (total / days).toFixed(1);
}

/**
 * A lead's view of each project they lead: clips by status, each annotator's output and
 * rejection rate, throughput per day, the reviewers' backlog. Shows what sync last pulled, so it
 * reads offline; **Refresh** pulls it from the server now.
 */
export function TeamScreen() {
  const projects = useAppStore((state) => state.teamProgress);
  const note = useAppStore((state) => state.teamPullNote);
  const pulling = useAppStore((state) => state.teamPulling);
  const pull = useAppStore((state) => state.pullTeamProgress);
  const showBatches = useAppStore((state) => state.showBatches);
  const pullStatus = useAppStore((state) => state.teamPullStatus);
  const setPullStatus = useAppStore((state) => state.setTeamPullStatus);
  return (
    <section className="screen team-screen" aria-labelledby="team-title">
      <nav className="screen-nav">
        <button type="button" onClick={showBatches}>
          Back to batches
        </button>
      </nav>
      <h1 id="team-title">Team</h1>
      <button type="button" onClick={() => void pull()} disabled={pulling}>
        {pulling ? 'Refreshing…' : 'Refresh from the server'}
      </button>
      <label>
        <input
          type="checkbox"
          checked={pullStatus === 'submitted'}
          onChange={(event) => void setPullStatus(event.target.checked ? 'submitted' : 'accepted')}
        />{' '}
        Also pull sets still submitted or in review (for exports of handed-in work)
      </label>
      {note !== null && <p aria-label="Pull from the server">{note}</p>}
      {projects !== null && projects.length === 0 && (
        <p>No progress pulled yet. Sign in as a project’s lead on Sync settings, then refresh.</p>
      )}
      {projects?.map(({ progress, pulledAt }) => (
        <ProjectTeam key={progress.projectId} progress={progress} pulledAt={pulledAt} />
      ))}
    </section>
  );
}

function ProjectTeam({ progress, pulledAt }: { progress: ProjectProgress; pulledAt: string }) {
  const charts = useMemo(() => chartOptions(progress), [progress]);
  const statuses = Object.entries(progress.clipsByStatus) as [
    keyof ProjectProgress['clipsByStatus'],
    number,
  ][];
  const total = statuses.reduce((sum, [, n]) => sum + n, 0);
  const headingId = `team-project-${progress.projectId}`;
  return (
    <article aria-labelledby={headingId}>
      <h2 id={headingId}>{progress.name}</h2>
      <p className="muted">As of {new Date(pulledAt).toLocaleString()}</p>
      <table aria-label="Clips by status">
        <tbody>
          <tr>
            {statuses.map(([status]) => (
              <th key={status} scope="col">
                {STATUS_LABELS[status]}
              </th>
            ))}
          </tr>
          <tr>
            {statuses.map(([status, n]) => (
              <td key={status} data-status={status}>
                {n}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <Chart
        label="Clips by status"
        summary={statuses.map(([s, n]) => `${STATUS_LABELS[s]} ${n}`).join(', ')}
        option={charts.status}
        height={120}
      />
      <h3>Annotators</h3>
      <table aria-label="Annotators">
        <thead>
          <tr>
            <th scope="col">Annotator</th>
            <th scope="col">Assigned</th>
            <th scope="col">Submitted</th>
            <th scope="col">Accepted</th>
            <th scope="col">Changes requested</th>
            <th scope="col">Rejection rate</th>
            <th scope="col">Submitted per working day</th>
          </tr>
        </thead>
        <tbody>
          {progress.annotators.map((a) => (
            <tr key={a.annotator} aria-label={a.annotator}>
              <th scope="row">{a.annotator}</th>
              <td>{a.assigned}</td>
              <td>{a.submitted}</td>
              <td>{a.accepted}</td>
              <td>{a.changesRequested}</td>
              <td>{percent(a.rejectionRate)}</td>
              <td>{perDayAverage(a.perDay)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Chart
        label="Submitted and accepted per annotator"
        summary={progress.annotators
          .map((a) => `${a.annotator}: ${a.submitted} submitted, ${a.accepted} accepted`)
          .join('; ')}
        option={charts.annotators}
      />
      <Chart
        label="Clips submitted per day"
        summary={`${charts.days.length} days with work`}
        option={charts.throughput}
      />
      <h3>Reviewers</h3>
      <table aria-label="Reviewers">
        <thead>
          <tr>
            <th scope="col">Reviewer</th>
            <th scope="col">Waiting for review</th>
            <th scope="col">Verdicts given</th>
          </tr>
        </thead>
        <tbody>
          {progress.reviewers.map((r) => (
            <tr key={r.reviewer} aria-label={r.reviewer}>
              <th scope="row">{r.reviewer}</th>
              <td>{r.backlog}</td>
              <td>{r.reviewed}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {total === 0 && <p>No clips are assigned in this project yet.</p>}
    </article>
  );
}

function chartOptions(progress: ProjectProgress) {
  const statuses = Object.entries(progress.clipsByStatus) as [
    keyof ProjectProgress['clipsByStatus'],
    number,
  ][];
  const names = progress.annotators.map((a) => a.annotator);
  const days = [...new Set(progress.annotators.flatMap((a) => a.perDay.map((d) => d.day)))].sort();
  const status: ChartOption = {
    tooltip: { trigger: 'item' },
    legend: { top: 0 },
    grid: { left: 16, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: ['clips'], show: false },
    series: statuses.map(([s, n]) => ({
      type: 'bar' as const,
      stack: 'clips',
      name: STATUS_LABELS[s],
      data: [n],
    })),
  };
  const annotators: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 32, bottom: 28 },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value', minInterval: 1, name: 'clips' },
    series: [
      { type: 'bar', name: 'submitted', data: progress.annotators.map((a) => a.submitted) },
      { type: 'bar', name: 'accepted', data: progress.annotators.map((a) => a.accepted) },
      {
        type: 'bar',
        name: 'changes requested',
        data: progress.annotators.map((a) => a.changesRequested),
      },
    ],
  };
  const throughput: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 32, bottom: 28 },
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value', minInterval: 1, name: 'clips submitted' },
    series: progress.annotators.map((a) => ({
      type: 'line' as const,
      name: a.annotator,
      data: days.map((day) => a.perDay.find((d) => d.day === day)?.submitted ?? 0),
    })),
  };
  return { status, annotators, throughput, days };
}
