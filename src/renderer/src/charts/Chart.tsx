import { useEffect, useRef } from 'react';
import { createChart, type ChartHandle, type ChartOption } from './echarts';

/**
 * A chart with an accessible name and a text summary for screen readers (a canvas says nothing
 * by itself); redrawn when `option` changes, resized with its container.
 */
export function Chart({
  label,
  summary,
  option,
  height = 260,
}: {
  label: string;
  summary: string;
  option: ChartOption;
  height?: number;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ChartHandle | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container);
    chartRef.current = chart;
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(container);
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => chartRef.current?.setOption(option), [option]);

  return (
    <figure className="chart" aria-label={label}>
      <div ref={containerRef} role="img" aria-label={`${label}: ${summary}`} style={{ height }} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}
