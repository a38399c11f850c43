import { describe, expect, test } from '@jest/globals';
import { checkSqlMigrations, pendingMigrations } from '../../src/migrations/sql/check.js';
import {
  classifyListing,
  dbmateSections,
  sha256Of,
  type SqlMigration,
} from '../../src/migrations/sql/files.js';
import {
  classifyFileName,
  compareVersions,
  detectLayout,
} from '../../src/migrations/sql/layouts.js';
import { splitGeneric, splitPostgres, SqlParseError } from '../../src/migrations/sql/statements.js';
import { transactionNeeds } from '../../src/migrations/sql/transactions.js';

describe('layouts: file names', () => {
  test('golang-migrate: .up.sql names are stored without .up', () => {
    expect(classifyFileName('1_init_schema.up.sql', 'golang-migrate')).toEqual({
      kind: 'up',
      version: '1',
      name: 'init_schema',
      file: '1_init_schema.up.sql',
    });
    expect(classifyFileName('1_init_schema.down.sql', 'golang-migrate')).toMatchObject({
      kind: 'down',
      version: '1',
    });
    // golang-migrate has no bare <version>_<name>.sql
    expect(classifyFileName('2_x.sql', 'golang-migrate')).toBe('invalid');
    // the runbook layout accepts the suffix too, with the same stored name
    expect(classifyFileName('3_x.up.sql', 'runbook')).toMatchObject({ kind: 'up', name: 'x' });
  });

  test('flyway: V, U and R__ files; underscores in versions are dots', () => {
    expect(classifyFileName('V1__init.sql', 'flyway')).toMatchObject({
      kind: 'up',
      version: '1',
      name: 'init',
    });
    expect(classifyFileName('V1_1__add_x.sql', 'flyway')).toMatchObject({
      kind: 'up',
      version: '1.1',
      name: 'add_x',
    });
    expect(classifyFileName('U1.1__add_x.sql', 'flyway')).toMatchObject({
      kind: 'down',
      version: '1.1',
    });
    expect(classifyFileName('R__views.sql', 'flyway')).toMatchObject({
      kind: 'repeatable',
      name: 'views',
    });
    expect(classifyFileName('V1_init.sql', 'flyway')).toBe('invalid');
    expect(classifyFileName('0001_init.sql', 'flyway')).toBe('invalid');
  });

  test('versions compare part by part: V1.10 sorts after V1.9, 1.0 equals 1', () => {
    expect(compareVersions('1.10', '1.9')).toBe(1);
    expect(compareVersions('1.9', '1.10')).toBe(-1);
    expect(compareVersions('1.0', '1')).toBe(0);
    expect(compareVersions('2', '1.99')).toBe(1);
    const s = classifyListing(
      ['V1.10__ten.sql', 'V1.9__nine.sql', 'V1__one.sql', 'V1.2__two.sql', 'R__views.sql'],
      'flyway',
    );
    expect(s.ups.map((u) => u.file)).toEqual([
      'V1__one.sql',
      'V1.2__two.sql',
      'V1.9__nine.sql',
      'V1.10__ten.sql',
    ]);
    expect(s.repeatables.map((r) => r.file)).toEqual(['R__views.sql']);
  });

  test('detection: flyway, golang-migrate, dbmate (from the markers), else runbook', () => {
    const text = (markers: boolean) => () => (markers ? '-- migrate:up\nSELECT 1;\n' : 'SELECT 1;');
    expect(detectLayout(['V1__a.sql'], text(false))).toBe('flyway');
    expect(detectLayout(['1_a.up.sql', '1_a.down.sql'], text(false))).toBe('golang-migrate');
    expect(detectLayout(['20240101_a.sql'], text(true))).toBe('dbmate');
    expect(detectLayout(['0001_a.sql', '0001_a.down.sql'], text(false))).toBe('runbook');
  });

  test('a directory mixing layouts: check names the files that do not fit the detected one', () => {
    const s = classifyListing(['V1__a.sql', '0002_b.sql'], 'flyway');
    const findings = checkSqlMigrations(s, [], []);
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'bad-name',
        message: expect.stringMatching(/^0002_b\.sql .*flyway/),
      }),
    ]);
  });
});

describe('dbmate sections', () => {
  const file = [
    '-- migrate:up transaction:false',
    'CREATE TABLE a (id int);',
    '',
    '-- migrate:down',
    'DROP TABLE a;',
    '',
  ].join('\n');

  test('the up section never holds the down section; lines keep their numbers', () => {
    const s = dbmateSections(file);
    if (typeof s === 'string') throw new Error(s);
    expect(s.up).not.toContain('DROP TABLE');
    expect(s.up.split('\n')[1]).toBe('CREATE TABLE a (id int);');
    expect(s.down?.split('\n')[4]).toBe('DROP TABLE a;');
    expect(s.down).not.toContain('CREATE TABLE');
    expect(s.upNoTransaction).toBe(true);
    expect(s.downNoTransaction).toBe(false);
  });

  test('markers out of order or doubled: an error, so the file never runs', () => {
    expect(dbmateSections('-- migrate:down\nDROP TABLE a;\n')).toMatch(/0 '-- migrate:up' markers/);
    expect(dbmateSections('-- migrate:down\nx;\n-- migrate:up\ny;\n')).toMatch(/before/);
    expect(dbmateSections('-- migrate:up\nx;\n-- migrate:up\ny;\n')).toMatch(/2 '-- migrate:up'/);
  });

  test('an empty down section counts as no down section', () => {
    const s = dbmateSections(
      '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\n-- nothing\n',
    );
    expect(typeof s === 'string' ? s : s.down).toBeUndefined();
  });
});

describe('repeatable migrations', () => {
  const mig = (version: string, sql: string, repeatable = false): SqlMigration => ({
    version,
    name: version,
    file: repeatable ? `${version}.sql` : `V${version}__x.sql`,
    sha256: sha256Of(sql),
    sql,
    repeatable,
  });

  test('run after the versioned ones, and again only when their checksum changes', () => {
    const v1 = mig('1', 'CREATE TABLE a (id int);');
    const r = mig('R__views', 'CREATE OR REPLACE VIEW v AS SELECT 1;', true);
    expect(pendingMigrations([r, v1], []).map((m) => m.version)).toEqual(['1', 'R__views']);
    const applied = [
      { version: '1', name: 'x', sha256: v1.sha256 },
      { version: 'R__views', name: 'views', sha256: r.sha256 },
    ];
    expect(pendingMigrations([v1, r], applied)).toEqual([]);
    const edited = mig('R__views', 'CREATE OR REPLACE VIEW v AS SELECT 2;', true);
    expect(pendingMigrations([v1, edited], applied).map((m) => m.version)).toEqual(['R__views']);
    // an edited repeatable is not an edited applied migration
    expect(checkSqlMigrations(classifyListing([], 'flyway'), [v1, edited], applied)).toEqual([]);
  });
});

describe('statement splitting', () => {
  test('PostgreSQL: the parser splits; dollar quotes and comments stay whole; lines are right', async () => {
    const sql = [
      '-- header',
      'CREATE INDEX CONCURRENTLY a_x ON a (x);',
      'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; /* c; */',
      '',
      "INSERT INTO a (s) VALUES ('x;y');",
    ].join('\n');
    const st = await splitPostgres(sql, '0001_a.sql');
    expect(st.map((s) => s.line)).toEqual([2, 3, 5]);
    expect(st[1].text).toBe('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql');
    expect(st[2].text).toBe("INSERT INTO a (s) VALUES ('x;y')");
    expect(st[0].leading).toContain('-- header');
  });

  test('PostgreSQL: an unparsable file names the file and the line', async () => {
    const err = await splitPostgres('SELECT 1;\n\nCREATE TABLE x (a int;\n', '0002_bad.sql').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SqlParseError);
    expect((err as Error).message).toMatch(/^0002_bad\.sql: line 3: cannot parse: syntax error/);
  });

  test('MySQL and SQLite: strings, comments, quoted identifiers and trigger bodies', () => {
    const mysql = splitGeneric(
      [
        "INSERT INTO t (s) VALUES ('a;b', 'it\\'s;', \"q;\"); # x;y",
        'CREATE TABLE `we;ird` (id int); -- c;',
        '/* a; b */ UPDATE t SET s = 1;',
      ].join('\n'),
      'mysql',
    );
    expect(mysql.map((s) => [s.line, s.text])).toEqual([
      [1, "INSERT INTO t (s) VALUES ('a;b', 'it\\'s;', \"q;\")"],
      [2, 'CREATE TABLE `we;ird` (id int)'],
      [3, 'UPDATE t SET s = 1'],
    ]);
    const sqlite = splitGeneric(
      [
        'CREATE TABLE [a;b] (id INTEGER);',
        'CREATE TRIGGER trg AFTER INSERT ON t BEGIN',
        '  UPDATE t SET n = n + 1;',
        '  SELECT CASE WHEN 1 THEN 2 END;',
        'END;',
        "INSERT INTO t VALUES ('it''s;');",
      ].join('\n'),
      'sqlite',
    );
    expect(sqlite.map((s) => s.line)).toEqual([1, 2, 6]);
    expect(sqlite[1].text).toMatch(/^CREATE TRIGGER[\s\S]*END$/);
  });
});

describe('statements that cannot run in a transaction', () => {
  test('found by the parser, with SET statements neutral', async () => {
    const needs = async (sql: string) => transactionNeeds(await splitPostgres(sql, 'f.sql'));
    expect((await needs('CREATE INDEX CONCURRENTLY i ON t (x);')).nonTransactional?.reason).toBe(
      'CREATE INDEX CONCURRENTLY',
    );
    expect((await needs('DROP INDEX CONCURRENTLY i;')).nonTransactional?.reason).toBe(
      'DROP INDEX CONCURRENTLY',
    );
    expect((await needs('REINDEX (CONCURRENTLY) INDEX i;')).nonTransactional?.reason).toBe(
      'REINDEX CONCURRENTLY',
    );
    expect((await needs('VACUUM t;')).nonTransactional?.reason).toBe('VACUUM');
    expect((await needs('CREATE DATABASE d;')).nonTransactional?.reason).toBe('CREATE DATABASE');
    const plain = await needs("SET lock_timeout = '1s';\nCREATE INDEX i ON t (x);");
    expect(plain.nonTransactional).toBeUndefined();
    expect(plain.transactional?.line).toBe(2);
    const onlySet = await needs("SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY i ON t (x);");
    expect(onlySet.transactional).toBeUndefined();
    // the word in a string or comment is not the statement
    expect(
      (await needs("-- VACUUM later\nINSERT INTO t VALUES ('VACUUM');")).nonTransactional,
    ).toBeUndefined();
  });
});
