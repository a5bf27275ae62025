import { createHash } from 'node:crypto';

/**
 * One hash for a clip's whole frame table (every presentation time, in order, as JSON numbers):
 * the server records it at ingest, and a workstation that downloads the delivered copy probes it
 * and compares, so "the same frame table" is checked without shipping the table.
 */
export function frameTableSha256(frameTimes: readonly number[]): string {
  return createHash('sha256').update(JSON.stringify(frameTimes), 'utf8').digest('hex');
}
