import type { Page } from '@playwright/test';
import { bundleTimelineUi } from '../support/bundleTimeline';
import { expect, test } from './fixtures';

/**
 * The Timeline and TaxonomyPicker components in Chromium, mounted alone in a blank page (no host
 * needed): accessible names, zoom controls, edge drags that emit one command, seeking, the label
 * request on double click, playhead updates that re-render nothing, and the picker by keyboard.
 */

let bundle = '';

test.beforeAll(async () => {
  // Playwright compiles this file keeping function names, through a helper the page lacks.
  bundle = `globalThis.__name ??= (f) => f;\n${await bundleTimelineUi()}`;
});

type Recorded = { events: [string, unknown][]; renders: number };

/*
 * The functions passed to page.evaluate run in the page, where the bundle put the components on
 * globalThis; this file is type-checked without the DOM library, hence the structural types.
 */
type Ui = {
  createElement(type: unknown, props: unknown, ...children: unknown[]): unknown;
  Profiler: unknown;
  createRoot(container: unknown): { render(node: unknown): void };
  Timeline: unknown;
  TaxonomyPicker: unknown;
};
type PageGlobals = {
  framewiseTimelineUi: Ui;
  recorded: Recorded;
  playheadListeners: Set<(frame: number) => void>;
  document: {
    getElementById(id: string): unknown;
  };
};

async function blankPage(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1000, height: 500 });
  await page.setContent('<!doctype html><body style="margin:0"><div id="root"></div></body>');
  await page.addScriptTag({ content: bundle });
}

async function recorded(page: Page): Promise<Recorded> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).recorded);
}

/**
 * 300 frames at 3 px a frame across 900 px: frame f starts at x = 3f. `tall` adds two actors and
 * four tracks, 206 px of ruler and rows for the 180 px drawing area.
 */
async function mountTimeline(page: Page, { tall = false } = {}): Promise<void> {
  await blankPage(page);
  await page.evaluate((tall) => {
    const g = globalThis as unknown as PageGlobals;
    const ui = g.framewiseTimelineUi;
    g.recorded = { events: [], renders: 0 };
    g.playheadListeners = new Set();
    const record = (name: string) => (value: unknown) => g.recorded.events.push([name, value]);
    const seg = (
      id: string,
      startFrame: number,
      endFrame: number,
      actor: string,
      verbId: number | null,
    ) => ({
      id,
      startFrame,
      endFrame,
      actor,
      verbId,
      nounId: verbId,
      note: '',
    });
    const data = {
      frameCount: 300,
      fps: 30,
      rows: [
        { id: 'a', label: 'camera wearer', color: '#4c78a8' },
        { id: 'b', label: 'person 2', color: '#f58518' },
        ...(tall
          ? [
              { id: 'c', label: 'person 3', color: '#54a24b' },
              { id: 'd', label: 'person 4', color: '#b279a2' },
            ]
          : []),
      ],
      segments: [
        seg('s1', 30, 59, 'a', 1),
        seg('s3', 40, 80, 'b', null),
        seg('s2', 100, 120, 'a', 2),
        ...(tall ? [seg('s4', 100, 120, 'd', 3)] : []),
      ],
      keyframeTicks: [
        { trackId: 't1', label: 'person 1', color: '#e45756', frames: [5, 50, 150] },
        ...(tall
          ? ['t2', 't3', 't4', 't5'].map((trackId) => ({
              trackId,
              label: trackId,
              color: '#e45756',
              frames: [10],
            }))
          : []),
      ],
      selectedSegmentId: null,
      labelOf: (s: { verbId: number | null }) => (s.verbId === null ? '' : `verb ${s.verbId}`),
    };
    const timeline = ui.createElement(ui.Timeline, {
      data,
      subscribePlayhead: (listener: (frame: number) => void) => {
        g.playheadListeners.add(listener);
        return () => g.playheadListeners.delete(listener);
      },
      getPlayhead: () => 0,
      onSeek: record('seek'),
      onSelect: record('select'),
      onCommand: record('command'),
      onRequestLabel: record('requestLabel'),
    });
    const profiled = ui.createElement(
      ui.Profiler,
      { id: 'timeline', onRender: () => (g.recorded.renders += 1) },
      timeline,
    );
    const root = ui.createRoot(g.document.getElementById('root'));
    root.render(ui.createElement('div', { style: { width: '900px', height: '200px' } }, profiled));
  }, tall);
  await expect(page.locator('.timeline-canvas canvas').first()).toBeVisible();
}

/** Rows from timelineView's default layout: ruler 0–24, row a 26–54, row b 56–84. */
async function canvasPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = await page.locator('.timeline-canvas').boundingBox();
  if (!box) throw new Error('the timeline canvas has no box');
  return { x: box.x + x, y: box.y + y };
}

test('the timeline is a named region with zoom buttons that follow the zoom limits', async ({
  page,
}) => {
  await mountTimeline(page);
  const region = page.getByRole('region', { name: 'Timeline' });
  await expect(region).toBeVisible();
  const zoomIn = region.getByRole('button', { name: 'Zoom in' });
  const zoomOut = region.getByRole('button', { name: 'Zoom out' });
  const fit = region.getByRole('button', { name: 'Fit clip' });
  await expect(zoomOut).toBeDisabled();
  await expect(fit).toBeDisabled();
  await zoomIn.click();
  await expect(zoomOut).toBeEnabled();
  await fit.click();
  await expect(fit).toBeDisabled();
  // Ctrl+wheel zooms at the pointer.
  const at = await canvasPoint(page, 450, 40);
  await page.mouse.move(at.x, at.y);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -300);
  await page.keyboard.up('Control');
  await expect(fit).toBeEnabled();
});

test('dragging a segment edge emits one updateSegment, snapped to frames', async ({ page }) => {
  await mountTimeline(page);
  const from = await canvasPoint(page, 180, 40);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let dx = 5; dx <= 31; dx += 5) await page.mouse.move(from.x + dx, from.y);
  await page.mouse.move(from.x + 31, from.y);
  await page.mouse.up();
  const { events } = await recorded(page);
  expect(events.filter(([name]) => name === 'command')).toEqual([
    ['command', { type: 'updateSegment', segmentId: 's1', patch: { endFrame: 69 } }],
  ]);
});

test('dragging along empty row space emits one addSegment in that row, then selects it', async ({
  page,
}) => {
  await mountTimeline(page);
  const from = await canvasPoint(page, 541, 70);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x - 90, from.y, { steps: 9 });
  await page.mouse.up();
  const { events } = await recorded(page);
  const commands = events.filter(([name]) => name === 'command');
  expect(commands).toMatchObject([
    [
      'command',
      {
        type: 'addSegment',
        segment: { actor: 'b', startFrame: 150, endFrame: 180, verbId: null, nounId: null },
      },
    ],
  ]);
  const added = (commands[0]?.[1] as { segment: { id: string } }).segment.id;
  expect(events.at(-1)).toEqual(['select', added]);
});

test('a click on the ruler seeks, a click selects, a double click asks for the label', async ({
  page,
}) => {
  await mountTimeline(page);
  const ruler = await canvasPoint(page, 451, 10);
  await page.mouse.click(ruler.x, ruler.y);
  const body = await canvasPoint(page, 320, 40);
  await page.mouse.click(body.x, body.y);
  const unlabeled = await canvasPoint(page, 180, 70);
  await page.mouse.dblclick(unlabeled.x, unlabeled.y);
  const { events } = await recorded(page);
  expect(events).toContainEqual(['seek', 150]);
  expect(events).toContainEqual(['select', 's2']);
  expect(events).toContainEqual(['requestLabel', 's3']);
  expect(events.filter(([name]) => name === 'command')).toEqual([]);
});

test('playhead updates reach the engine without re-rendering React', async ({ page }) => {
  await mountTimeline(page);
  const before = (await recorded(page)).renders;
  await page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals & {
      requestAnimationFrame(callback: () => void): number;
    };
    for (let frame = 0; frame < 120; frame++) {
      for (const listener of g.playheadListeners) listener(frame);
      await new Promise<void>((done) => g.requestAnimationFrame(done));
    }
  });
  expect((await recorded(page)).renders).toBe(before);
});

test('rows that do not fit scroll under the ruler, by Shift+wheel or the scrollbar', async ({
  page,
}) => {
  await mountTimeline(page, { tall: true });
  const scrollbar = page.getByTestId('timeline-rows-scrollbar');
  await expect(scrollbar).toBeVisible();
  const scrollTop = () =>
    scrollbar.evaluate((el) => (el as unknown as { scrollTop: number }).scrollTop);
  const requests = async () =>
    (await recorded(page)).events.filter(([name]) => name === 'requestLabel').length;
  // Ruler 0–24, actor rows a–d 26–144 (d: 116–144, holding s4 at x 300–363), tick rows t1–t5
  // 146–204: 206 px in a 180 px drawing area, so the rows scroll by up to 26 px.
  expect((await page.locator('.timeline-canvas').boundingBox())?.height).toBe(180);
  const over = await canvasPoint(page, 451, 100);
  await page.mouse.move(over.x, over.y);
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 200);
  await page.keyboard.up('Shift');
  await expect.poll(scrollTop).toBe(26);
  // The plain wheel moves along the clip (here fitted whole: nowhere to go), never the rows.
  await page.mouse.wheel(0, 200);
  expect(await scrollTop()).toBe(26);

  // Scrolled, row d lies at 90–118 and row a under the ruler, which keeps its clicks.
  const onS4 = await canvasPoint(page, 330, 100);
  await page.mouse.dblclick(onS4.x, onS4.y);
  expect(await requests()).toBe(1);
  const ruler = await canvasPoint(page, 90, 10);
  await page.mouse.click(ruler.x, ruler.y);
  expect((await recorded(page)).events).toContainEqual(['seek', 30]);

  // Back at the top by the bar: y 100 is row c's empty space again, row d is at 116–144.
  // The browser fires the scroll event a frame later; firing it here keeps the clicks below
  // from racing it (the timeline reads the bar's position from the event either way).
  await scrollbar.evaluate((el) => {
    const bar = el as unknown as { scrollTop: number; dispatchEvent(event: unknown): boolean };
    bar.scrollTop = 0;
    bar.dispatchEvent(new Event('scroll'));
  });
  await page.mouse.dblclick(onS4.x, onS4.y);
  expect(await requests()).toBe(1);
  const onS4AtTop = await canvasPoint(page, 330, 130);
  await page.mouse.dblclick(onS4AtTop.x, onS4AtTop.y);
  expect(await requests()).toBe(2);
  expect((await recorded(page)).events.filter(([name]) => name === 'command')).toEqual([]);
});

async function mountPicker(page: Page): Promise<void> {
  await blankPage(page);
  await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const ui = g.framewiseTimelineUi;
    g.recorded = { events: [], renders: 0 };
    const picker = ui.createElement(ui.TaxonomyPicker, {
      verbs: [
        { id: 0, key: 'take', category: 'retrieve' },
        { id: 1, key: 'put', category: 'leave' },
        { id: 2, key: 'open', category: 'access' },
        { id: 12, key: 'put-down', category: 'leave' },
      ],
      nouns: [
        { id: 0, key: 'cup' },
        { id: 1, key: 'plate' },
        { id: 2, key: 'knife' },
      ],
      initial: { verbId: null, nounId: 2 },
      onPick: (choice: unknown) => g.recorded.events.push(['pick', choice]),
      onCancel: () => g.recorded.events.push(['cancel', null]),
    });
    ui.createRoot(g.document.getElementById('root')).render(picker);
  });
}

test('the taxonomy picker labels a segment by keyboard: filter, arrows, Enter, Save', async ({
  page,
}) => {
  await mountPicker(page);
  const dialog = page.getByRole('dialog', { name: 'Label segment' });
  const verb = dialog.getByRole('combobox', { name: 'Verb' });
  const noun = dialog.getByRole('combobox', { name: 'Noun' });
  await expect(verb).toBeFocused();
  await expect(noun).toHaveValue('knife');
  await page.keyboard.type('pu');
  const verbOptions = dialog.getByRole('listbox', { name: 'Verb classes' }).getByRole('option');
  await expect(verbOptions).toHaveText(['put 1 · leave', 'put-down 12 · leave']);
  await page.keyboard.press('ArrowDown');
  await expect(verbOptions.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(verb).toHaveAttribute('aria-activedescendant', /option-12$/);
  await page.keyboard.press('Enter');
  await expect(verb).toHaveValue('put-down');
  await expect(noun).toBeFocused();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('1');
  await page.keyboard.press('Enter');
  await expect(noun).toHaveValue('plate');
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeFocused();
  await page.keyboard.press('Enter');
  expect((await recorded(page)).events).toEqual([['pick', { verbId: 12, nounId: 1 }]]);
});

test('the taxonomy picker tabs from verb to noun, keeps an exact name typed, and Escape cancels', async ({
  page,
}) => {
  await mountPicker(page);
  const dialog = page.getByRole('dialog', { name: 'Label segment' });
  // React mounts the picker and focuses its verb box after the mount call returns: typed before
  // that, the keys go to the page.
  await expect(dialog.getByRole('combobox', { name: 'Verb' })).toBeFocused();
  await page.keyboard.type('take');
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('combobox', { name: 'Noun' })).toBeFocused();
  await expect(dialog.getByRole('combobox', { name: 'Verb' })).toHaveValue('take');
  await page.keyboard.press('Escape');
  expect((await recorded(page)).events).toEqual([['cancel', null]]);
});
