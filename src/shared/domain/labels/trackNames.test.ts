import { describe, expect, it } from 'vitest';
import { newTrackLabel, rowDisplayName, trackDisplayName } from './trackNames';

const track = (id: string, kind: 'person' | 'left_hand', label: string) => ({ id, kind, label });

describe('track names', () => {
  it("names a new track by kind with the lowest free number, reusing a deleted track's", () => {
    const tracks = [track('a', 'person', 'Person 1'), track('c', 'person', 'Person 3')];
    expect(newTrackLabel('person', tracks)).toBe('Person 2');
    expect(newTrackLabel('left_hand', tracks)).toBe('Left hand 1');
  });

  it('shows the given label, else the kind and number among that kind, never the id', () => {
    const tracks = [
      track('9343e6a9-aaaa', 'person', ''),
      track('b', 'left_hand', ' '),
      track('c', 'person', 'Cook'),
      track('d', 'person', ''),
    ];
    expect(tracks.map((t) => trackDisplayName(t, tracks))).toEqual([
      'Person 1',
      'Left hand 1',
      'Cook',
      'Person 3',
    ]);
  });

  it('names timeline rows: the camera wearer, a person, or a row whose track is gone', () => {
    const tracks = [track('p', 'person', 'Person 1')];
    expect(rowDisplayName('camera_wearer', tracks)).toBe('Camera wearer');
    expect(rowDisplayName('p', tracks)).toBe('Person 1');
    expect(rowDisplayName('264e9cd3-gone', tracks)).toBe('Removed track');
  });
});
