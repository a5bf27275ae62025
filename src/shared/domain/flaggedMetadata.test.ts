import { describe, expect, it } from 'vitest';
import { flaggedFieldOfKey } from './flaggedMetadata';

describe('flaggedFieldOfKey', () => {
  it.each([
    ['com.apple.quicktime.make', 'make'],
    ['com.apple.quicktime.model', 'model'],
    ['com.apple.quicktime.location.ISO6709', 'location'],
    ['com.apple.quicktime.creationdate', 'creationTime'],
    ['com.android.manufacturer', 'make'],
    ['com.android.model', 'model'],
    ['com.samsung.android.model', 'model'],
    ['make', 'make'],
    ['MODEL', 'model'],
    ['location', 'location'],
    ['location-eng', 'location'],
    ['creation_time', 'creationTime'],
    ['DATE_RECORDED', 'creationTime'],
  ])('flags %s as %s', (key, field) => {
    expect(flaggedFieldOfKey(key)).toBe(field);
  });

  it.each(['encoder', 'com.android.version', 'com.android.capture.fps', 'handler_name', 'title'])(
    'leaves %s alone',
    (key) => {
      expect(flaggedFieldOfKey(key)).toBeNull();
    },
  );
});
