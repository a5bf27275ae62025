import { describe, expect, it } from 'vitest';
import type { Command } from '../../../shared/domain/labels';
import { LabelSaveQueue, type PendingEdit, type SaveQueueStatus } from './labelSaveQueue';

const command: Command = { type: 'removeTrack', trackId: 't' };

function edit(n: number): PendingEdit {
  return { editId: `e${n}`, command };
}

class Transient extends Error {}

/** A queue over a scripted store: `answers` says, per send, to fail (transiently or not) or save. */
function harness(answers: ('ok' | 'drop' | 'refuse')[]) {
  const sent: { editId: string; expectedSeq: number }[] = [];
  const statuses: SaveQueueStatus[] = [];
  const timers: { callback: () => void; ms: number }[] = [];
  const rejected: { error: unknown; unsent: readonly PendingEdit[] }[] = [];
  let seq = 0;
  const queue = new LabelSaveQueue(0, {
    send: (pending, expectedSeq) => {
      sent.push({ editId: pending.editId, expectedSeq });
      const answer = answers.shift() ?? 'ok';
      if (answer === 'drop') return Promise.reject(new Transient('host unreachable'));
      if (answer === 'refuse') return Promise.reject(new Error('stale'));
      seq = expectedSeq + 1;
      return Promise.resolve(seq);
    },
    isTransient: (error) => error instanceof Transient,
    onStatus: (status) => statuses.push(status),
    onRejected: (error, unsent) => rejected.push({ error, unsent }),
    random: () => 1,
    setTimer: (callback, ms) => timers.push({ callback, ms }),
    clearTimer: () => undefined,
  });
  return { queue, sent, statuses, timers, rejected };
}

describe('the label save queue', () => {
  it('sends edits one at a time, in order, each on the seq the previous one produced', async () => {
    const { queue, sent } = harness([]);
    queue.enqueue(edit(1));
    queue.enqueue(edit(2));
    queue.enqueue(edit(3));
    await queue.whenIdle();
    expect(sent).toEqual([
      { editId: 'e1', expectedSeq: 0 },
      { editId: 'e2', expectedSeq: 1 },
      { editId: 'e3', expectedSeq: 2 },
    ]);
    expect(queue.status).toEqual({ pending: 0, savedSeq: 3, retrying: null });
  });

  it('retries a dropped send with the same edit id and growing, capped delays, losing nothing', async () => {
    const { queue, sent, timers, statuses } = harness(['drop', 'drop', 'drop', 'ok']);
    queue.enqueue(edit(1));
    queue.enqueue(edit(2));
    for (let i = 0; i < 3; i++) {
      await Promise.resolve();
      await Promise.resolve();
      const timer = timers.shift();
      if (!timer) throw new Error(`no retry scheduled after failure ${i + 1}`);
      expect(timer.ms).toBe([200, 400, 800][i]);
      expect(queue.status).toMatchObject({ pending: 2, retrying: { attempt: i + 1 } });
      timer.callback();
    }
    await queue.whenIdle();
    expect(sent.map((s) => s.editId)).toEqual(['e1', 'e1', 'e1', 'e1', 'e2']);
    expect(queue.status).toEqual({ pending: 0, savedSeq: 2, retrying: null });
    expect(statuses.some((s) => s.retrying?.message === 'host unreachable')).toBe(true);
  });

  it('stops at a failure retrying cannot fix and hands back every unsent edit', async () => {
    const { queue, rejected } = harness(['ok', 'refuse']);
    queue.enqueue(edit(1));
    queue.enqueue(edit(2));
    queue.enqueue(edit(3));
    await queue.whenIdle();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.unsent.map((e) => e.editId)).toEqual(['e2', 'e3']);
    expect(() => queue.enqueue(edit(4))).toThrow(/stopped/);
  });
});
