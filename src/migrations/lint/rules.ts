/**
 * The PostgreSQL migration lint rules. Ids follow Squawk's where a rule matches one of
 * theirs, so a team moving between the two can map its suppressions.
 */
export type Severity = 'error' | 'warning';

export interface LintRule {
  id: string;
  severity: Severity;
  /** one paragraph: what goes wrong in production */
  why: string;
  /** the safe alternative */
  fix: string;
}

const rule = (id: string, severity: Severity, why: string, fix: string): LintRule => ({
  id,
  severity,
  why,
  fix,
});

export const RULES: readonly LintRule[] = [
  rule(
    'require-concurrent-index-creation',
    'error',
    'CREATE INDEX without CONCURRENTLY takes a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits, for minutes on a large table.',
    'CREATE INDEX CONCURRENTLY (the sql tool runs such a file outside a transaction by itself).',
  ),
  rule(
    'require-concurrent-index-deletion',
    'error',
    'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table: reads and writes wait behind it, and behind any long query it waits for.',
    'DROP INDEX CONCURRENTLY.',
  ),
  rule(
    'adding-required-field',
    'error',
    'Adding a NOT NULL column without a default fails on a table that has rows, and the deploy stops half-way.',
    'Add the column nullable (or with a non-volatile DEFAULT), backfill it, then SET NOT NULL after a validated CHECK (col IS NOT NULL) NOT VALID constraint.',
  ),
  rule(
    'adding-field-with-default',
    'error',
    'Since PostgreSQL 11 a constant default is free, but a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval()) or a stored generated column rewrites the whole table under an ACCESS EXCLUSIVE lock.',
    'Add the column without the default, set the default for new rows with ALTER COLUMN SET DEFAULT, and backfill existing rows in batches.',
  ),
  rule(
    'changing-column-type',
    'error',
    'ALTER COLUMN TYPE usually rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock: the table is unavailable for the whole rewrite.',
    'Add a new column of the new type, backfill it in batches, switch the application over, then drop the old column.',
  ),
  rule(
    'adding-foreign-key-constraint',
    'error',
    'Adding a foreign key validates every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: writes to both wait for the full scan.',
    'ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT in a later migration (it takes a weaker lock).',
  ),
  rule(
    'constraint-missing-not-valid',
    'error',
    'Adding a CHECK constraint scans the whole table under an ACCESS EXCLUSIVE lock to validate existing rows.',
    'ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT in a later migration.',
  ),
  rule(
    'disallowed-unique-constraint',
    'error',
    'ADD CONSTRAINT … UNIQUE builds its index under an ACCESS EXCLUSIVE lock: the table is blocked for the whole build.',
    'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … UNIQUE USING INDEX.',
  ),
  rule(
    'renaming-column',
    'warning',
    'Renaming a column breaks every running instance of the application that still uses the old name, between the migration and the deploy.',
    'Add the new column, write to both, backfill, switch reads, then drop the old one (or keep the old name).',
  ),
  rule(
    'renaming-table',
    'warning',
    'Renaming a table breaks every running instance of the application that still uses the old name.',
    'Create the new table (or a view with the new name), migrate the application, then drop the old name.',
  ),
  rule(
    'ban-drop-column',
    'warning',
    'Dropping a column loses its data for good, and the running application may still read it.',
    'Stop using the column in the application first; drop it in a later release once the backup has it.',
  ),
  rule(
    'ban-drop-table',
    'warning',
    'Dropping a table loses its data for good, and the running application may still use it.',
    'Stop using the table first; drop it in a later release (or rename it aside) once the backup has it.',
  ),
  rule(
    'ban-drop-database',
    'error',
    'DROP DATABASE in a migration destroys everything in it.',
    'Do not drop databases from migrations.',
  ),
  rule(
    'adding-serial-primary-key-field',
    'error',
    'Adding a primary key to an existing table builds its unique index (and, for a serial column, rewrites the table) under an ACCESS EXCLUSIVE lock.',
    'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … PRIMARY KEY USING INDEX.',
  ),
  rule(
    'prefer-bigint-over-int',
    'warning',
    'A 32-bit integer primary key runs out at 2,147,483,647; changing its type later rewrites the table and every table referencing it.',
    'Use bigint (bigserial, or bigint GENERATED ALWAYS AS IDENTITY) for new primary keys.',
  ),
  rule(
    'prefer-text-field',
    'warning',
    'A varchar(n) limit can only be raised with an ALTER TABLE that takes an ACCESS EXCLUSIVE lock; text with a CHECK constraint is as fast and can be changed safely.',
    'Use text, with a CHECK (length(col) <= n) constraint if a limit is needed.',
  ),
  rule(
    'prefer-timestamptz',
    'warning',
    'timestamp without time zone stores the wall-clock time with no zone, so values written from servers or sessions in different zones cannot be compared.',
    'Use timestamptz (timestamp with time zone).',
  ),
  rule(
    'ban-concurrent-index-creation-in-transaction',
    'error',
    'CREATE INDEX CONCURRENTLY cannot run inside a transaction block: the migration fails at that statement.',
    'Run it outside a transaction: a file of its own (the sql tool does this by itself), atomic = False in Django, an autocommit block in Alembic.',
  ),
  rule(
    'require-timeout-settings',
    'warning',
    'A statement that needs a strong lock queues behind any long-running query, and every later query on the table queues behind it: without lock_timeout a migration can stall the whole application.',
    "SET lock_timeout = '5s' (and a statement_timeout) at the start of the migration, and retry on timeout.",
  ),
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

export function ruleById(id: string): LintRule | undefined {
  return RULES.find((r) => r.id === id);
}
