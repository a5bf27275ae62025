import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Framewise';

/**
 * The folder Electron's `app.getPath('userData')` returns for this app, computed without
 * Electron so the CLI and the loopback host open the same database as the desktop app.
 */
export function userDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (env.FRAMEWISE_DATA_DIR) return env.FRAMEWISE_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

/** The workstation database inside a data folder (`userDataDir()` unless --db names another). */
export function defaultDatabasePath(dataDir: string): string {
  return join(dataDir, 'framewise.sqlite');
}
