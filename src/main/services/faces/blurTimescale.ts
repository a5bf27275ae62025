import { readSampleTable } from '../media/sampleTable';

/**
 * The timescale a blurred copy's times are written in: the source track's when it is an MP4/MOV
 * (every source time is then a whole tick), else 90000 (WebM's millisecond times are whole
 * ticks of it, and so are the usual frame rates).
 */
export async function blurTimescaleOf(source: string, container: string): Promise<number> {
  if (container !== 'mp4' && container !== 'mov') return 90_000;
  return (await readSampleTable(source)).timescale;
}
