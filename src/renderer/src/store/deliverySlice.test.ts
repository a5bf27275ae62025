import { describe, expect, it } from 'vitest';
import type { ClipFetchState, DeliveryProgress } from '../../../shared/api/deliverySchemas';
import { createAppStore } from './appStore';
import { fakeApiClient } from './fakeApiClient';

const REF = 'a'.repeat(64);

function progress(state: ClipFetchState['state'], bytesDone: number): DeliveryProgress {
  return {
    clips: [{ clipRef: REF, as: 'annotator', state, bytesDone, sizeBytes: 100, error: null }],
    bytesDone,
    bytesTotal: 100,
  };
}

describe('delivery progress pushed to the window', () => {
  it('shows each report, and reloads My work once when a clip becomes ready, so it opens at once', () => {
    const fake = fakeApiClient({
      listWork: () => [],
      listReviewQueue: () => [],
      getDeliveryStatus: () => ({
        progress: progress('queued', 0),
        storage: { quotaBytes: null, usedBytes: 0, clipCount: 0 },
      }),
    });
    const store = createAppStore(fake.client);
    store.getState().showMyWork();
    const listings = () => fake.names().filter((name) => name === 'listWork').length;
    expect(listings()).toBe(1);

    fake.push('deliveryProgress', progress('downloading', 40));
    fake.push('deliveryProgress', progress('verifying', 100));
    expect(store.getState().delivery?.clips[0]?.state).toBe('verifying');
    expect(listings()).toBe(1);

    fake.push('deliveryProgress', progress('ready', 100));
    expect(listings()).toBe(2);
    // A later report of the same ready clip lists nothing again.
    fake.push('deliveryProgress', progress('ready', 100));
    expect(listings()).toBe(2);
  });

  it('asks for a failed clip again through the contract', async () => {
    const fake = fakeApiClient({ retryDelivery: () => ({ retried: true }) });
    const store = createAppStore(fake.client);
    await store.getState().retryDelivery(REF);
    expect(fake.calls).toContainEqual({ name: 'retryDelivery', input: { clipRef: REF } });
  });
});
