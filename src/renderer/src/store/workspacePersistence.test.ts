import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Workspace } from '../../../shared/api/schemas';
import { createAppStore } from './appStore';
import { fakeApiClient } from './fakeApiClient';

/** A store showing clip c1 with its labels open, so every frame change is a workspace to keep. */
function storeOnClip() {
  const fake = fakeApiClient({ saveWorkspace: () => null });
  const store = createAppStore(fake.client);
  store.setState({
    screen: { name: 'clip', batchId: 'b1', clipId: 'c1' },
    labelSet: { id: 's1', clipId: 'c1' } as never,
    currentFrame: 0,
  });
  const saved = () =>
    fake.calls.filter((c) => c.name === 'saveWorkspace').map((c) => c.input as Workspace);
  return { store, saved };
}

describe('where the annotator is, kept for the next start', () => {
  // The window the store listens on (vitest runs in Node, which has none).
  let page: EventTarget;
  beforeEach(() => {
    vi.useFakeTimers();
    page = new EventTarget();
    vi.stubGlobal('window', page);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('is written while frames keep changing, not only once they stop', () => {
    const { store, saved } = storeOnClip();
    // Playback: a new frame every 33 ms for two seconds, never a pause of 300 ms.
    for (let frame = 1; frame <= 60; frame += 1) {
      store.setState({ currentFrame: frame });
      vi.advanceTimersByTime(33);
    }
    expect(saved().length).toBeGreaterThanOrEqual(5);
    expect(saved().at(-1)?.frame).toBeGreaterThan(50);
  });

  it('sends the last position when the page goes away before the timer fires', () => {
    const { store, saved } = storeOnClip();
    vi.advanceTimersByTime(1_000);
    const before = saved().length;
    store.setState({ currentFrame: 20 });
    page.dispatchEvent(new Event('pagehide'));
    expect(
      saved()
        .slice(before)
        .map((w) => w.frame),
    ).toEqual([20]);
  });
});
