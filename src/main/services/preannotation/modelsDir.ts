import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Apart from poseModel.ts so that finding the folder does not load tfjs: the services wire the
// pre-annotation service for every command, and only the pose worker runs the model.

/**
 * `resources/models` beside the sources (`src/main/services/preannotation` → four levels up) or
 * beside the bundle (`out/main`, a chunk in `out/main/chunks`, or the CLI's `out/cli`): the first that exists.
 */
export function defaultModelsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, '../../../../resources/models'),
    join(here, '../../resources/models'),
    join(here, '../../../resources/models'),
  ];
  return candidates.find((dir) => existsSync(dir)) ?? (candidates[0] as string);
}
