import { describe, expect, test } from '@jest/globals';
import { orderTargets } from '../../src/rollback/plan.js';
import {
  pgRollbackRestoreArgv,
  plainCleanPreamble,
  psqlRollbackRestoreArgv,
  schemasCreatedBy,
  sqliteStagingPath,
} from '../../src/rollback/restore-argv.js';
import { targetMismatch } from '../../src/rollback/backup-source.js';
import { safetyBackupName, safetyDumpPlan } from '../../src/rollback/safety-backup.js';

describe('orderTargets', () => {
  test('always image -> migrations -> database, duplicates and case folded', () => {
    expect(orderTargets(['database', 'Image', 'migrations', 'image'])).toEqual([
      'image',
      'migrations',
      'database',
    ]);
    expect(orderTargets(['database'])).toEqual(['database']);
    expect(orderTargets([' migrations ', ''])).toEqual(['migrations']);
  });
  test('names the first unknown entry', () => {
    expect(orderTargets(['image', 'frontend', 'cdn'])).toEqual({ unknown: 'frontend' });
  });
});

describe('restore argv', () => {
  test('pg_restore drops and recreates the archive objects in one transaction; no password, no host', () => {
    const argv = pgRollbackRestoreArgv('/usr/lib/postgresql/15/bin', 'shop', '/b/shop.dump');
    expect(argv[0]).toBe('/usr/lib/postgresql/15/bin/pg_restore');
    expect(argv).toEqual(
      expect.arrayContaining(['--clean', '--if-exists', '--single-transaction', '--exit-on-error']),
    );
    expect(argv.at(-1)).toBe('/b/shop.dump');
    expect(argv).toContain("--dbname=dbname='shop'");
    expect(argv.join(' ')).not.toMatch(/--jobs|--host|password=/);
    // from stdin: no path
    expect(pgRollbackRestoreArgv(undefined, 'shop', undefined).at(-1)).toBe('--single-transaction');
  });
  test('psql stops at the first error, in one transaction', () => {
    const argv = psqlRollbackRestoreArgv(undefined, "o'brien");
    expect(argv[0]).toBe('psql');
    expect(argv).toEqual(expect.arrayContaining(['--set=ON_ERROR_STOP=1', '--single-transaction']));
    expect(argv).toContain("--dbname=dbname='o\\'brien'");
  });
  test('the plain-dump preamble empties public and the schemas the dump creates', () => {
    const pre = plainCleanPreamble(['sales', "we'ird"]);
    expect(pre).toContain(`IN ('public', 'sales', 'we''ird')`);
    expect(pre).toContain('DROP SCHEMA %I CASCADE');
    expect(pre).toContain('CREATE SCHEMA IF NOT EXISTS public');
    expect(plainCleanPreamble(['public'])).not.toContain('CREATE SCHEMA IF NOT EXISTS public');
  });
  test('schemasCreatedBy reads CREATE SCHEMA lines of pg_dump', () => {
    expect(schemasCreatedBy('CREATE SCHEMA sales;')).toBe('sales');
    expect(schemasCreatedBy('CREATE SCHEMA "Mixed ""Case""";')).toBe('Mixed "Case"');
    expect(schemasCreatedBy('-- CREATE SCHEMA x;')).toBeUndefined();
    expect(schemasCreatedBy('CREATE TABLE sales.x (id int);')).toBeUndefined();
  });
  test('sqlite staging file sits beside the database, hidden', () => {
    expect(sqliteStagingPath('/data/app.db', 'ab12')).toBe('/data/.app.db.rollback-ab12');
  });
});

describe('backup checks and safety backup', () => {
  test('a backup restores only into the same engine and database', () => {
    const pg = {
      engine: 'postgres',
      host: 'h',
      port: 5432,
      user: 'u',
      password: 'p',
      database: 'shop',
    } as const;
    expect(targetMismatch({ engine: 'postgres', database: 'shop' }, pg)).toBeUndefined();
    expect(targetMismatch({ engine: 'mysql', database: 'shop' }, pg)).toMatch(
      /mysql database but database-url is postgres/,
    );
    expect(targetMismatch({ engine: 'postgres', database: 'other' }, pg)).toMatch(
      /database 'other' but database-url names 'shop'/,
    );
  });
  test('the safety backup is backup-db with its defaults, named pre-rollback', () => {
    expect(safetyDumpPlan('postgres', 1000, 2000)).toMatchObject({
      format: 'custom',
      compression: 'gzip',
      compressedBy: 'tool',
    });
    expect(safetyDumpPlan('mysql', 1000, 2000)).toMatchObject({
      format: 'plain',
      compressedBy: 'stream',
    });
    expect(safetyDumpPlan('sqlite', 1000, 2000)).toMatchObject({
      format: 'sqlite',
      compressedBy: 'stream',
    });
    const now = new Date('2026-11-22T02:40:05.123Z');
    expect(safetyBackupName('app.sqlite3', now)).toBe('app-pre-rollback-20261122T024005Z');
    expect(safetyBackupName('my shop', now)).toBe('my-shop-pre-rollback-20261122T024005Z');
  });
});
