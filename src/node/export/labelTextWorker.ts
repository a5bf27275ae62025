import { parentPort } from 'node:worker_threads';
import { ClipTextWriter } from '../../shared/formats';
import {
  clipTextsPacked,
  errorMessageOf,
  type FromLabelTextWorker,
  type ToLabelTextWorker,
} from './labelTextProtocol';

/**
 * A thread that makes clips' label texts for an export (`labelTextWorkers.ts`): parsing a
 * clip's labels and writing its COCO, CVAT, EPIC, hand-object and provenance text is most of an
 * export's CPU, and each clip's texts depend on that clip alone.
 */

const port = parentPort;
if (!port) throw new Error('labelTextWorker.ts must run as a worker thread.');

let writer: ClipTextWriter | undefined;

port.on('message', (message: ToLabelTextWorker) => {
  if (message.type === 'plan') {
    writer = new ClipTextWriter(message.plan);
    return;
  }
  let answer: FromLabelTextWorker;
  let transfer: ArrayBuffer[] = [];
  try {
    if (writer === undefined) throw new Error('A clip came before the export plan.');
    const packed = clipTextsPacked(writer, message.clip, message.index);
    answer = { index: message.index, texts: packed.texts };
    transfer = packed.transfer;
  } catch (error) {
    answer = { index: message.index, error: errorMessageOf(error) };
  }
  port.postMessage(answer, transfer);
});
