import { bundleForPage, fromRepo } from './pageBundle';

/**
 * The frame cache and nothing else of the renderer, as one script for the app's page, so the
 * cache spec and the player benchmark can drive it without a test hook in the shipped app.
 */
export function bundleFrameCache(): Promise<string> {
  return bundleForPage(
    `import * as frameCache from ${fromRepo('src/renderer/src/player/frameCache/index.ts')};\nglobalThis.framewiseFrameCache = frameCache;\n`,
    'the frame cache',
  );
}
