import type { Node } from '@pgsql/types';
import type { Statement } from './statements.js';

/**
 * Why a PostgreSQL statement cannot run inside a transaction block, or undefined when it
 * can. From the parse tree, like Flyway does: such a file then runs statement by statement
 * outside a transaction, without needing the `-- runbook:no-transaction` marker.
 */
export function nonTransactionalReason(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if ('IndexStmt' in node && node.IndexStmt.concurrent) return 'CREATE INDEX CONCURRENTLY';
  if ('DropStmt' in node && node.DropStmt.concurrent) return 'DROP INDEX CONCURRENTLY';
  if ('ReindexStmt' in node) {
    const params = node.ReindexStmt.params ?? [];
    const concurrently = params.some(
      (p) => 'DefElem' in p && p.DefElem.defname?.toLowerCase() === 'concurrently',
    );
    if (concurrently) return 'REINDEX CONCURRENTLY';
    if (
      node.ReindexStmt.kind === 'REINDEX_OBJECT_SYSTEM' ||
      node.ReindexStmt.kind === 'REINDEX_OBJECT_DATABASE'
    )
      return 'REINDEX SYSTEM/DATABASE';
  }
  if ('VacuumStmt' in node) return node.VacuumStmt.is_vacuumcmd ? 'VACUUM' : undefined;
  if ('CreatedbStmt' in node) return 'CREATE DATABASE';
  if ('DropdbStmt' in node) return 'DROP DATABASE';
  if ('AlterSystemStmt' in node) return 'ALTER SYSTEM';
  if ('CreateTableSpaceStmt' in node) return 'CREATE TABLESPACE';
  if ('DropTableSpaceStmt' in node) return 'DROP TABLESPACE';
  if ('CreateSubscriptionStmt' in node) return 'CREATE SUBSCRIPTION';
  return undefined;
}

/** Statements that need no transaction either way: settings, comments on nothing. */
function isNeutral(node: Node | undefined): boolean {
  return node !== undefined && ('VariableSetStmt' in node || 'VariableShowStmt' in node);
}

export interface TransactionNeeds {
  /** the first statement that cannot run in a transaction */
  nonTransactional?: { statement: Statement; reason: string };
  /** the first statement that could (and should) have run in one */
  transactional?: Statement;
}

export function transactionNeeds(statements: readonly Statement[]): TransactionNeeds {
  const out: TransactionNeeds = {};
  for (const s of statements) {
    const reason = nonTransactionalReason(s.node);
    if (reason) out.nonTransactional ??= { statement: s, reason };
    else if (!isNeutral(s.node)) out.transactional ??= s;
  }
  return out;
}

/**
 * A cheap gate before loading the parser: only text mentioning one of these words can hold
 * a statement that cannot run in a transaction. The decision itself is the parser's.
 */
export function mayNeedNoTransaction(sql: string): boolean {
  return /\b(concurrently|vacuum|database|system|tablespace|subscription)\b/i.test(sql);
}
