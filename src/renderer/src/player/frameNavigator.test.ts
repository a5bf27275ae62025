import { describe, expect, it } from 'vitest';
import { createFrameNavigator, type ShowResult } from './frameNavigator';

/** A `show` whose calls stay pending until the test settles them, as a slow seek would. */
function controlledShow() {
  const calls: {
    frame: number;
    resolve: (result: ShowResult) => void;
    reject: (e: Error) => void;
  }[] = [];
  const show = (frame: number) =>
    new Promise<ShowResult>((resolve, reject) => calls.push({ frame, resolve, reject }));
  const settle = async (index: number, shown?: number | null) => {
    const call = calls[index];
    if (!call) throw new Error(`no show call ${index}`);
    call.resolve({ shown: shown === undefined ? call.frame : shown, via: 'video' });
    await Promise.resolve();
    await Promise.resolve();
  };
  return { calls, show, settle };
}

describe('frame navigator', () => {
  it('shows a requested frame and settles on it', async () => {
    const { calls, show, settle } = controlledShow();
    const navigator = createFrameNavigator({ frameCount: 90, show });
    navigator.request(12);
    expect(navigator.state).toMatchObject({ name: 'showing', target: 12 });
    expect(navigator.target).toBe(12);
    await settle(0);
    expect(calls.map((call) => call.frame)).toEqual([12]);
    expect(navigator.state).toEqual({ name: 'idle', frame: 12, via: 'video', mismatch: null });
  });

  it('shows one frame at a time, and of the requests made meanwhile only the latest', async () => {
    const { calls, show, settle } = controlledShow();
    const navigator = createFrameNavigator({ frameCount: 90, show });
    navigator.request(1);
    navigator.request(2);
    navigator.request(3);
    navigator.request(4);
    expect(calls).toHaveLength(1);
    expect(navigator.target).toBe(4);
    await settle(0);
    expect(calls.map((call) => call.frame)).toEqual([1, 4]);
    await settle(1);
    expect(navigator.state).toMatchObject({ name: 'idle', frame: 4, mismatch: null });
  });

  it('drops a queued request that returns to the frame in flight', async () => {
    const { calls, show, settle } = controlledShow();
    const navigator = createFrameNavigator({ frameCount: 90, show });
    navigator.request(5);
    navigator.request(6);
    navigator.request(5);
    await settle(0);
    expect(calls.map((call) => call.frame)).toEqual([5]);
    expect(navigator.state).toMatchObject({ name: 'idle', frame: 5 });
  });

  it('clamps requests to the first and last frame', async () => {
    const { calls, show, settle } = controlledShow();
    const navigator = createFrameNavigator({ frameCount: 10, show });
    navigator.request(-3);
    await settle(0);
    navigator.request(25);
    await settle(1);
    navigator.request(Number.NaN);
    await settle(2);
    expect(calls.map((call) => call.frame)).toEqual([0, 9, 0]);
  });

  it('reports a mismatch when the confirmed frame is not the requested one', async () => {
    const { show, settle } = controlledShow();
    const navigator = createFrameNavigator({ frameCount: 90, show });
    navigator.request(30);
    await settle(0, 29);
    expect(navigator.state).toEqual({
      name: 'idle',
      frame: 29,
      via: 'video',
      mismatch: { requested: 30, shown: 29 },
    });
  });

  it('treats a failed show as unconfirmed and reports the error', async () => {
    const { calls, show } = controlledShow();
    const errors: [unknown, number][] = [];
    const navigator = createFrameNavigator({
      frameCount: 90,
      show,
      onShowError: (error, frame) => errors.push([error, frame]),
    });
    navigator.request(7);
    calls[0]?.reject(new Error('decode failed'));
    await navigator.settled();
    expect(navigator.state).toMatchObject({
      name: 'idle',
      frame: null,
      mismatch: { requested: 7, shown: null },
    });
    expect(errors).toHaveLength(1);
  });

  it('resolves settled() only when nothing is in flight or queued', async () => {
    const { show, settle } = controlledShow();
    const navigator = createFrameNavigator({ frameCount: 90, show });
    let settled = false;
    navigator.request(1);
    navigator.request(2);
    void navigator.settled().then(() => (settled = true));
    await settle(0);
    expect(settled).toBe(false);
    await settle(1);
    expect(settled).toBe(true);
  });

  it('takes frames the player showed on its own only while idle, clearing a mismatch', async () => {
    const { show, settle } = controlledShow();
    const navigator = createFrameNavigator({ frameCount: 90, show });
    navigator.observe(3, 'video');
    expect(navigator.state).toMatchObject({ name: 'idle', frame: 3 });
    navigator.request(10);
    navigator.observe(4, 'video');
    expect(navigator.state).toMatchObject({ name: 'showing', target: 10 });
    await settle(0, 9);
    expect(navigator.state).toMatchObject({ mismatch: { requested: 10, shown: 9 } });
    navigator.observe(10, 'video');
    expect(navigator.state).toMatchObject({ name: 'idle', frame: 10, mismatch: null });
  });

  it('reports every state change', async () => {
    const { show, settle } = controlledShow();
    const names: string[] = [];
    const navigator = createFrameNavigator({
      frameCount: 90,
      show,
      onChange: (state) => names.push(state.name),
    });
    navigator.request(1);
    await settle(0);
    navigator.dispose();
    expect(names).toEqual(['showing', 'idle', 'disposed']);
  });

  it('ignores requests and results after disposal', async () => {
    const { calls, show, settle } = controlledShow();
    const navigator = createFrameNavigator({ frameCount: 90, show });
    navigator.request(1);
    navigator.dispose();
    await settle(0);
    navigator.request(2);
    expect(calls).toHaveLength(1);
    expect(navigator.state).toEqual({ name: 'disposed' });
    expect(navigator.target).toBeNull();
  });
});
