import { describe, expect, it } from 'vitest';
import type { OpenedReview, ReviewAgainResult } from '../../../shared/api/reviewSchemas';
import { createAppStore } from './appStore';
import { fakeApiClient } from './fakeApiClient';

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
    const { client, names } = fakeApiClient({
      syncNow: () => ({}),
      getSyncStatus: () => null,
      listSyncConflicts: () => [],
      listSyncIssues: () => [],
      getIdentity: () => ({ actor: 'rita', source: 'account', localProfile: null }),
      reviewAgain: () => reopened,
      openReview: () => opened,
      listReviewQueue: () => [opened.item],
    });
    const store = createAppStore(client);
    expect(await store.getState().reviewAgain('s1')).toBe(true);
    const calls = names();
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
    const { client, names } = fakeApiClient({
      syncNow: () => ({}),
      getSyncStatus: () => null,
      listSyncConflicts: () => [],
      listSyncIssues: () => [],
      getIdentity: () => ({ actor: 'rita', source: 'account', localProfile: null }),
      reviewAgain: () => closed,
      listReviewQueue: () => [],
    });
    const store = createAppStore(client);
    expect(await store.getState().reviewAgain('s1')).toBe(true);
    expect(names()).not.toContain('openReview');
    expect(store.getState().openedReview).toBeNull();
    expect(store.getState().reviewAgainResult?.outcome).toBe('closed');
  });
});
