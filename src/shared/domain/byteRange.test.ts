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
  it('refuses a range starting past the end, or ending before it starts', () => {
    expect(answerRange('bytes=100-', 100)).toMatchObject({ status: 416, reason: /past the end/ });
    expect(answerRange('bytes=5-2', 100)).toMatchObject({ status: 416, reason: /ends before/ });
    expect(answerRange('bytes=99999999999999999999-', 100)).toMatchObject({ status: 416 });
  });
  it('refuses malformed and negative ranges with what is wrong with them', () => {
    for (const header of [
      'bytes=abc',
      'bytes=-',
      'bytes=',
      'bytes=-5-10',
      'bytes=1-2-3',
      'bytes=0x10-',
      'bytes= 1 - 2',
      '0-10',
    ]) {
      expect(answerRange(header, 100), header).toMatchObject({ status: 416 });
    }
    expect(answerRange('bytes=-0', 100)).toMatchObject({ status: 416, reason: /last 0 bytes/ });
    expect(answerRange('bytes=\u0000-1', 100)).toMatchObject({ status: 416, reason: /"\?-1"/ });
  });
  it('serves huge ends and suffixes as the whole rest of the file', () => {
    expect(answerRange('bytes=0-99999999999999999999', 100)).toEqual({
      status: 206,
      start: 0,
      end: 99,
    });
    expect(answerRange('bytes=-99999999999999999999', 100)).toEqual({
      status: 206,
      start: 0,
      end: 99,
    });
  });
  it('serves the whole file for separate ranges, refuses overlapping or too many', () => {
    expect(answerRange('bytes=0-1,5-6', 100)).toEqual({ status: 200, start: 0, end: 99 });
    expect(answerRange('bytes=0-10,5-15', 100)).toMatchObject({
      status: 416,
      reason: /overlapping/,
    });
    expect(answerRange('bytes=0-,0-,0-', 100)).toMatchObject({
      status: 416,
      reason: /overlapping/,
    });
    const many = `bytes=${Array.from({ length: 17 }, (_, i) => `${i * 2}-${i * 2}`).join(',')}`;
    expect(answerRange(many, 100)).toMatchObject({ status: 416, reason: /17 ranges/ });
  });
  it('ignores another unit than bytes', () => {
    expect(answerRange('items=0-5', 100)).toEqual({ status: 200, start: 0, end: 99 });
  });
});

describe('videoContentType', () => {
  it('serves QuickTime as mp4 so Chromium plays it', () => {
    expect(videoContentType('a/b/IMG_0001.MOV')).toBe('video/mp4');
    expect(videoContentType('x.webm')).toBe('video/webm');
  });
});
