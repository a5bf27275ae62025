import { describe, expect, it } from 'vitest';
import { answerRange, videoContentType } from './byteRange';

describe('answerRange', () => {
  it('serves the whole file without a Range header', () => {
    expect(answerRange(undefined, 100)).toEqual({ status: 200, start: 0, end: 99 });
  });
  it('serves an open-ended range to the end', () => {
    expect(answerRange('bytes=10-', 100)).toEqual({ status: 206, start: 10, end: 99 });
  });
  it('clamps a range that runs past the end', () => {
    expect(answerRange('bytes=90-200', 100)).toEqual({ status: 206, start: 90, end: 99 });
  });
  it('serves a suffix range from the end', () => {
    expect(answerRange('bytes=-10', 100)).toEqual({ status: 206, start: 90, end: 99 });
  });
  it('refuses a range starting past the end', () => {
    expect(answerRange('bytes=100-', 100)).toEqual({ status: 416 });
    expect(answerRange('bytes=5-2', 100)).toEqual({ status: 416 });
  });
  it('falls back to the whole file for multi-range requests', () => {
    expect(answerRange('bytes=0-1,5-6', 100)).toEqual({ status: 200, start: 0, end: 99 });
  });
});

describe('videoContentType', () => {
  it('serves QuickTime as mp4 so Chromium plays it', () => {
    expect(videoContentType('a/b/IMG_0001.MOV')).toBe('video/mp4');
    expect(videoContentType('x.webm')).toBe('video/webm');
  });
});
