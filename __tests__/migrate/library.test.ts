import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseUrl as parseTarget } from '../../src/db/url.js';

/** database-url parsed as migrate parses it (relative sqlite paths from `cwd`). */
const parseDatabaseUrl = (url: string, cwd = process.cwd()): ReturnType<typeof parseTarget> =>
  parseTarget('database-url', url, cwd);
import {
  mysqlLockName,
  postgresLockKey,
  sqliteLockPath,
  acquireMigrationLock,
} from '../../src/migrations/lock.js';
import { checkBackupGate, detectTool, parseStateText } from '../../src/migrations/index.js';
import { parseSqlState } from '../../src/migrations/sql/runner.js';
import { parseAlembicState } from '../../src/migrations/alembic/tool.js';
import { parseDjangoState } from '../../src/migrations/django/tool.js';
import { writeManifest } from './helpers.js';

const dirs: string[] = [];
const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), `migrate-${prefix}-`));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('database URLs', () => {
  test('server URLs', () => {
    expect(parseDatabaseUrl('postgresql://app:p%40ss@db.internal:6432/shop')).toMatchObject({
      engine: 'postgres',
      host: 'db.internal',
      port: 6432,
      user: 'app',
      password: 'p@ss',
      database: 'shop',
    });
    expect(parseDatabaseUrl('mariadb://root@127.0.0.1/shop')).toMatchObject({
      engine: 'mysql',
      port: 3306,
      database: 'shop',
    });
    expect(() => parseDatabaseUrl('postgres://u:p@host:5432/')).toThrow(/names no database/);
    expect(() => parseDatabaseUrl('mongodb://h/db')).toThrow(/scheme 'mongodb' is not supported/);
  });
  test('sqlite URLs: absolute and relative to the project', () => {
    expect(parseDatabaseUrl('sqlite:///srv/app.db')).toMatchObject({
      engine: 'sqlite',
      path: '/srv/app.db',
      database: 'app.db',
    });
    expect(parseDatabaseUrl('sqlite:////srv/app.db')).toMatchObject({ path: '/srv/app.db' });
    expect(parseDatabaseUrl('sqlite:data/app.db', '/work/proj')).toMatchObject({
      path: '/work/proj/data/app.db',
      database: 'app.db',
    });
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/names no database file/);
  });
});

describe('locks', () => {
  test('names', () => {
    expect(postgresLockKey()).toMatch(/^-?\d+$/);
    expect(postgresLockKey()).toBe(postgresLockKey());
    expect(mysqlLockName('shop')).toBe('runbook-migrate:shop');
    expect(mysqlLockName('x'.repeat(80)).length).toBeLessThanOrEqual(64);
    expect(sqliteLockPath('/srv/app.db')).toBe('/srv/app.db.migrate-lock');
  });
  test('sqlite lock file: a second holder waits and fails; a stale lock of a dead process is taken over', async () => {
    const dir = tmp('lock');
    const t = parseDatabaseUrl(`sqlite://${join(dir, 'app.db')}`);
    const held = await acquireMigrationLock(t, 0);
    await expect(acquireMigrationLock(t, 300)).rejects.toThrow(
      /another migration run holds the migration lock on the sqlite file/,
    );
    await held.release();
    writeFileSync(sqliteLockPath(t.engine === 'sqlite' ? t.path : ''), '999999999');
    const taken = await acquireMigrationLock(t, 0);
    await taken.release();
  });
});

describe('states for revertTo', () => {
  test('each tool accepts its own form and refuses others', () => {
    expect(parseSqlState({ version: '0002' })).toBe('0002');
    expect(parseSqlState({ version: null })).toBeNull();
    expect(() => parseSqlState({ revisions: [] })).toThrow(/sql tool must be/);
    expect(parseAlembicState({ revisions: ['abc123'] })).toEqual(['abc123']);
    expect(() => parseAlembicState({ version: '1' })).toThrow(/alembic must be/);
    expect(parseDjangoState({ shop: 'zero', catalog: '0001_initial' })).toEqual({
      shop: 'zero',
      catalog: '0001_initial',
    });
    expect(() => parseDjangoState({ shop: 3 })).toThrow(/django must be/);
    expect(() => parseStateText('not json')).toThrow(/previous-state is not valid JSON/);
    expect(() => parseStateText('[1]')).toThrow(/must be a JSON object/);
  });
  test('tool detection', () => {
    const dir = tmp('detect');
    expect(detectTool(dir)).toBe('sql');
    writeFileSync(join(dir, 'manage.py'), '');
    expect(detectTool(dir)).toBe('django');
    writeFileSync(join(dir, 'alembic.ini'), '');
    expect(detectTool(dir)).toBe('alembic');
  });
});

describe('backup gate (library)', () => {
  test('a directory-free file backup passes; the age is measured from created_at', async () => {
    const dir = tmp('gate');
    const { manifestPath } = writeManifest(dir, {
      engine: 'postgres',
      database: 'shop',
      createdAt: new Date('2026-01-01T00:00:00Z'),
    });
    const t = parseDatabaseUrl('postgres://u:p@127.0.0.1:5432/shop');
    const ok = await checkBackupGate(manifestPath, t, 3_600_000, new Date('2026-01-01T00:30:00Z'));
    expect(ok.ageMs).toBe(1_800_000);
    await expect(
      checkBackupGate(manifestPath, t, 3_600_000, new Date('2026-01-01T02:00:00Z')),
    ).rejects.toThrow(/older than max-backup-age 1h 00m/);
    writeFileSync(manifestPath, '{"engine": "postgres"}');
    await expect(checkBackupGate(manifestPath, t, 3_600_000)).rejects.toThrow(
      /is not a backup manifest: field 'database' is missing/,
    );
  });
});
