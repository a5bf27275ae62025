import { describe, expect, it } from 'vitest';
import { clipsToEvict, type StoredDelivery } from './deliveryQuota';

const clip = (clipRef: string, over: Partial<StoredDelivery> = {}): StoredDelivery => ({
  clipRef,
  sizeBytes: 100,
  assigned: false,
  open: false,
  unsentWork: false,
  lastUsedAt: 0,
  ...over,
});

describe('clipsToEvict', () => {
  it('evicts nothing under the quota', () => {
    expect(clipsToEvict([clip('a'), clip('b')], 200)).toEqual([]);
  });

  it('evicts the least recently used unassigned clips, only as many as needed', () => {
    const clips = [
      clip('new', { lastUsedAt: 30 }),
      clip('old', { lastUsedAt: 10 }),
      clip('mid', { lastUsedAt: 20 }),
    ];
    expect(clipsToEvict(clips, 150)).toEqual(['old', 'mid']);
    expect(clipsToEvict(clips, 250)).toEqual(['old']);
  });

  it('never evicts an assigned clip, an open one, or one with unsent work, even over quota', () => {
    const clips = [
      clip('assigned', { assigned: true }),
      clip('open', { open: true }),
      clip('unsent', { unsentWork: true }),
      clip('free', { lastUsedAt: 99 }),
    ];
    expect(clipsToEvict(clips, 0)).toEqual(['free']);
  });

  it('counts what must stay against the quota, and frees the rest as far as it can', () => {
    // 300 kept for work, 200 evictable, quota 350: both evictable clips go, and it is still over.
    const clips = [
      clip('draft', { sizeBytes: 300, unsentWork: true }),
      clip('a', { lastUsedAt: 1 }),
      clip('b', { lastUsedAt: 2 }),
    ];
    expect(clipsToEvict(clips, 350)).toEqual(['a', 'b']);
  });

  it('breaks a tie in last use by clip reference, so a repeat run evicts the same clip', () => {
    const clips = [clip('beta'), clip('alpha')];
    expect(clipsToEvict(clips, 150)).toEqual(['alpha']);
  });
});
