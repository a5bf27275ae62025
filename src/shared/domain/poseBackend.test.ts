import { describe, expect, it } from 'vitest';
import { choosePoseBackend } from './poseBackend';

describe('choosePoseBackend', () => {
  it('chooses webgl for a real GPU, whether or not it is reached through ANGLE', () => {
    for (const renderer of [
      'ANGLE (Intel, Intel(R) UHD Graphics 620 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002503) Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)',
      'Mesa Intel(R) Xe Graphics (TGL GT2)',
      'AMD Radeon RX 6600 (radeonsi, navi23, LLVM 15.0.7, DRM 3.49, 6.1.0)',
    ]) {
      expect(choosePoseBackend(renderer), renderer).toBe('webgl');
    }
  });

  it('chooses wasm for software rasterisers, ANGLE-wrapped or not', () => {
    for (const renderer of [
      // Headless Chromium on this machine (no GPU), as issue #8 measured.
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'Google SwiftShader',
      'ANGLE (Mesa, llvmpipe (LLVM 15.0.6, 256 bits), OpenGL 4.5)',
      'llvmpipe (LLVM 12.0.0, 256 bits)',
      'Microsoft Basic Render Driver',
      'Apple Software Renderer',
    ]) {
      expect(choosePoseBackend(renderer), renderer).toBe('wasm');
    }
  });

  it('chooses wasm when the renderer is unknown', () => {
    expect(choosePoseBackend(undefined)).toBe('wasm');
    expect(choosePoseBackend(null)).toBe('wasm');
    expect(choosePoseBackend('  ')).toBe('wasm');
  });
});
