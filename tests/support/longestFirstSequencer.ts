import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest on two cores (tens of seconds to minutes each), longest first.
 * Started first, they run beside the many short files instead of being left for the end, where
 * one worker would carry the last long file while the other has nothing to do. Vitest's own order
 * (longest first from its results cache) needs a cache; without one (a fresh checkout, CI) it
 * sorts by file size, which put the exactly-once files, three lines each, last.
 * A file missing here only runs in vitest's order; a renamed one should be renamed here too.
 */
const LONGEST = [
  'tests/integration/server/serverCli.test.ts',
  'tests/integration/sync/exactlyOnce.pglite.test.ts',
  'tests/integration/sync/exactlyOnce.postgres.test.ts',
  'tests/integration/crashDurability.test.ts',
  'tests/integration/server/audit.test.ts',
  'tests/integration/server/idempotencyProperty.test.ts',
  'tests/integration/faces/faceRecall.test.ts',
  'tests/integration/governance/governance.test.ts',
  'tests/integration/faces/blurExport.test.ts',
  'tests/integration/server/serverFuzz.test.ts',
];

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const path = file.moduleId.replaceAll('\\', '/');
      const index = LONGEST.findIndex((known) => path.endsWith(`/${known}`));
      return index === -1 ? LONGEST.length : index;
    };
    // Array.prototype.sort is stable: the other files keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
