import type { Engine as DbEngine } from '../../db/manifest.js';
import type { Finding } from '../types.js';
import type { SqlMigration } from './files.js';
import { splitStatements, SqlParseError } from './statements.js';
import { mayNeedNoTransaction, transactionNeeds } from './transactions.js';

/**
 * check's PostgreSQL pass: a file that mixes statements which cannot run in a transaction
 * with transactional DDL runs outside a transaction, so a failure half-way leaves the DDL
 * before it applied and the file unrecorded. Such a file should be split in two.
 */
export async function transactionFindings(
  engine: DbEngine,
  migrations: readonly SqlMigration[],
): Promise<Finding[]> {
  if (engine !== 'postgres') return [];
  const findings: Finding[] = [];
  for (const m of migrations) {
    if (m.sectionError || !mayNeedNoTransaction(m.sql)) continue;
    try {
      const needs = transactionNeeds(await splitStatements(m.sql, 'postgres', m.file));
      if (needs.nonTransactional && needs.transactional) {
        findings.push({
          code: 'mixed-transaction',
          message: `${m.file} mixes ${needs.nonTransactional.reason} (line ${needs.nonTransactional.statement.line}), which cannot run in a transaction, with transactional statements (line ${needs.transactional.line}); the whole file would run outside a transaction. Move the ${needs.nonTransactional.reason} into a file of its own.`,
        });
      }
    } catch (err) {
      // an unparsable file is the linter's finding, and the server's error on apply
      if (!(err instanceof SqlParseError)) throw err;
    }
  }
  return findings;
}
