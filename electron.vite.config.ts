import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/electron/index.ts'),
          // Its own file: PreannotationService starts it as a worker thread from out/main.
          poseWorker: resolve(import.meta.dirname, 'src/main/services/preannotation/poseWorker.ts'),
          // Likewise FaceScanService's face detector thread.
          faceWorker: resolve(import.meta.dirname, 'src/main/services/faces/faceWorker.ts'),
          // And the export's label text threads (src/node/export/labelTextWorkers.ts).
          labelTextWorker: resolve(import.meta.dirname, 'src/node/export/labelTextWorker.ts'),
        },
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/preload/index.ts'),
          // The hidden pose-runner window's own bridge (main/electron/poseWindow.ts).
          poseRunner: resolve(import.meta.dirname, 'src/preload/poseRunner.ts'),
        },
        // A sandboxed preload cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/renderer/index.html'),
          // BlazePose on WebGL in a hidden window, where a real GPU is present (issue #8).
          poseRunner: resolve(import.meta.dirname, 'src/renderer/poseRunner.html'),
        },
      },
    },
    resolve: {
      alias: {
        // pose-detection's mediapipe runtime, never used (poseRunner.ts runs tfjs): see the shim.
        '@mediapipe/pose': resolve(
          import.meta.dirname,
          'src/renderer/poseRunner/mediapipePoseShim.ts',
        ),
      },
    },
    plugins: [react()],
  },
});
