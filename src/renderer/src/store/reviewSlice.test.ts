import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../shared/api/contract';
import type { OpenedReview, ReviewAgainResult } from '../../../shared/api/reviewSchemas';
import { createAppStore } from './appStore';

/** A client answering from `answers` (other calls never settle), recording each call in order. */
function fakeClient(answers: Record<string, (input: unknown) => unknown>) {
  const calls: string[] = [];
  const client = new Proxy(
    {},
    {
      get: (_target, key: string) => {
        if (key.startsWith('on')) return () => () => undefined;
        return (input: unknown) => {
          calls.push(key);
          const answer = answers[key];
          return answer ? Promise.resolve(answer(input)) : new Promise(() => undefined);
        };
      },
    },
  ) as ApiClient;
  return { client, calls };
}

const opened: OpenedReview = {
  item: {
    setId: 's1',
    clipRef: 'ab'.repeat(32),
    projectId: 'p',
    annotator: 'ann1',
    batch: null,
    clipId: null,
    revision: 3,
    status: 'submitted',
    submittedAt: '2026-01-01T00:00:00.000Z',
    modelShare: 0,
    openComments: 0,
    verdict: null,
    refused: null,
  },
  labels: { tracks: [], segments: [], contacts: [] },
  comments: [],
  changesSince: { revision: 1, entries: [] },
};

const reopened: ReviewAgainResult = {
  setId: 's1',
  outcome: 'reopened',
  refusedRevision: 1,
  revision: 3,
  carried: [],
  notCarried: [],
};

describe('review again in the renderer', () => {
  it('syncs first, then reviews again, opens the current revision and keeps what was carried', async () => {
    const { client, calls } = fakeClient({
      syncNow: () => ({}),
      getSyncStatus: () => null,
      listSyncConflicts: () => [],
      reviewAgain: () => reopened,
      openReview: () => opened,
      listReviewQueue: () => [opened.item],
    });
    const store = createAppStore(client);
    expect(await store.getState().reviewAgain('s1')).toBe(true);
    expect(calls.indexOf('syncNow')).toBeLessThan(calls.indexOf('reviewAgain'));
    expect(calls.indexOf('reviewAgain')).toBeLessThan(calls.indexOf('openReview'));
    expect(store.getState().openedReview?.item.revision).toBe(3);
    expect(store.getState().reviewAgainResult).toEqual(reopened);
    // Closing the review forgets it.
    store.getState().closeReview();
    expect(store.getState().reviewAgainResult).toBeNull();
  });

  it('closes the review when the set left the queue, and keeps the note for the queue', async () => {
    const closed: ReviewAgainResult = { ...reopened, outcome: 'closed', revision: null };
    const { client, calls } = fakeClient({
      syncNow: () => ({}),
      getSyncStatus: () => null,
      listSyncConflicts: () => [],
      reviewAgain: () => closed,
      listReviewQueue: () => [],
    });
    const store = createAppStore(client);
    expect(await store.getState().reviewAgain('s1')).toBe(true);
    expect(calls).not.toContain('openReview');
    expect(store.getState().openedReview).toBeNull();
    expect(store.getState().reviewAgainResult?.outcome).toBe('closed');
  });
});
