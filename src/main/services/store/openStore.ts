import { openDatabase, type OpenDatabaseOptions } from '../db/openDatabase';
import { SqliteStore } from './sqliteStore';
import type { Store } from './Store';

export type OpenStoreOptions = OpenDatabaseOptions;

export function openStore(filePath: string, options: OpenStoreOptions = {}): Store {
  return new SqliteStore(openDatabase(filePath, options));
}
