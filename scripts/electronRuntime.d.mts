/** Path of the Electron binary, or null where it was not downloaded. */
export function electronBinary(): string | null;
/** better-sqlite3 built for the installed Electron's ABI, or null if it could not be built. */
export function electronSqliteBinding(): string | null;
