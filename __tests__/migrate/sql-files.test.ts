import { describe, expect, test } from '@jest/globals';
import {
  checkSqlMigrations,
  pendingMigrations,
  newestVersion,
  type AppliedRow,
} from '../../src/migrations/sql/check.js';
import {
  classifyFileName,
  classifyListing,
  compareVersions,
  sha256Of,
  wantsNoTransaction,
  type SqlMigration,
} from '../../src/migrations/sql/files.js';
import { lineOfPosition, quoteIdent, TABLE_NAME } from '../../src/migrations/sql/driver.js';

function mig(version: string, name: string, sql = `-- ${name}`): SqlMigration {
  return { version, name, file: `${version}_${name}.sql`, sha256: sha256Of(sql), sql };
}
function row(m: SqlMigration, sha = m.sha256): AppliedRow {
  return { version: m.version, name: m.name, sha256: sha };
}

describe('sql file names', () => {
  test('up, .down.sql and _ROLLBACK_ files', () => {
    expect(classifyFileName('0001_create_users.sql')).toEqual({
      kind: 'up',
      version: '0001',
      name: 'create_users',
      file: '0001_create_users.sql',
    });
    expect(classifyFileName('0001_create_users.down.sql')).toMatchObject({
      kind: 'down',
      version: '0001',
      name: 'create_users',
    });
    expect(classifyFileName('0002_ROLLBACK_add_orders.sql')).toMatchObject({
      kind: 'down',
      version: '0002',
      name: 'add_orders',
    });
    expect(classifyFileName('README.md')).toBeUndefined();
    expect(classifyFileName('create_users.sql')).toBe('invalid');
    expect(classifyFileName('v1_x.sql')).toBe('invalid');
  });
  test('versions compare as numbers', () => {
    expect(compareVersions('0010', '9')).toBe(1);
    expect(compareVersions('001', '1')).toBe(0);
    expect(compareVersions('20240101120000', '20240101120001')).toBe(-1);
    const listing = classifyListing([
      '10_c.sql',
      '9_b.sql',
      '0001_a.sql',
      '9_b.down.sql',
      'notes.txt',
      'bad.sql',
    ]);
    expect(listing.ups.map((u) => u.file)).toEqual(['0001_a.sql', '9_b.sql', '10_c.sql']);
    expect(listing.downs.map((d) => d.file)).toEqual(['9_b.down.sql']);
    expect(listing.invalid).toEqual(['bad.sql']);
  });
  test('no-transaction marker', () => {
    expect(
      wantsNoTransaction('-- runbook:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);'),
    ).toBe(true);
    expect(wantsNoTransaction('CREATE TABLE t (x int);\n-- runbook:no-transaction')).toBe(false);
  });
  test('table names and quoting', () => {
    expect(TABLE_NAME.test('schema_migrations')).toBe(true);
    expect(TABLE_NAME.test('ops.schema_migrations')).toBe(true);
    expect(TABLE_NAME.test('x; DROP TABLE users')).toBe(false);
    expect(TABLE_NAME.test('a"b')).toBe(false);
    expect(quoteIdent('ops.t', '"')).toBe('"ops"."t"');
    expect(quoteIdent('t', '`')).toBe('`t`');
    expect(lineOfPosition('SELECT 1;\nSELECT nope;\n', 18)).toBe(2);
  });
});

describe('sql check', () => {
  const a = mig('0001', 'a');
  const b = mig('0002', 'b');
  const c = mig('0003', 'c');
  const listing = (names: string[]) => classifyListing(names);

  test('a clean directory has no findings', () => {
    expect(
      checkSqlMigrations(listing([a.file, b.file, '0002_b.down.sql']), [a, b], [row(a)]),
    ).toEqual([]);
  });
  test('duplicate versions', () => {
    const f = checkSqlMigrations(listing(['0001_a.sql', '1_again.sql', '0002_b.sql']), [a, b], []);
    expect(f.map((x) => x.code)).toEqual(['duplicate-version']);
    expect(f[0].message).toContain('0001_a.sql');
    expect(f[0].message).toContain('1_again.sql');
  });
  test('a pending file older than the newest applied one', () => {
    const f = checkSqlMigrations(listing([a.file, b.file, c.file]), [a, b, c], [row(a), row(c)]);
    expect(f).toEqual([
      expect.objectContaining({
        code: 'out-of-order',
        message: expect.stringContaining('0002_b.sql'),
      }),
    ]);
  });
  test('an applied file whose content changed', () => {
    const f = checkSqlMigrations(
      listing([a.file, b.file]),
      [a, b],
      [row(a, sha256Of('something else')), row(b)],
    );
    expect(f).toEqual([
      expect.objectContaining({ code: 'changed', message: expect.stringContaining('0001_a.sql') }),
    ]);
  });
  test('a down file without an up file', () => {
    const f = checkSqlMigrations(listing([a.file, '0007_gone.down.sql']), [a], []);
    expect(f).toEqual([
      expect.objectContaining({
        code: 'down-without-up',
        message: expect.stringContaining('0007_gone.down.sql'),
      }),
    ]);
  });
  test('an applied version whose file is missing, and a misnamed file', () => {
    const f = checkSqlMigrations(listing([b.file, 'oops.sql']), [b], [row(a), row(b)]);
    expect(f.map((x) => x.code).sort()).toEqual(['bad-name', 'missing-file']);
  });
  test('pending respects the target', () => {
    expect(pendingMigrations([a, b, c], [row(a)]).map((m) => m.version)).toEqual(['0002', '0003']);
    expect(pendingMigrations([a, b, c], [row(a)], '2').map((m) => m.version)).toEqual(['0002']);
    expect(newestVersion([row(a), row(c), row(b)])).toBe('0003');
    expect(newestVersion([])).toBeNull();
  });
});
