import { describe, expect, it } from 'vitest';
import {
  isModelFilePath,
  type PoseRunnerReply,
  type PoseRunnerRequest,
} from '../../../shared/api/poseRunnerProtocol';
import {
  GpuPoseRunner,
  poseWindowClient,
  runsOnGpu,
  type PoseWindow,
  type PoseWorkerLike,
} from './gpuPoseRunner';
import type { RgbImage } from './poseModel';
import type { FromWorker, ToWorker, WorkerJob } from './poseWorkerProtocol';
import type { ModelPose } from '../../../shared/domain/modelPose';

const REAL_GPU = 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)';
const SWIFTSHADER =
  'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';

const POSE: ModelPose = { score: 0.9, keypoints: [{ name: 'nose', x: 10, y: 20, score: 0.95 }] };

function job(overrides: Partial<WorkerJob> = {}): WorkerJob {
  return {
    type: 'run',
    jobId: 'j1',
    model: 'blazepose-full',
    backend: 'wasm',
    hands: false,
    modelsDir: '/models',
    input: '/clips/c.mp4',
    width: 4,
    height: 2,
    frames: [
      { frame: 0, seekSeconds: 0 },
      { frame: 5, seekSeconds: 0.18 },
    ],
    ...overrides,
  };
}

function fakeWindow(renderer: string | null, options: { failLoad?: boolean } = {}) {
  const calls: string[] = [];
  let closed = false;
  let release: (() => void) | undefined;
  const window: PoseWindow & { hold(): void } = {
    probe: () => Promise.resolve(renderer),
    load: (model, backend, hands) => {
      calls.push(`load ${model} ${backend}${hands ? ' hands' : ''}`);
      return options.failLoad
        ? Promise.reject(new Error('context lost'))
        : Promise.resolve({
            modelId: `${model} (x)`,
            handModelId: hands ? 'hands (x)' : null,
            backend,
            renderer,
          });
    },
    estimate: async (image: RgbImage) => {
      calls.push(`estimate ${String(image.width)}x${String(image.height)}`);
      if (release === undefined) return { poses: [POSE], inferMs: 1 };
      await new Promise<void>((resolve) => (release = resolve));
      return { poses: [POSE], inferMs: 1 };
    },
    close: () => {
      closed = true;
    },
    hold: () => {
      release = () => undefined;
    },
  };
  return { window, calls, isClosed: () => closed, release: () => release?.() };
}

function fakeWorker() {
  const received: ToWorker[] = [];
  const listeners: ((message: FromWorker) => void)[] = [];
  const worker = {
    postMessage: (message: ToWorker) => received.push(message),
    on: (event: string, listener: (message: FromWorker) => void) => {
      if (event === 'message') listeners.push(listener);
      return worker;
    },
    terminate: () => Promise.resolve(0),
  } as unknown as PoseWorkerLike;
  return { worker, received, say: (m: FromWorker) => listeners.forEach((l) => l(m)) };
}

const decode = (options: { width: number; height: number }) =>
  Promise.resolve({
    data: new Uint8Array(options.width * options.height * 3),
    width: options.width,
    height: options.height,
  });

function runner(window: PoseWindow | 'unavailable', worker: PoseWorkerLike) {
  const messages: FromWorker[] = [];
  const gpu = new GpuPoseRunner({
    openWindow: () => Promise.resolve(window),
    fallback: () => worker,
    decode,
  });
  gpu.on('message', (message) => messages.push(message));
  const ended = (jobId: string) =>
    messages.some((m) => m.jobId === jobId && (m.type === 'finished' || m.type === 'failed'));
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 1));
  };
  return { gpu, messages, ended, until };
}

describe('GpuPoseRunner', () => {
  it('outside Electron, probe() says unavailable and jobs go to the worker thread', async () => {
    const fallback = fakeWorker();
    const gpu = new GpuPoseRunner({ fallback: () => fallback.worker, decode });
    expect(await gpu.probe('/models')).toBe('unavailable');
    gpu.postMessage(job());
    await new Promise((r) => setTimeout(r, 5));
    expect(fallback.received.map((m) => m.type)).toEqual(['run']);
  });

  it('on SwiftShader the window is closed and the worker runs the job', async () => {
    const win = fakeWindow(SWIFTSHADER);
    const fallback = fakeWorker();
    const { gpu, messages, until } = runner(win.window, fallback.worker);
    expect(await gpu.probe()).toBe(SWIFTSHADER);
    gpu.postMessage(job());
    await until(() => fallback.received.length > 0);
    expect(fallback.received).toEqual([job()]);
    expect(win.isClosed()).toBe(true);
    expect(win.calls).toEqual([]);
    // The worker's messages reach the service unchanged.
    fallback.say({ type: 'finished', jobId: 'j1', cancelled: false });
    expect(messages).toEqual([{ type: 'finished', jobId: 'j1', cancelled: false }]);
  });

  it('on a real GPU a body job runs in the window: loaded on webgl, a frame each, finished', async () => {
    const win = fakeWindow(REAL_GPU);
    const fallback = fakeWorker();
    const { gpu, messages, ended, until } = runner(win.window, fallback.worker);
    expect(await gpu.probe()).toBe(REAL_GPU);
    gpu.postMessage(job());
    await until(() => ended('j1'));
    expect(fallback.received).toEqual([]);
    expect(win.calls).toEqual(['load blazepose-full webgl', 'estimate 4x2', 'estimate 4x2']);
    expect(messages.map((m) => m.type)).toEqual(['loaded', 'frame', 'frame', 'finished']);
    expect(messages[0]).toEqual({
      type: 'loaded',
      jobId: 'j1',
      modelId: 'blazepose-full (x)',
      handModelId: null,
      backend: 'webgl',
    });
    expect(messages.filter((m) => m.type === 'frame').map((m) => [m.frame, m.poses])).toEqual([
      [0, [POSE]],
      [5, [POSE]],
    ]);
    expect(messages[3]).toEqual({ type: 'finished', jobId: 'j1', cancelled: false });
    expect(win.isClosed()).toBe(false);
    await gpu.terminate();
    expect(win.isClosed()).toBe(true);
  });

  it('on a real GPU a job with hands runs in the window too, the hand models loaded with the pose model', async () => {
    expect(runsOnGpu(job({ hands: true }))).toBe(true);
    const win = fakeWindow(REAL_GPU);
    const fallback = fakeWorker();
    const { gpu, messages, ended, until } = runner(win.window, fallback.worker);
    gpu.postMessage(job({ jobId: 'h', hands: true }));
    await until(() => ended('h'));
    expect(fallback.received).toEqual([]);
    expect(win.calls).toEqual(['load blazepose-full webgl hands', 'estimate 4x2', 'estimate 4x2']);
    expect(messages[0]).toEqual({
      type: 'loaded',
      jobId: 'h',
      modelId: 'blazepose-full (x)',
      handModelId: 'hands (x)',
      backend: 'webgl',
    });
    expect(messages.map((m) => m.type)).toEqual(['loaded', 'frame', 'frame', 'finished']);
  });

  it('a job on another backend than the default goes to the worker even on a real GPU', async () => {
    expect(runsOnGpu(job())).toBe(true);
    expect(runsOnGpu(job({ backend: 'cpu' }))).toBe(false);
    expect(runsOnGpu(job({ backend: 'cpu', hands: true }))).toBe(false);
    const win = fakeWindow(REAL_GPU);
    const fallback = fakeWorker();
    const { gpu, until } = runner(win.window, fallback.worker);
    gpu.postMessage(job({ jobId: 'c', backend: 'cpu', hands: true }));
    gpu.postMessage({ type: 'cancel', jobId: 'c' });
    await until(() => fallback.received.length === 2);
    expect(fallback.received.map((m) => `${m.type} ${m.jobId}`)).toEqual(['run c', 'cancel c']);
    expect(win.calls).toEqual([]);
  });

  it('on SwiftShader a job with hands goes to the worker', async () => {
    const win = fakeWindow(SWIFTSHADER);
    const fallback = fakeWorker();
    const { gpu, until } = runner(win.window, fallback.worker);
    gpu.postMessage(job({ hands: true }));
    await until(() => fallback.received.length > 0);
    expect(fallback.received).toEqual([job({ hands: true })]);
    expect(win.calls).toEqual([]);
  });

  it('a cancel stops a window job between frames', async () => {
    const win = fakeWindow(REAL_GPU);
    win.window.hold();
    const { gpu, messages, ended, until } = runner(win.window, fakeWorker().worker);
    gpu.postMessage(job());
    await until(() => win.calls.length === 2);
    gpu.postMessage({ type: 'cancel', jobId: 'j1' });
    win.release();
    await until(() => ended('j1'));
    expect(messages.map((m) => m.type)).toEqual(['loaded', 'frame', 'finished']);
    expect(messages.at(-1)).toEqual({ type: 'finished', jobId: 'j1', cancelled: true });
  });

  it('a window that cannot load the model hands this and later jobs to the worker', async () => {
    const win = fakeWindow(REAL_GPU, { failLoad: true });
    const fallback = fakeWorker();
    const { gpu, messages, until } = runner(win.window, fallback.worker);
    gpu.postMessage(job());
    await until(() => fallback.received.length === 1);
    gpu.postMessage(job({ jobId: 'j2' }));
    await until(() => fallback.received.length === 2);
    expect(fallback.received.map((m) => m.jobId)).toEqual(['j1', 'j2']);
    expect(win.calls).toEqual(['load blazepose-full webgl']);
    expect(messages).toEqual([]);
  });
});

describe('poseWindowClient', () => {
  it('pairs replies with requests by id, whatever their order; a failed reply rejects its call', async () => {
    const sent: PoseRunnerRequest[] = [];
    let reply: (r: PoseRunnerReply) => void = () => undefined;
    const client = poseWindowClient({
      send: (request) => sent.push(request),
      onReply: (listener) => (reply = listener),
      close: () => undefined,
    });
    const probing = client.probe();
    const estimating = client.estimate({ data: new Uint8Array(3), width: 1, height: 1 });
    const loading = client.load('blazepose-full', 'webgl', true);
    expect(sent.map((r) => r.type)).toEqual(['probe', 'estimate', 'load']);
    expect(sent[2]).toMatchObject({ type: 'load', hands: true });
    const [probe, estimate, load] = sent.map((r) => r.id) as [number, number, number];
    reply({ id: load, type: 'failed', message: 'no WebGL' });
    reply({ id: estimate, type: 'estimated', poses: [POSE], inferMs: 3 });
    reply({ id: probe, type: 'probed', renderer: REAL_GPU });
    await expect(loading).rejects.toThrow('no WebGL');
    expect(await estimating).toEqual({ poses: [POSE], inferMs: 3 });
    expect(await probing).toBe(REAL_GPU);
  });

  it('calls waiting when the window goes are rejected', async () => {
    const client = poseWindowClient({
      send: () => undefined,
      onReply: () => undefined,
      close: () => undefined,
    });
    const probing = client.probe();
    client.fail(new Error('renderer crashed'));
    await expect(probing).rejects.toThrow('renderer crashed');
  });
});

describe('isModelFilePath', () => {
  it('allows <model>/<file>.json|.bin only', () => {
    expect(isModelFilePath('blazepose-full/blazepose-full.json')).toBe(true);
    expect(isModelFilePath('blazepose-full/blazepose-detector.bin')).toBe(true);
    expect(isModelFilePath('../secrets/x.json')).toBe(false);
    expect(isModelFilePath('blazepose-full/../../x.bin')).toBe(false);
    expect(isModelFilePath('/etc/passwd')).toBe(false);
    expect(isModelFilePath('blazepose-full/model.exe')).toBe(false);
  });
});
