/**
 * Which tfjs backend pre-annotation should run on, from the GPU renderer string the platform
 * reports (Chromium's `WEBGL_debug_renderer_info` UNMASKED_RENDERER_WEBGL, or Electron's
 * `app.getGPUInfo('basic')` gpuDevice/renderer). Pure, so the rule is tested on its own.
 *
 * WebGL pays only with a real GPU: on a software rasteriser it measured 10× slower than the wasm
 * backend on this machine (issue #8: SwiftShader in headless Chromium). "ANGLE" alone says nothing
 * — on Windows every GPU is reached through ANGLE ("ANGLE (Intel, … Direct3D11 …)") — so a
 * renderer counts as software by the rasteriser ANGLE or Mesa names inside it. Unknown or empty:
 * wasm, which is never the slow choice by more than the GPU's gain.
 *
 * Today the pose worker is a Node worker thread, which has no WebGL: it runs wasm whatever this
 * says. A hidden-window worker would read the renderer and follow this rule.
 */
export type PoseBackendChoice = 'webgl' | 'wasm';

const SOFTWARE_RENDERERS: readonly RegExp[] = [
  /swiftshader/i, // Chromium's own (also "Google SwiftShader", "SwiftShader Device (Subzero)")
  /llvmpipe/i, // Mesa's LLVM rasteriser
  /softpipe/i, // Mesa's reference rasteriser
  /\blavapipe\b/i, // Mesa's Vulkan-on-CPU
  /microsoft basic render/i, // Windows' WARP when no driver is installed
  /apple software renderer/i,
  /software rasterizer/i,
];

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERERS.some((pattern) => pattern.test(renderer));
}

export function choosePoseBackend(renderer: string | null | undefined): PoseBackendChoice {
  const name = renderer?.trim() ?? '';
  if (name === '' || isSoftwareRenderer(name)) return 'wasm';
  return 'webgl';
}
