import type { FaceBackend } from './faceModel';
import type { FaceModelName } from '../../../shared/domain/faces/faceModelFiles';
import type { FaceBox } from '../../../shared/domain/faces/faceTracks';

/** Messages between FaceScanService (host thread) and faceWorker.ts (its worker thread). */

export type FaceScanJob = {
  readonly type: 'run';
  readonly jobId: string;
  readonly model: FaceModelName;
  readonly backend: FaceBackend;
  readonly input: string;
  /** The picture the detector sees: the displayed (upright) frame scaled to these pixels (even). */
  readonly width: number;
  readonly height: number;
  /** Frames already scanned (a resumed scan): decoded, to keep the count, but not detected. */
  readonly skip: readonly number[];
};

export type ToFaceWorker = FaceScanJob | { readonly type: 'cancel'; readonly jobId: string };

export type FromFaceWorker =
  | {
      readonly type: 'loaded';
      readonly jobId: string;
      readonly modelId: string;
      readonly backend: string;
    }
  | {
      readonly type: 'frame';
      readonly jobId: string;
      readonly frame: number;
      /** In the job's picture pixels. */
      readonly boxes: FaceBox[];
    }
  | {
      readonly type: 'finished';
      readonly jobId: string;
      readonly cancelled: boolean;
      /** Frames the decode produced: the service checks it against the frame table. */
      readonly decoded: number;
    }
  | {
      readonly type: 'failed';
      readonly jobId: string;
      readonly code: string;
      readonly message: string;
    };
