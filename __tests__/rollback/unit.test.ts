import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expiredKeptDatabases, expiredKeptFiles, stampTime } from '../../src/db/kept-copies.js';
import { orderTargets } from '../../src/rollback/plan.js';
import { pgRestoreArgv, psqlRestoreArgv } from '../../src/db/postgres-argv.js';
import { inPlaceCleanSql, keptDatabaseName } from '../../src/db/postgres-database.js';
import { schemaCreatedBy } from '../../src/db/postgres-replace.js';
import { parseRoleList, roleFilter, roleRefsOfLine } from '../../src/db/postgres-roles.js';
import { sqliteStagingPath } from '../../src/db/sqlite-restore.js';
import { sqlitePragmaPreamble } from '../../src/db/sqlite.js';
import { targetMismatch } from '../../src/rollback/backup-source.js';
import { safetyBackupName, safetyDumpPlan } from '../../src/rollback/safety-backup.js';
import { deployCommandVariables } from '../../src/rollback/image.js';

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
  test('pg_restore restores owners and grants; in one transaction when asked; no password, no host', () => {
    const argv = pgRestoreArgv('/usr/lib/postgresql/15/bin', 'shop', '/b/shop.dump', {
      singleTransaction: true,
      jobs: 4,
    });
    expect(argv[0]).toBe('/usr/lib/postgresql/15/bin/pg_restore');
    expect(argv).toEqual(expect.arrayContaining(['--single-transaction', '--exit-on-error']));
    expect(argv).not.toContain('--no-owner');
    expect(argv).not.toContain('--no-privileges');
    expect(argv).not.toContain('--clean');
    expect(argv.at(-1)).toBe('/b/shop.dump');
    expect(argv).toContain("--dbname=dbname='shop'");
    expect(argv.join(' ')).not.toMatch(/--jobs|--host|password=/);
    expect(pgRestoreArgv(undefined, 'shop', '/b/d', { jobs: 4 })).toContain('--jobs=4');
  });
  test('psql stops at the first error, in one transaction', () => {
    const argv = psqlRestoreArgv(undefined, "o'brien");
    expect(argv[0]).toBe('psql');
    expect(argv).toEqual(expect.arrayContaining(['--set=ON_ERROR_STOP=1', '--single-transaction']));
    expect(argv).toContain("--dbname=dbname='o\\'brien'");
  });
  test('the in-place clean-up drops the backup schemas but keeps public (its objects go)', () => {
    const sql = inPlaceCleanSql(['public', 'sales', "we'ird"]);
    expect(sql).toContain(`ARRAY['sales', 'we''ird']::text[]`);
    expect(sql).toContain('DROP SCHEMA %I CASCADE');
    expect(sql).not.toMatch(/DROP SCHEMA public/);
    expect(sql).toContain('ALTER SCHEMA public OWNER TO pg_database_owner');
  });
  test('schemaCreatedBy reads CREATE SCHEMA lines of pg_dump', () => {
    expect(schemaCreatedBy('CREATE SCHEMA sales;')).toBe('sales');
    expect(schemaCreatedBy('CREATE SCHEMA "Mixed ""Case""";')).toBe('Mixed "Case"');
    expect(schemaCreatedBy('-- CREATE SCHEMA x;')).toBeUndefined();
    expect(schemaCreatedBy('CREATE TABLE sales.x (id int);')).toBeUndefined();
  });
  test('the kept database name fits in 63 bytes', () => {
    expect(keptDatabaseName('shop', '20261202T032551Z')).toBe(
      'shop_before_rollback_20261202t032551z',
    );
    expect(Buffer.byteLength(keptDatabaseName('x'.repeat(80), '20261202T032551Z'))).toBe(63);
  });
  test('sqlite staging file sits beside the database, hidden', () => {
    expect(sqliteStagingPath('/data/app.db', 'ab12')).toBe('/data/.app.db.rollback-ab12');
  });
  test('a plain sqlite dump starts with the header PRAGMAs that differ from the defaults', () => {
    expect(sqlitePragmaPreamble({ journal_mode: 'wal', user_version: 7, application_id: 0 })).toBe(
      'PRAGMA journal_mode=WAL;\nPRAGMA user_version=7;\n',
    );
    expect(
      sqlitePragmaPreamble({ journal_mode: 'delete', user_version: 0, application_id: 0 }),
    ).toBe('');
  });
});

describe('role references of pg_dump scripts', () => {
  test('owners, grantees, quoted names; PUBLIC is not a role', () => {
    expect(roleRefsOfLine('ALTER TABLE sales.orders OWNER TO app_owner;')).toEqual({
      owners: ['app_owner'],
      grantees: [],
    });
    expect(roleRefsOfLine('GRANT SELECT ON TABLE public.t TO "Read ""Only""";').grantees).toEqual([
      'Read "Only"',
    ]);
    expect(roleRefsOfLine('GRANT USAGE ON SCHEMA public TO PUBLIC;').grantees).toEqual([]);
    expect(roleRefsOfLine('REVOKE ALL ON SCHEMA public FROM PUBLIC;').grantees).toEqual([]);
    expect(
      roleRefsOfLine(
        'ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA sales GRANT SELECT ON TABLES TO reader;',
      ),
    ).toEqual({ owners: ['app_owner'], grantees: ['reader'] });
    expect(parseRoleList('a, "B c",PUBLIC')).toEqual(['a', 'B c']);
  });
  test('the filter drops statements naming skipped roles and never touches COPY data or bodies', async () => {
    const script = [
      'CREATE TABLE t (x text);',
      'ALTER TABLE public.t OWNER TO gone;',
      'COPY public.t (x) FROM stdin;',
      'GRANT SELECT ON TABLE public.t TO gone;',
      '\\.',
      'GRANT SELECT ON TABLE public.t TO gone;',
      'CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $_$',
      'BEGIN',
      'GRANT SELECT ON TABLE public.t TO gone;',
      'END$_$;',
      'GRANT SELECT ON TABLE public.t TO kept;',
      '',
    ].join('\n');
    const f = roleFilter(new Set(['gone']));
    const chunks: Buffer[] = [];
    f.on('data', (c: Buffer) => chunks.push(c));
    // split mid-line: lines are joined across chunks
    f.write(Buffer.from(script.slice(0, 40)));
    f.end(Buffer.from(script.slice(40)));
    await new Promise((r) => f.on('end', r));
    expect(Buffer.concat(chunks).toString()).toBe(
      [
        'CREATE TABLE t (x text);',
        'COPY public.t (x) FROM stdin;',
        'GRANT SELECT ON TABLE public.t TO gone;',
        '\\.',
        // a function body is not a statement of the script: kept as it is
        'CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $_$',
        'BEGIN',
        'GRANT SELECT ON TABLE public.t TO gone;',
        'END$_$;',
        'GRANT SELECT ON TABLE public.t TO kept;',
        '',
      ].join('\n'),
    );
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

describe('deployCommandVariables', () => {
  test('a single image: RUNBOOK_IMAGE_REF only', () => {
    expect(deployCommandVariables([{ ref: 'ghcr.io/acme/shop@sha256:1' }])).toEqual({
      RUNBOOK_IMAGE_REF: 'ghcr.io/acme/shop@sha256:1',
    });
  });

  test('a list: the first as RUNBOOK_IMAGE_REF, all in RUNBOOK_IMAGE_REFS and one variable each', () => {
    const vars = deployCommandVariables([
      { name: 'backend-api', ref: 'r/api@sha256:1' },
      { name: 'web', ref: 'r/web@sha256:2' },
    ]);
    expect(vars).toEqual({
      RUNBOOK_IMAGE_REF: 'r/api@sha256:1',
      RUNBOOK_IMAGE_REFS: '{"backend-api":"r/api@sha256:1","web":"r/web@sha256:2"}',
      RUNBOOK_IMAGE_REF_BACKEND_API: 'r/api@sha256:1',
      RUNBOOK_IMAGE_REF_WEB: 'r/web@sha256:2',
    });
  });
});

describe('kept copies past keep-replaced', () => {
  const now = new Date('2026-12-02T08:00:00Z');
  const week = 7 * 86_400_000;
  test('stampTime reads the UTC stamp of a kept copy, and nothing else', () => {
    expect(stampTime('20261125t080000z')).toBe(Date.parse('2026-11-25T08:00:00Z'));
    expect(stampTime('20261125T080000Z')).toBe(Date.parse('2026-11-25T08:00:00Z'));
    expect(stampTime('2026-11-25')).toBeUndefined();
  });

  test('only copies of the same database, older than the age, are expired', () => {
    const names = [
      'shop_before_rollback_20261101t000000z',
      'shop_before_rollback_20261101t000000z_2',
      'shop_before_rollback_20261130t000000z',
      'shopping_before_rollback_20261101t000000z',
      'shop_before_rollback_20261101t000000z_x',
      'shop',
      'other_before_rollback_20261101t000000z',
    ];
    expect(expiredKeptDatabases('shop', names, now, week)).toEqual([
      'shop_before_rollback_20261101t000000z',
      'shop_before_rollback_20261101t000000z_2',
    ]);
    // a long database name is truncated the same way keptDatabaseName does
    const long = 'x'.repeat(60);
    const keptLong = keptDatabaseName(long, '20261101T000000Z');
    expect(expiredKeptDatabases(long, [keptLong], now, week)).toEqual([keptLong]);
  });

  test('SQLite: the files beside the database with an old stamp', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kept-'));
    try {
      const db = join(dir, 'app.db');
      for (const f of [
        'app.db',
        'app.db.before-rollback-20261101T000000Z',
        'app.db.before-rollback-20261130T000000Z',
        'app.db.before-rollback-notes.txt',
        'other.db.before-rollback-20261101T000000Z',
      ])
        writeFileSync(join(dir, f), '');
      expect(expiredKeptFiles(db, now, week)).toEqual([
        join(dir, 'app.db.before-rollback-20261101T000000Z'),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
