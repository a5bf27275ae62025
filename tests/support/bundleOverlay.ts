import { bundleForPage, fromRepo } from './pageBundle';

/**
 * The overlay engine, the scene builder and the built-in templates as one script for a bare page
 * (`globalThis.framewiseOverlay`), so the overlay benchmark drives the real Konva engine without
 * the app around it.
 */
export function bundleOverlay(): Promise<string> {
  return bundleForPage(
    [
      `import { OverlayEngine } from ${fromRepo('src/renderer/src/labeling/overlay/overlayEngine.ts')};`,
      `import { buildOverlayScene } from ${fromRepo('src/renderer/src/labeling/overlay/overlayScene.ts')};`,
      `import { BUILT_IN_TEMPLATES } from ${fromRepo('src/shared/domain/labels/projectSchema.ts')};`,
      'globalThis.framewiseOverlay = { OverlayEngine, buildOverlayScene, BUILT_IN_TEMPLATES };',
    ].join('\n'),
    'the overlay',
  );
}
