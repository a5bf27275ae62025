import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/**
 * The `no-restricted-imports` messages the repository's eslint.config.js gives an import of
 * `source` written in `file`. The rule's options come from the real config as resolved for that
 * path (so a later entry that replaced them would show); the snippet is linted without type
 * information, which this rule does not need.
 */
async function importProblems(file: string, source: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(join(root, file))) as Linter.Config;
  const rule = config.rules?.['no-restricted-imports'];
  const linter = new Linter({ configType: 'flat', cwd: root });
  const messages = linter.verify(
    `import type { Anything } from '${source}';\nexport type Again = Anything;\n`,
    [
      {
        files: ['**/*.ts', '**/*.tsx'],
        languageOptions: { parser: tseslint.parser },
        rules: rule === undefined ? {} : { 'no-restricted-imports': rule },
      },
    ],
    join(root, file),
  );
  const unparsed = messages.filter((message) => message.ruleId === null);
  expect(unparsed).toEqual([]);
  return messages.map((message) => message.message);
}

describe('import layers (eslint.config.js)', () => {
  it.each([
    ['src/shared/domain/labels/viewTransform.ts', '../../api/schemas'],
    ['src/shared/domain/privacyReport.ts', '../api/governanceSchemas'],
    ['src/shared/domain/labels/poseProposals.test.ts', '../../api/preannotationSchemas'],
    ['src/shared/preannotation/handMerge.ts', '../api/preannotationSchemas'],
    ['src/shared/formats/cocoKeypoints.ts', '../api/exportSchemas'],
  ])('keeps the domain below the contract: %s may not import %s', async (file, source) => {
    expect(await importProblems(file, source)).toEqual([
      expect.stringContaining('The domain sits below the contract'),
    ]);
  });

  it.each([
    ['src/main/services/sync/syncService.ts', '../../../server/serverError'],
    ['src/main/services/sync/syncService.ts', '../../../server'],
    ['src/main/services/createServices.ts', '../host/loopbackHost'],
    ['src/main/services/export/exportService.ts', '../../cli/main'],
    ['src/main/services/governance/governanceService.test.ts', '../../cli/governanceCommands'],
  ])('keeps services below their entry points: %s may not import %s', async (file, source) => {
    expect(await importProblems(file, source)).toEqual([
      expect.stringContaining('Services are wired by the host, the CLI and the Electron main'),
    ]);
  });

  it.each([
    ['src/shared/domain/rotation.ts', 'node:fs', 'src/shared is pure'],
    ['src/shared/domain/rotation.ts', 'better-sqlite3', 'src/shared knows nothing'],
    ['src/shared/api/schemas.ts', '../../main/services/eventBus', 'src/shared knows nothing'],
    ['src/main/services/eventBus.ts', 'electron', 'Only src/main/electron'],
    ['src/main/cli/main.ts', 'electron', 'Only src/main/electron'],
    ['src/main/host/loopbackHost.ts', '../../renderer/src/main', 'Services do not reach into UI'],
    ['src/renderer/src/main.tsx', 'node:path', 'The renderer runs in a browser'],
    ['src/preload/index.ts', '../main/services/eventBus', 'The preload exposes'],
    ['src/server/app.ts', '../main/services/eventBus', 'The server shares only src/shared'],
    ['src/node/media/probeVideo.ts', '../../main/services/eventBus', 'src/node is shared'],
    ['src/node/media/probeVideo.ts', '../../server/audit', 'src/node is shared'],
  ])('still forbids what it forbade: %s may not import %s', async (file, source, message) => {
    expect(await importProblems(file, source)).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ['src/shared/api/schemas.ts', '../domain/rotation'],
    ['src/shared/domain/privacyReport.test.ts', 'node:fs'],
    ['src/shared/formats/cocoKeypoints.ts', '../domain/labels'],
    ['src/main/services/sync/syncService.ts', './serverApi'],
    ['src/main/services/export/exportService.ts', '../../../shared/api/contract'],
    ['src/main/services/api/dispatch.ts', '../../../shared/api/apiError'],
    ['src/main/host/loopbackHost.ts', '../services/createServices'],
    ['src/server/app.ts', '../node/media/probeVideo'],
    ['src/main/services/import/importBatch.ts', '../../../node/media/probeVideo'],
    ['src/main/cli/main.ts', '../services/createServices'],
  ])('allows the imports that go down the layers: %s may import %s', async (file, source) => {
    expect(await importProblems(file, source)).toEqual([]);
  });
});
