import { join } from 'node:path';
import { bundleFrameCache } from '../support/bundleFrameCache';
import { expect, openApp, repoRoot, test } from './fixtures';

/**
 * The decoded-frame cache alone, in Chromium, on the fixture clips whose pixels spell their frame
 * index (tests/fixtures/make-fixtures.sh): every frame reached stepping forward, stepping
 * backward, by 200 random jumps and by all requests at once is the right picture, also when the
 * memory budget holds only a few frames. The player's own e2e covers the cache inside the player;
 * here the module is bundled on its own and put into the app's page, so nothing ships a test hook.
 */

const BATCH_FOLDER = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');
const EXACT_CLIPS = ['cfr30.mp4', 'ntsc2997.mp4', 'cfr60.mp4', 'vfr.mp4', 'rotated.mov'];

// The bundle goes in as an inline script, which the app's Content-Security-Policy forbids.
test.use({ bypassCSP: true });

let bundle = '';

test.beforeAll(async () => {
  // Playwright compiles this file keeping function names, through a helper the page lacks.
  bundle = `globalThis.__name ??= (f) => f;\n${await bundleFrameCache()}`;
});

test('the frame cache gives the exact picture of every frame, in any order and under memory pressure', async ({
  page,
  host,
}) => {
  await openApp(page, host);
  await page.addScriptTag({ content: bundle });
  const results = await page.evaluate(checkClips, {
    folder: BATCH_FOLDER,
    files: EXACT_CLIPS,
    // Room for about 12 pictures of these 320×240 clips: eviction and re-decoding happen.
    smallBudget: 12 * 320 * 240 * 1.5,
  });
  for (const result of results) {
    expect(result.supported, `${result.file}: WebCodecs can decode it`).toBe(true);
    expect(result.frameCount, `${result.file}: frames`).toBeGreaterThan(0);
    expect(result.wrong, `${result.file}: frames shown with another frame's picture`).toEqual([]);
    expect(result.rotatedWrong, `${result.file}: rotated draws`).toEqual([]);
  }
});

test('an HEVC clip is reported unsupported or fails with the message that sends it to the native player', async ({
  page,
  host,
}) => {
  await openApp(page, host);
  await page.addScriptTag({ content: bundle });
  const outcome = await page.evaluate(checkUnsupported, {
    folder: BATCH_FOLDER,
    file: 'hevc.mp4',
  });
  if (outcome.supported) expect(outcome.error).toMatch(/native player will be used/);
  else expect(outcome.supported).toBe(false);
});

/*
 * What follows runs in the page (Playwright serializes each function on its own), so it may use
 * only the page's globals and what it defines itself. Tests are type-checked without the DOM library, hence the structural types.
 */

type Table = { frameIndex: number[]; rotation: 0 | 90 | 180 | 270 } & Record<string, unknown>;
type Picture = { frameIndex: number; width: number; height: number };
type Cache = {
  get(n: number): Promise<Picture>;
  prefetch(n: number, direction: 1 | -1): void;
  dispose(): void;
};
type Context2D = {
  canvas: { width: number; height: number };
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
};
type PageGlobals = {
  framewiseFrameCache: {
    createFrameCache(options: {
      table: Table;
      fetchBytes: (start: number, endInclusive: number) => Promise<Uint8Array>;
      maxBytes?: number;
    }): Cache;
    drawCachedFrame(ctx: Context2D, frame: Picture, rotation: Table['rotation']): void;
    frameCacheSupported(table: Table): Promise<boolean>;
  };
  document: {
    createElement(tag: 'canvas'): {
      width: number;
      height: number;
      getContext(kind: '2d', options: { willReadFrequently: boolean }): Context2D;
    };
  };
  fetch(
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<{ json(): Promise<unknown>; arrayBuffer(): Promise<ArrayBuffer> }>;
};
type ClipResult = {
  file: string;
  supported: boolean;
  frameCount: number;
  wrong: string[];
  rotatedWrong: string[];
};

async function checkClips(input: {
  folder: string;
  files: string[];
  smallBudget: number;
}): Promise<ClipResult[]> {
  const page = globalThis as unknown as PageGlobals;
  const call = async <T>(name: string, body: unknown): Promise<T> => {
    const response = await page.fetch(`/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const envelope = (await response.json()) as {
      ok: boolean;
      value?: unknown;
      error?: { message: string };
    };
    if (!envelope.ok) throw new Error(`${name}: ${envelope.error?.message ?? 'failed'}`);
    return envelope.value as T;
  };
  const fc = page.framewiseFrameCache;
  const report = await call<{ files: { relativePath: string; clipId?: string }[] }>('importBatch', {
    folder: input.folder,
  });
  const canvas = page.document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });

  /** The frame index spelled by the 16 blocks of the top rows, read at (x, y) of block k. */
  const readIndex = (at: (k: number) => [number, number]): number => {
    let value = 0;
    for (let k = 0; k < 16; k++) {
      const [x, y] = at(k);
      const { data } = ctx.getImageData(x - 4, y - 4, 8, 8);
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += data[i] ?? 0;
      if (sum / (data.length / 4) > 128) value |= 1 << k;
    }
    return value;
  };
  const readUpright = (frame: Picture): number => {
    canvas.width = frame.width;
    canvas.height = frame.height;
    fc.drawCachedFrame(ctx, frame, 0);
    return readIndex((k) => [20 * k + 10, 20]);
  };

  const results: ClipResult[] = [];
  for (const file of input.files) {
    const clipId = report.files.find((f) => f.relativePath === file)?.clipId;
    if (clipId === undefined) throw new Error(`${file} did not import.`);
    const table = await call<Table>('getSampleTable', { clipId });
    const mediaUrl = `/media/${encodeURIComponent(clipId)}`;
    const fetchBytes = async (start: number, endInclusive: number) => {
      const response = await page.fetch(mediaUrl, {
        headers: { Range: `bytes=${start}-${endInclusive}` },
      });
      return new Uint8Array(await response.arrayBuffer());
    };
    const frameCount = table.frameIndex.filter((f) => f >= 0).length;
    const result: ClipResult = {
      file,
      supported: await fc.frameCacheSupported(table),
      frameCount,
      wrong: [],
      rotatedWrong: [],
    };
    results.push(result);
    const check = (how: string, n: number, frame: Picture) => {
      const shown = readUpright(frame);
      if (frame.frameIndex !== n || shown !== n) {
        result.wrong.push(`${how} ${n}: picture of ${shown}, labelled ${frame.frameIndex}`);
      }
    };
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % frameCount;
    };
    for (const maxBytes of [undefined, input.smallBudget]) {
      const budget = maxBytes === undefined ? 'default budget' : 'small budget';
      const cache = fc.createFrameCache({ table, fetchBytes, maxBytes });
      for (let n = 0; n < frameCount; n++) {
        check(`${budget}, forward`, n, await cache.get(n));
        cache.prefetch(n, 1);
      }
      for (let n = frameCount - 1; n >= 0; n--) {
        check(`${budget}, backward`, n, await cache.get(n));
        cache.prefetch(n, -1);
      }
      for (let i = 0; i < 200; i++) {
        const n = random();
        check(`${budget}, jump`, n, await cache.get(n));
      }
      cache.dispose();
      // Every frame asked for at once, before any is decoded: concurrent gets share decodes.
      // Each picture is read as it arrives, as the player draws it: bitmaps are not to be kept.
      const together = fc.createFrameCache({ table, fetchBytes, maxBytes });
      const all = Array.from({ length: frameCount }, (_, n) => n);
      await Promise.all(
        all.map((n) => together.get(n).then((frame) => check(`${budget}, all at once`, n, frame))),
      );
      together.dispose();
    }
    if (table.rotation !== 0) {
      // Turned clockwise: the top rows of the picture become its rightmost columns.
      const cache = fc.createFrameCache({ table, fetchBytes });
      for (const n of [0, Math.floor(frameCount / 2), frameCount - 1]) {
        const frame = await cache.get(n);
        const sideways = table.rotation === 90 || table.rotation === 270;
        canvas.width = sideways ? frame.height : frame.width;
        canvas.height = sideways ? frame.width : frame.height;
        fc.drawCachedFrame(ctx, frame, table.rotation);
        const shown = readIndex((k) => {
          const [x, y] = [20 * k + 10, 20];
          if (table.rotation === 90) return [frame.height - 1 - y, x];
          if (table.rotation === 270) return [y, frame.width - 1 - x];
          return [frame.width - 1 - x, frame.height - 1 - y];
        });
        if (shown !== n) result.rotatedWrong.push(`${n} drawn turned reads ${shown}`);
      }
      cache.dispose();
    }
  }
  return results;
}

async function checkUnsupported(input: {
  folder: string;
  file: string;
}): Promise<{ supported: boolean; error: string }> {
  const page = globalThis as unknown as PageGlobals;
  const call = async <T>(name: string, body: unknown): Promise<T> => {
    const response = await page.fetch(`/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const envelope = (await response.json()) as {
      ok: boolean;
      value?: unknown;
      error?: { message: string };
    };
    if (!envelope.ok) throw new Error(`${name}: ${envelope.error?.message ?? 'failed'}`);
    return envelope.value as T;
  };
  const fc = page.framewiseFrameCache;
  const report = await call<{ files: { relativePath: string; clipId?: string }[] }>('importBatch', {
    folder: input.folder,
  });
  const clipId = report.files.find((f) => f.relativePath === input.file)?.clipId;
  if (clipId === undefined) throw new Error(`${input.file} did not import.`);
  const table = await call<Table>('getSampleTable', { clipId });
  const supported = await fc.frameCacheSupported(table);
  if (!supported) return { supported, error: '' };
  const cache = fc.createFrameCache({
    table,
    fetchBytes: async (start, endInclusive) => {
      const response = await page.fetch(`/media/${encodeURIComponent(clipId)}`, {
        headers: { Range: `bytes=${start}-${endInclusive}` },
      });
      return new Uint8Array(await response.arrayBuffer());
    },
  });
  try {
    await cache.get(0);
    return { supported, error: '' };
  } catch (error) {
    return { supported, error: error instanceof Error ? error.message : String(error) };
  } finally {
    cache.dispose();
  }
}
