import type { Worker } from 'node:worker_threads';

/** The part of node's Worker the job services use; tests pass fakes of it. */
export type WorkerLike = Pick<Worker, 'postMessage' | 'on' | 'terminate'>;

type LazyWorkerOptions<From> = {
  /** Names the worker in the error of an unexpected exit ("The face worker exited …"). */
  name: string;
  create: () => WorkerLike;
  onMessage(message: From): void;
  /** The worker died (error or exit): running jobs fail with this; the next post starts anew. */
  onGone(error: Error): void;
};

/**
 * One worker thread for a job service (pose pre-annotation, face scans): started on the first
 * message, so a session that never runs a job never loads a model, and started afresh after one
 * dies.
 */
export class LazyWorker<To, From> {
  readonly #options: LazyWorkerOptions<From>;
  #worker: WorkerLike | undefined;

  constructor(options: LazyWorkerOptions<From>) {
    this.#options = options;
  }

  post(message: To): void {
    this.#instance().postMessage(message);
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #instance(): WorkerLike {
    if (this.#worker) return this.#worker;
    const worker = this.#options.create();
    worker.on('message', (message: From) => this.#options.onMessage(message));
    worker.on('error', (error: Error) => this.#gone(worker, error));
    worker.on('exit', (code: number) =>
      this.#gone(worker, new Error(`The ${this.#options.name} exited with code ${code}.`)),
    );
    this.#worker = worker;
    return worker;
  }

  #gone(worker: WorkerLike, error: Error): void {
    if (this.#worker === worker) this.#worker = undefined;
    this.#options.onGone(error);
  }
}
