import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyStatus } from '../../src/shared/api/schemas';
import { startLoopbackHost, type RunningHost } from '../../src/main/host/loopbackHost';
import { createServices, type Services } from '../../src/main/services/createServices';
import { encodeH264Proxy, FfmpegError } from '../../src/node/media/ffmpeg';
import { probeVideo } from '../../src/node/media/probeVideo';
import { openStore } from '../../src/main/services/store/openStore';
import {
  compareWithSource,
  PTS_TOLERANCE_SECONDS,
} from '../../src/main/services/proxy/proxyService';
import { fixtureBatch, requireFixtures, tempDir } from './fixturePaths';
import { rawRequest, type RawReply } from '../support/rawRequest';

let dir: { path: string; remove: () => void };
let services: Services;
let host: RunningHost;
const clipIds = new Map<string, string>();
const updates: ProxyStatus[] = [];

async function importFolder(target: Services, folder: string): Promise<Map<string, string>> {
  const report = await target.handlers.importBatch({ folder });
  const ids = new Map<string, string>();
  for (const file of report.files) {
    if (file.status === 'ok') ids.set(file.relativePath, file.clipId);
  }
  return ids;
}

function clipId(name: string, ids = clipIds): string {
  const id = ids.get(name);
  if (id === undefined) throw new Error(`${name} was not imported`);
  return id;
}

function get(path: string, headers: Record<string, string> = {}): Promise<RawReply> {
  return rawRequest(host.port, 'GET', path, { Authorization: `Bearer ${host.token}`, ...headers });
}

/** Asserts the proxy has the source's frames: count, and every pts within the tolerance. */
async function expectSameFrames(target: Services, id: string): Promise<string> {
  const proxyPath = target.proxies.readyFile(id);
  if (proxyPath === undefined) throw new Error(`clip ${id} has no ready proxy`);
  const proxy = await probeVideo(proxyPath);
  const source = target.store.media.getFrameTable(id);
  expect(proxy.codecFamily).toBe('h264');
  expect(proxy.frameCount).toBe(source?.frameTimes.length);
  proxy.frameTimes.forEach((t, n) => {
    expect(Math.abs(t - (source?.frameTimes[n] ?? NaN))).toBeLessThanOrEqual(PTS_TOLERANCE_SECONDS);
  });
  return proxyPath;
}

beforeAll(async () => {
  requireFixtures();
  dir = tempDir('proxy');
  services = createServices({ databasePath: join(dir.path, 'framewise.sqlite'), actor: 'tester' });
  services.events.subscribe((name, payload) => {
    if (name === 'proxyUpdate') updates.push(payload as ProxyStatus);
  });
  host = await startLoopbackHost({ services, rendererDir: null });
  for (const [name, id] of await importFolder(services, fixtureBatch)) clipIds.set(name, id);
  await services.checksums.whenIdle();
});

afterAll(async () => {
  await host.close();
  services.close();
  dir.remove();
});

describe('H.264 proxies', () => {
  it('serves no proxy before one is ready (404 with a sentence)', async () => {
    const id = clipId('hevc.mp4');
    expect(await services.handlers.getProxyStatus({ clipId: id })).toMatchObject({
      state: 'none',
    });
    const reply = await get(`/media/${encodeURIComponent(id)}?variant=proxy`);
    expect(reply.status).toBe(404);
    expect(reply.body.toString('utf8')).toMatch(/no ready proxy yet/);
    await expect(
      services.handlers.getSampleTable({ clipId: id, variant: 'proxy' }),
    ).rejects.toMatchObject({ code: 'PROXY_NOT_READY' });
  });

  it('makes an HEVC clip an H.264 proxy with every frame at its pts, reporting progress', async () => {
    const id = clipId('hevc.mp4');
    const first = await services.handlers.ensureProxy({ clipId: id });
    const second = await services.handlers.ensureProxy({ clipId: id });
    expect(first.state).toBe('queued');
    expect(['queued', 'running']).toContain(second.state);
    await services.proxies.whenIdle();

    expect(await services.handlers.getProxyStatus({ clipId: id })).toEqual({
      clipId: id,
      state: 'ready',
      progress: 1,
      message: null,
    });
    const mine = updates.filter((update) => update.clipId === id);
    const states = mine.map((update) => update.state).filter((s, i, all) => s !== all[i - 1]);
    expect(states).toEqual(['queued', 'running', 'ready']);
    expect(mine.some((update) => update.state === 'running' && update.progress > 0)).toBe(true);
    // Asked twice, encoded once: one 'running' row change in the audit log.
    const runs = services.store.audit
      .list({ entityId: id })
      .filter((entry) => entry.action === 'clip.proxy' && entry.details.state === 'running');
    expect(runs).toHaveLength(1);

    const proxyPath = await expectSameFrames(services, id);
    expect(proxyPath).toBe(join(dir.path, 'proxies', `${id}.mp4`));
    const table = await services.handlers.getSampleTable({ clipId: id, variant: 'proxy' });
    expect(table.codec).toMatch(/^avc1\./);
    expect(table.description).not.toBeNull();
    expect(table.frameIndex.filter((n) => n >= 0)).toHaveLength(table.offsets.length);

    // Ready: asking again changes nothing.
    const before = updates.length;
    expect((await services.handlers.ensureProxy({ clipId: id })).state).toBe('ready');
    expect(updates).toHaveLength(before);
  });

  it('serves the ready proxy by clip id with Range requests', async () => {
    const id = clipId('hevc.mp4');
    const proxyPath = services.proxies.readyFile(id) ?? '';
    const size = statSync(proxyPath).size;
    const reply = await get(`/media/${encodeURIComponent(id)}?variant=proxy`, {
      Range: 'bytes=0-99',
    });
    expect(reply.status).toBe(206);
    expect(reply.headers['content-range']).toBe(`bytes 0-99/${size}`);
    expect(reply.headers['content-type']).toBe('video/mp4');
    expect(reply.body.byteLength).toBe(100);
    expect(reply.body.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const original = await get(`/media/${encodeURIComponent(id)}`, { Range: 'bytes=0-99' });
    expect(original.headers['content-range']).toBe(
      `bytes 0-99/${statSync(join(fixtureBatch, 'hevc.mp4')).size}`,
    );
  });

  it('keeps the irregular timestamps of a VFR clip', async () => {
    const id = clipId('vfr.mp4');
    await services.handlers.ensureProxy({ clipId: id });
    await services.proxies.whenIdle();
    expect((await services.handlers.getProxyStatus({ clipId: id })).state).toBe('ready');
    await expectSameFrames(services, id);
    const times = services.store.media.getFrameTable(id)?.frameTimes ?? [];
    const gaps = new Set(times.slice(1).map((t, i) => Math.round((t - (times[i] ?? 0)) * 1e6)));
    expect(gaps.size).toBeGreaterThan(10);
  });

  it('keeps the display matrix of a rotated clip rather than turning the picture', async () => {
    const id = clipId('rotated.mov');
    await services.handlers.ensureProxy({ clipId: id });
    await services.proxies.whenIdle();
    const proxy = await probeVideo(services.proxies.readyFile(id) ?? '');
    expect(proxy).toMatchObject({ rotation: 90, width: 320, height: 240 });
    await expectSameFrames(services, id);
  });

  it.each(['cfr30.mp4', 'ntsc2997.mp4', 'cfr60.mp4'])(
    'keeps every frame of %s at its pts',
    async (name) => {
      const id = clipId(name);
      await services.handlers.ensureProxy({ clipId: id });
      await services.proxies.whenIdle();
      await expectSameFrames(services, id);
    },
  );

  it('makes a proxy of a WebM clip too (no timescale to keep)', async () => {
    const id = clipId('clip.webm');
    await services.handlers.ensureProxy({ clipId: id });
    await services.proxies.whenIdle();
    expect(await services.handlers.getProxyStatus({ clipId: id })).toMatchObject({
      state: 'ready',
    });
    await expectSameFrames(services, id);
  });
});

describe('proxies that cannot be made', () => {
  let other: Services;
  let folder: string;
  let ids: Map<string, string>;

  beforeAll(async () => {
    folder = join(dir.path, 'damaged');
    mkdirSync(folder);
    for (const name of ['hevc.mp4', 'cfr30.mp4', 'clip.webm']) {
      copyFileSync(join(fixtureBatch, name), join(folder, name));
    }
    other = createServices({
      databasePath: join(dir.path, 'other', 'framewise.sqlite'),
      actor: 'tester',
    });
    ids = await importFolder(other, folder);
    await other.checksums.whenIdle();
  });

  afterAll(() => {
    other.close();
  });

  it('fails, saying so, when the clip was deleted after import', async () => {
    const id = clipId('cfr30.mp4', ids);
    rmSync(join(folder, 'cfr30.mp4'));
    await other.handlers.ensureProxy({ clipId: id });
    await other.proxies.whenIdle();
    const status = await other.handlers.getProxyStatus({ clipId: id });
    expect(status.state).toBe('failed');
    expect(status.message).toMatch(/cfr30\.mp4.*not found.*moved or deleted/);
    expect(other.proxies.readyFile(id)).toBeUndefined();
  });

  it('fails naming the first missing frame when a WebM copy was cut after import', async () => {
    const id = clipId('clip.webm', ids);
    const file = join(folder, 'clip.webm');
    truncateSync(file, Math.floor(statSync(file).size * 0.6));
    await other.handlers.ensureProxy({ clipId: id });
    await other.proxies.whenIdle();
    const status = await other.handlers.getProxyStatus({ clipId: id });
    expect(status.state).toBe('failed');
    expect(status.message).toMatch(/does not match it frame by frame.*frame \d+ is the first/);
    expect(readdirSync(join(dir.path, 'other', 'proxies'))).toEqual([]);
  });

  it('fails with the reason when an MP4 was cut after import', async () => {
    const id = clipId('hevc.mp4', ids);
    const file = join(folder, 'hevc.mp4');
    truncateSync(file, Math.floor(statSync(file).size / 2));
    await other.handlers.ensureProxy({ clipId: id });
    await other.proxies.whenIdle();
    const status = await other.handlers.getProxyStatus({ clipId: id });
    expect(status).toMatchObject({ state: 'failed' });
    expect(status.message).toMatch(/hevc\.mp4.*incomplete/);
  });

  it('names the first frame whose pts differs by more than a microsecond', async () => {
    const source = await probeVideo(join(fixtureBatch, 'cfr30.mp4'));
    const times = source.frameTimes;
    expect(compareWithSource(source, times, 0)).toBeNull();
    const nudged = times.map((t, n) => (n === 7 ? t + 0.9e-6 : n === 12 ? t + 2e-6 : t));
    expect(compareWithSource({ ...source, frameTimes: nudged }, times, 0)).toMatch(
      /^frame 12 is at 0\.40000\d s in the proxy but 0\.400000 s in the clip$/,
    );
    expect(compareWithSource(source, times, 90)).toMatch(
      /rotated 0° where the clip is rotated 90°/,
    );
    expect(compareWithSource({ ...source, codecFamily: 'hevc' }, times, 0)).toMatch(/not H\.264/);
  });

  it('reports the tail of ffmpeg stderr when ffmpeg cannot read the input', async () => {
    const notVideo = join(dir.path, 'notes.mp4');
    copyFileSync(join(fixtureBatch, 'notes.mp4'), notVideo);
    const error = await encodeH264Proxy({
      input: notVideo,
      output: join(dir.path, 'never.mp4'),
      timescale: null,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).message).toMatch(/ffmpeg could not convert "notes\.mp4".*: .+/);
    expect((error as FfmpegError).stderrTail).toMatch(/Invalid data/);
  });

  it('kills ffmpeg when the encode is cancelled', async () => {
    const abort = new AbortController();
    const output = join(dir.path, 'cancelled.mp4');
    const encoding = encodeH264Proxy({
      input: join(fixtureBatch, 'hevc.mp4'),
      output,
      timescale: null,
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 30);
    await expect(encoding).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('leaves a proxy running at close so the next start makes it', async () => {
    const databasePath = join(dir.path, 'closing', 'framewise.sqlite');
    const app = createServices({ databasePath, actor: 'tester' });
    const closingIds = await importFolder(app, fixtureBatch);
    await app.checksums.whenIdle();
    const id = clipId('hevc.mp4', closingIds);
    let closed = false;
    app.events.subscribe((name, payload) => {
      if (name === 'proxyUpdate' && (payload as ProxyStatus).state === 'running' && !closed) {
        closed = true;
        app.close();
      }
    });
    app.proxies.ensure(id);
    await app.proxies.whenIdle();
    expect(closed).toBe(true);
    expect(readdirSync(join(dir.path, 'closing', 'proxies'))).toEqual([]);

    const reopened = openStore(databasePath);
    try {
      expect(reopened.media.getProxy(id)?.state).toBe('running');
    } finally {
      reopened.close();
    }
  });

  it('queues a proxy left running by a previous run when the app starts again, not before', async () => {
    const databasePath = join(dir.path, 'restart', 'framewise.sqlite');
    const first = createServices({ databasePath, actor: 'tester' });
    const restartIds = await importFolder(first, join(fixtureBatch));
    await first.checksums.whenIdle();
    const id = clipId('cfr60.mp4', restartIds);
    // As if the app quit mid-encode: the row says running, no ffmpeg is left.
    first.store.media.setProxyState(id, 'running', { progress: 0.4 }, 'tester');
    first.close();

    const second = createServices({ databasePath, actor: 'tester' });
    try {
      // Wiring starts nothing (a one-shot CLI command never encodes); the app's start() does.
      await second.proxies.whenIdle();
      expect(second.store.media.getProxy(id)?.state).toBe('running');
      second.start();
      await second.proxies.whenIdle();
      expect((await second.handlers.getProxyStatus({ clipId: id })).state).toBe('ready');
      await expectSameFrames(second, id);
    } finally {
      second.close();
    }
  });
});
