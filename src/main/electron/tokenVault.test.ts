import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** safeStorage as the OS offers it: a keyring or not, and Linux's plain-text fallback. */
const keyring = vi.hoisted(() => ({ available: true, backend: 'gnome_libsecret' }));

vi.mock('electron', () => ({
  safeStorage: {
    isEncryptionAvailable: () => keyring.available,
    getSelectedStorageBackend: () => keyring.backend,
    // A stand-in cipher: what matters is that the file never holds the token as written.
    encryptString: (text: string) => Buffer.from(text, 'utf8').reverse(),
    decryptString: (data: Buffer) => Buffer.from(data).reverse().toString('utf8'),
  },
}));

const { createSafeStorageVault } = await import('./tokenVault');

describe('the sync token vault (Electron safeStorage)', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fw-vault-'));
    file = join(dir, 'sync-token.bin');
    keyring.available = true;
    keyring.backend = 'gnome_libsecret';
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves the token encrypted and reads it back', () => {
    const vault = createSafeStorageVault(file);
    expect(vault.unavailableReason()).toBeNull();
    vault.save('http://server:8787', 'fwt_secret_token_value');
    expect(readFileSync(file).toString('utf8')).not.toContain('fwt_secret_token_value');
    expect(vault.load()).toEqual({
      serverUrl: 'http://server:8787',
      token: 'fwt_secret_token_value',
    });
    vault.clear();
    expect(vault.load()).toBeNull();
  });

  it('refuses to store the token where no keyring can encrypt it, and says why', () => {
    keyring.available = false;
    const vault = createSafeStorageVault(file);
    expect(vault.unavailableReason()).toMatch(/No OS keyring/);
    expect(() => vault.save('http://server:8787', 'fwt_secret_token_value')).toThrow(
      expect.objectContaining({ code: 'NO_SECURE_STORAGE' }),
    );
    expect(existsSync(file)).toBe(false);
  });

  it("treats Linux's basic_text backend as no keyring (it is plain text in all but name)", () => {
    keyring.backend = 'basic_text';
    const vault = createSafeStorageVault(file);
    expect(vault.unavailableReason()).toMatch(/plain text/);
    expect(() => vault.save('http://server:8787', 'fwt_secret_token_value')).toThrow(
      expect.objectContaining({ code: 'NO_SECURE_STORAGE' }),
    );
    expect(existsSync(file)).toBe(false);
  });
});
