import { performance } from 'node:perf_hooks';
import { ExportRequest } from '../src/shared/api/exportSchemas';
import { EventBus } from '../src/main/services/eventBus';
import { ExportService } from '../src/main/services/export/exportService';

/**
 * One export through the service, in a process of its own (as `framewise export` runs), so its
 * peak resident memory (getrusage maxRSS) is the export's alone and not the database builder's.
 * Prints one JSON line of figures.
 */
const [databasePath, destination] = process.argv.slice(2);
if (databasePath === undefined || destination === undefined) {
  throw new Error('usage: exportServiceChild.ts <database> <destination>');
}
let peakHeap = 0;
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 20);
const service = new ExportService({ databasePath, events: new EventBus() });
const start = performance.now();
let progressEvents = 0;
const report = await service.run(
  ExportRequest.parse({ formats: ['coco'], destination }),
  () => (progressEvents += 1),
);
const seconds = (performance.now() - start) / 1000;
clearInterval(sampler);
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
console.log(
  JSON.stringify({
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakHeapMb: peakHeap / 2 ** 20,
    clips: report.exported.length,
    progressEvents,
  }),
);
