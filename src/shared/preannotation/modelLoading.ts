import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * How the hand models are loaded where they run: from an `io.IOHandler` the caller gives (the
 * worker thread's reads files from disk, the GPU window's page asks the main process over IPC),
 * with failures made into the caller's own error (the worker's PreannotationError, which carries a
 * stable code to the UI; a plain Error in the page, whose message the window sends back).
 */

/** Makes the error a model failure is reported as. */
export type ModelFailed = (message: string, cause?: unknown) => Error;

export const plainModelFailed: ModelFailed = (message, cause) =>
  new Error(message, cause === undefined ? undefined : { cause });

/** A tfjs graph model from `handler`; `what` names it in the error ("The hand … model"). */
export async function loadGraph(
  handler: tf.io.IOHandler,
  what: string,
  fail: ModelFailed,
): Promise<GraphModel> {
  try {
    return await loadGraphModel(handler);
  } catch (error) {
    throw fail(`${what} could not be loaded.`, error);
  }
}
