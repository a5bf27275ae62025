import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { safeStorage } from 'electron';
import { SyncError } from '../services/sync/serverApi';
import type { TokenVault } from '../services/sync/syncService';

/**
 * The sync token, encrypted with the OS keyring through Electron's safeStorage, in one file
 * beside the database. Where no keyring can protect it (safeStorage unavailable, or Linux
 * falling back to its 'basic_text' backend, which is plain text in all but name) nothing is
 * written: the token stays in memory for this session and the settings screen says why.
 */
export function createSafeStorageVault(file: string): TokenVault {
  const unavailableReason = (): string | null => {
    if (!safeStorage.isEncryptionAvailable()) {
      return 'No OS keyring is available, so the token is not saved: sign in again after a restart.';
    }
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return 'No keyring (GNOME Keyring or KWallet) is running, so the token would be stored in plain text; it is kept for this session only.';
    }
    return null;
  };
  return {
    unavailableReason,
    save(serverUrl, token) {
      const reason = unavailableReason();
      if (reason !== null) throw new SyncError('NO_SECURE_STORAGE', reason);
      const sealed = safeStorage.encryptString(JSON.stringify({ serverUrl, token }));
      writeFileSync(file, sealed, { mode: 0o600 });
    },
    load() {
      if (!existsSync(file) || unavailableReason() !== null) return null;
      const parsed = JSON.parse(safeStorage.decryptString(readFileSync(file))) as {
        serverUrl?: unknown;
        token?: unknown;
      };
      if (typeof parsed.serverUrl !== 'string' || typeof parsed.token !== 'string') return null;
      return { serverUrl: parsed.serverUrl, token: parsed.token };
    },
    clear() {
      rmSync(file, { force: true });
    },
  };
}
