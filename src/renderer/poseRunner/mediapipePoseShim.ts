/**
 * Stands in for `@mediapipe/pose` in the renderer bundle. pose-detection imports its `Pose` for
 * the `mediapipe` runtime, but that package is a Closure-compiled script with no ES exports, which
 * Vite's bundler refuses ("Pose is not exported"). The pose runner uses only the `tfjs` runtime
 * (poseRunner.ts), so this class is never constructed.
 */
export class Pose {
  constructor() {
    throw new Error('The mediapipe runtime is not bundled; the pose runner uses runtime "tfjs".');
  }

  /** The one method pose-detection would call on teardown; unreachable, as the constructor throws. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
