import { describe, expect, test } from '@jest/globals';
import {
  lintSources,
  parseLintRules,
  RULES,
  type LintConfig,
} from '../../src/migrations/lint/index.js';

/** The rule ids and lines found in one file (other rules left out when `only` is given). */
async function found(
  sql: string,
  only?: string,
  config?: LintConfig,
): Promise<Array<[string, number]>> {
  const findings = await lintSources([{ file: 'm.sql', sql }], config);
  return findings
    .filter((f) => only === undefined || f.rule === only)
    .map((f): [string, number] => [f.rule, f.line]);
}

// a migration that sets lock_timeout first, so require-timeout-settings stays out of the way
const T = "SET lock_timeout = '5s';\n";

/** [rule, flagged SQL (line 2 after T), near misses that must not be flagged] */
const CASES: Array<[string, string, string[]]> = [
  [
    'require-concurrent-index-creation',
    'CREATE INDEX orders_user ON orders (user_id);',
    [
      'CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);',
      'CREATE TABLE orders (user_id int);\nCREATE INDEX orders_user ON orders (user_id);',
    ],
  ],
  [
    'require-concurrent-index-deletion',
    'DROP INDEX orders_user;',
    ['DROP INDEX CONCURRENTLY orders_user;'],
  ],
  [
    'adding-required-field',
    'ALTER TABLE users ADD COLUMN plan text NOT NULL;',
    [
      "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",
      'ALTER TABLE users ADD COLUMN plan text;',
      'CREATE TABLE users (id bigint);\nALTER TABLE users ADD COLUMN plan text NOT NULL;',
    ],
  ],
  [
    'adding-field-with-default',
    'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
    [
      "ALTER TABLE users ADD COLUMN plan text DEFAULT 'free';",
      'ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();',
    ],
  ],
  [
    'changing-column-type',
    'ALTER TABLE users ALTER COLUMN age TYPE bigint;',
    ['ALTER TABLE users ALTER COLUMN name TYPE text;'],
  ],
  [
    'adding-foreign-key-constraint',
    'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
    [
      'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
    ],
  ],
  [
    'constraint-missing-not-valid',
    'ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0);',
    [
      'ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT positive;',
    ],
  ],
  [
    'disallowed-unique-constraint',
    'ALTER TABLE users ADD CONSTRAINT users_email UNIQUE (email);',
    ['ALTER TABLE users ADD CONSTRAINT users_email UNIQUE USING INDEX users_email_idx;'],
  ],
  [
    'renaming-column',
    'ALTER TABLE users RENAME COLUMN name TO full_name;',
    ['CREATE TABLE users (name text);\nALTER TABLE users RENAME COLUMN name TO full_name;'],
  ],
  [
    'renaming-table',
    'ALTER TABLE users RENAME TO customers;',
    ['ALTER INDEX users_pkey RENAME TO customers_pkey;'],
  ],
  [
    'ban-drop-column',
    'ALTER TABLE users DROP COLUMN legacy;',
    ['CREATE TABLE users (legacy int);\nALTER TABLE users DROP COLUMN legacy;'],
  ],
  ['ban-drop-table', 'DROP TABLE users;', ['CREATE TABLE scratch (x int);\nDROP TABLE scratch;']],
  ['ban-drop-database', 'DROP DATABASE shop;', ['DROP SCHEMA old CASCADE;']],
  [
    'adding-serial-primary-key-field',
    'ALTER TABLE events ADD COLUMN id bigserial PRIMARY KEY;',
    ['ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_idx;'],
  ],
  [
    'prefer-bigint-over-int',
    'CREATE TABLE accounts (id serial PRIMARY KEY, n int);',
    [
      'CREATE TABLE accounts (id bigserial PRIMARY KEY, n int);',
      'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);',
    ],
  ],
  [
    'prefer-text-field',
    'CREATE TABLE notes (body varchar(200));',
    ['CREATE TABLE notes (body text);', 'CREATE TABLE notes (body varchar);'],
  ],
  [
    'prefer-timestamptz',
    'CREATE TABLE notes (at timestamp);',
    ['CREATE TABLE notes (at timestamptz);', 'CREATE TABLE notes (at timestamp with time zone);'],
  ],
  [
    'ban-concurrent-index-creation-in-transaction',
    'BEGIN;\nCREATE INDEX CONCURRENTLY users_email ON users (email);\nCOMMIT;',
    ['CREATE INDEX CONCURRENTLY users_email ON users (email);'],
  ],
];

describe('lint rules: flagged at the right line, near misses not flagged', () => {
  test('every rule has a case', () => {
    const covered = new Set([...CASES.map((c) => c[0]), 'require-timeout-settings']);
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  test.each(CASES)('%s', async (rule, flagged, misses) => {
    const line = rule === 'ban-concurrent-index-creation-in-transaction' ? 3 : 2;
    expect(await found(`${T}${flagged}\n`, rule)).toEqual([[rule, line]]);
    for (const miss of misses) expect(await found(`${T}${miss}\n`, rule)).toEqual([]);
  });

  test('require-timeout-settings: once, at the first locking statement, unless lock_timeout is set', async () => {
    const sql =
      'CREATE TABLE fresh (id bigint);\nCREATE INDEX fresh_id ON fresh (id);\nALTER TABLE users ADD COLUMN bio text;\nALTER TABLE users ADD COLUMN age bigint;\n';
    expect(await found(sql, 'require-timeout-settings')).toEqual([['require-timeout-settings', 3]]);
    expect(await found(`${T}${sql}`, 'require-timeout-settings')).toEqual([]);
    expect(await found(`SET lock_timeout = 0;\n${sql}`, 'require-timeout-settings')).toEqual([
      ['require-timeout-settings', 4],
    ]);
  });

  test('a suppression comment silences that rule on that statement only', async () => {
    const sql = [
      T.trim(),
      '-- runbook:ignore require-concurrent-index-creation the table is empty in production',
      'CREATE INDEX a_x ON a (x);',
      'CREATE INDEX b_x ON b (x);',
      '',
    ].join('\n');
    expect(await found(sql)).toEqual([['require-concurrent-index-creation', 4]]);
  });

  test('lint-rules turns rules off or changes their severity; lint: warning makes all warnings', async () => {
    const sql = `${T}CREATE INDEX a_x ON a (x);\nCREATE TABLE n (body varchar(9));\n`;
    const rules = parseLintRules(
      'prefer-text-field: off\nrequire-concurrent-index-creation: warning',
    );
    if (typeof rules === 'string') throw new Error(rules);
    const f = await lintSources([{ file: 'm.sql', sql }], { mode: 'error', rules });
    expect(f.map((x) => [x.rule, x.severity])).toEqual([
      ['require-concurrent-index-creation', 'warning'],
    ]);
    const w = await lintSources([{ file: 'm.sql', sql }], { mode: 'warning', rules: {} });
    expect(w.map((x) => x.severity)).toEqual(['warning', 'warning']);
    expect(await lintSources([{ file: 'm.sql', sql }], { mode: 'off', rules: {} })).toEqual([]);
    expect(parseLintRules('no-such-rule: off')).toMatch(/'no-such-rule' is not a lint rule/);
    expect(parseLintRules('prefer-text-field off')).toMatch(
      /is not <rule-id>: off \| warning \| error/,
    );
  });

  test('an unparsable file: one parse-error finding naming the file and line', async () => {
    const f = await lintSources([
      { file: 'migrations/0002_bad.sql', sql: 'SELECT 1;\nALTER TABLE users ADD COLUMN;\n' },
    ]);
    expect(f).toEqual([
      expect.objectContaining({
        rule: 'parse-error',
        severity: 'error',
        file: 'migrations/0002_bad.sql',
        line: 2,
        why: expect.stringMatching(
          /^migrations\/0002_bad\.sql: line 2: cannot parse: syntax error at or near ";"/,
        ),
      }),
    ]);
  });
});
