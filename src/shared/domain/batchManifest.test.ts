import { describe, expect, it } from 'vitest';
import { parseBatchManifest } from './batchManifest';

const valid = {
  version: 1,
  batchId: 'session-2026-11-03',
  contributor: { pseudonym: 'contrib_7f3a', region: 'PT' },
  captureDevice: { make: 'Apple', model: 'iPhone 14' },
  consent: { id: 'cns-19', scope: ['training'], grantedAt: '2026-10-01', expiresAt: '2027-10-01' },
  taskPrompts: ['Fold the laundry'],
  clips: [{ path: 'clips/a.mp4', sha256: 'a'.repeat(64), task: 'fold' }],
};

function messageFor(value: unknown): string {
  const result = parseBatchManifest(JSON.stringify(value));
  if (result.ok) throw new Error('expected the manifest to be rejected');
  return result.message;
}

describe('parseBatchManifest', () => {
  it('accepts a complete version 1 manifest and fills defaults', () => {
    const result = parseBatchManifest(JSON.stringify(valid));
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.manifest.consent?.withdrawn).toBe(false);
      expect(result.manifest.clips[0]?.path).toBe('clips/a.mp4');
    }
  });

  it('rejects text that is not JSON, saying so', () => {
    const result = parseBatchManifest('{ "version": 1,');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/not valid JSON/);
  });

  it('refuses an unknown version instead of guessing', () => {
    expect(messageFor({ ...valid, version: 2 })).toMatch(/version: 2 is not supported/);
    expect(messageFor({ ...valid, version: '1' })).toMatch(/version: "1" is not supported/);
  });

  it('names the field whose type is wrong', () => {
    expect(messageFor({ ...valid, batchId: 42 })).toMatch(/^batch\.json is invalid: batchId:/);
    expect(messageFor({ ...valid, consent: { ...valid.consent, grantedAt: 'yesterday' } })).toMatch(
      /consent\.grantedAt: must be a date/,
    );
  });

  it('names unknown fields rather than dropping them silently', () => {
    expect(messageFor({ ...valid, contributer: 'typo' })).toMatch(/unknown field "contributer"/);
  });

  it.each([
    ['../outside.mp4', /clips\[0\]\.path: must stay inside/],
    ['clips/../../etc/passwd', /clips\[0\]\.path: must stay inside/],
    ['/etc/passwd', /clips\[0\]\.path: must be relative/],
    ['C:/Users/x.mp4', /clips\[0\]\.path: must be relative/],
    ['clips\\a.mp4', /clips\[0\]\.path: must use forward slashes/],
  ])('rejects the clip path %s', (path, pattern) => {
    expect(messageFor({ ...valid, clips: [{ path }] })).toMatch(pattern);
  });

  it('rejects a real name where a pseudonym belongs', () => {
    expect(
      messageFor({ ...valid, contributor: { pseudonym: 'Maria Silva', region: 'PT' } }),
    ).toMatch(/contributor\.pseudonym: must be a pseudonym/);
  });

  it('rejects a clip listed twice', () => {
    expect(messageFor({ ...valid, clips: [{ path: 'a.mp4' }, { path: './a.mp4' }] })).toMatch(
      /clips\[1\]\.path: "\.\/a\.mp4" is listed twice/,
    );
  });
});
