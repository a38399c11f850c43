import { UserError, errorMessage } from '../../kit/errors.js';
import { redact } from '../../kit/secrets.js';
import type { SqlDriver } from './driver.js';
import { splitStatements, SqlParseError, type Statement } from './statements.js';
import { mayNeedNoTransaction, transactionNeeds } from './transactions.js';

/** How one file (or section) runs. */
export interface FilePlan {
  /** one transaction around the whole text (and its tracking row) */
  transaction: boolean;
  /** outside a transaction: the statements, run one by one */
  statements?: Statement[];
  /** why it runs outside a transaction */
  reason?: string;
}

/** A file run outside a transaction failed or stopped part-way: the message says what ran. */
export class PartialFileError extends UserError {
  /** stopped by a cancellation rather than by a failing statement */
  readonly cancelled: boolean;
  constructor(message: string, cancelled: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PartialFileError';
    this.cancelled = cancelled;
  }
}

/** Thrown at a checkpoint after the run was cancelled (SIGINT/SIGTERM). */
export class CancelledError extends UserError {
  constructor(signal: AbortSignal) {
    super(`cancelled (${String(signal.reason ?? 'signal')})`);
    this.name = 'CancelledError';
  }
}

/**
 * Decides whether a file runs in a transaction. `marker`: `-- runbook:no-transaction` or
 * dbmate's `transaction:false`. On PostgreSQL a file holding a statement that cannot run in a
 * transaction (CREATE INDEX CONCURRENTLY, VACUUM, ...) runs outside one without the marker.
 */
export async function planFile(
  driver: SqlDriver,
  sql: string,
  file: string,
  marker: boolean,
): Promise<FilePlan> {
  if (driver.engine === 'postgres') {
    if (!marker && !mayNeedNoTransaction(sql)) return { transaction: true };
    let statements: Statement[];
    try {
      statements = await splitStatements(sql, 'postgres', file);
    } catch (err) {
      // without the marker the server itself is the judge of a file the parser refuses
      if (!marker && err instanceof SqlParseError) return { transaction: true };
      throw err;
    }
    if (marker) return { transaction: false, statements, reason: 'no-transaction marker' };
    const needs = transactionNeeds(statements);
    if (!needs.nonTransactional) return { transaction: true };
    return {
      transaction: false,
      statements,
      reason: `${needs.nonTransactional.reason} (line ${needs.nonTransactional.statement.line}) cannot run in a transaction`,
    };
  }
  if (!marker) return { transaction: true };
  return {
    transaction: false,
    statements: await splitStatements(sql, driver.engine, file),
    reason: 'no-transaction marker',
  };
}

/** Lets pending signal handlers run, then stops when the run was cancelled. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new CancelledError(signal);
}

function describeStatement(s: Statement, i: number): string {
  const head = s.text.replace(/\s+/g, ' ').slice(0, 60);
  return `#${i + 1} (line ${s.line}: ${head}${s.text.length > 60 ? '…' : ''})`;
}

/**
 * Runs a file's text as planned, then `record` (the tracking row). In a transaction, any
 * failure or a cancellation rolls everything back. Outside one, statements run one by one
 * and a failure says which ran and which did not.
 */
export async function executeFile(
  driver: SqlDriver,
  plan: FilePlan,
  sql: string,
  file: string,
  record: () => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  // a signal while a statement runs interrupts it on the server (pg_cancel_backend, KILL QUERY)
  const interrupt = (): void => void driver.interrupt().catch(() => undefined);
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    if (plan.transaction) await inTransaction(driver, sql, file, record, signal);
    else await oneByOne(driver, plan.statements ?? [], file, record, signal);
  } finally {
    signal?.removeEventListener('abort', interrupt);
  }
}

async function inTransaction(
  driver: SqlDriver,
  sql: string,
  file: string,
  record: () => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  await checkpoint(signal);
  await driver.begin();
  try {
    await driver.execScript(sql);
    await record();
    await checkpoint(signal);
    await driver.commit();
  } catch (err) {
    await driver.rollback().catch(() => undefined);
    if (signal?.aborted) throw new CancelledError(signal);
    const line = driver.errorLine(err, sql);
    throw new UserError(`${redact(errorMessage(err))}${line ? ` (line ${line})` : ''}`, {
      cause: err,
    });
  }
}

async function oneByOne(
  driver: SqlDriver,
  statements: readonly Statement[],
  file: string,
  record: () => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const ran: string[] = [];
  const notRun = (from: number): string =>
    statements.length > from
      ? ` Not run: ${statements
          .slice(from)
          .map((s, k) => describeStatement(s, from + k))
          .join(', ')}.`
      : '';
  const ranText = (): string =>
    ran.length ? ` Ran (not undone): ${ran.join(', ')}.` : ' No statement of it ran.';
  for (const [i, s] of statements.entries()) {
    if (signal?.aborted) {
      throw new PartialFileError(
        `${file} was stopped before statement ${describeStatement(s, i)} (outside a transaction).${ranText()}${notRun(i)}`,
        true,
      );
    }
    try {
      await driver.execScript(s.text);
    } catch (err) {
      const inner = driver.errorLine(err, s.text);
      const line = inner ? s.line + inner - 1 : s.line;
      const why = signal?.aborted ? 'was cancelled' : `failed: ${redact(errorMessage(err))}`;
      throw new PartialFileError(
        `${file} line ${line}: statement ${describeStatement(s, i)} ${why}. The file ran outside a transaction and is not recorded as applied.${ranText()}${notRun(i + 1)} Undo what ran, or make its statements idempotent (IF NOT EXISTS), before running it again.`,
        signal?.aborted === true,
        { cause: err },
      );
    }
    ran.push(describeStatement(s, i));
  }
  await record();
}
