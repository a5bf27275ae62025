import type { Database } from 'better-sqlite3';
import type { ReadTx } from './db';

/**
 * A repository's prepared statements, handed out only for a transaction on the connection they
 * were prepared on: a `Tx` of another database would otherwise run them outside its transaction.
 */
export function statementsOn<S>(
  module: string,
  connection: Database,
  statements: S,
): (tx: ReadTx) => S {
  return (tx) => {
    if (tx.connection !== connection) {
      throw new Error(`A ${module} statement ran in a transaction of another connection`);
    }
    return statements;
  };
}
