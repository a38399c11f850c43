import { describe, expect, test } from '@jest/globals';
import { existsSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectFailure, expectOk, json, migrate, read, revert, sqlWorkspace } from './helpers.js';

/** One database per test, on one engine. */
export interface EngineDb {
  url: string;
  dump(): Promise<string>;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  /** whether a table exists */
  hasTable(name: string): Promise<boolean>;
}

export interface EngineSetup {
  engine: 'postgres' | 'mysql' | 'sqlite';
  newDb(): Promise<EngineDb>;
  secrets(): string[];
  /** the text of the database error for a missing table, as the engine words it */
  missingTableError: RegExp;
}

export const MIGRATIONS = {
  '0001_create_users.sql':
    'CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);\n',
  '0001_create_users.down.sql': 'DROP TABLE users;\n',
  '0002_create_orders.sql':
    'CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, total INTEGER NOT NULL);\nCREATE INDEX orders_user ON orders (user_id);\n',
  '0002_ROLLBACK_create_orders.sql': 'DROP TABLE orders;\n',
  '0003_add_email.sql':
    "ALTER TABLE users ADD COLUMN email VARCHAR(200);\nCREATE TABLE audit_log (msg VARCHAR(100));\nINSERT INTO audit_log (msg) VALUES ('0003 applied');\n",
  '0003_add_email.down.sql': 'DROP TABLE audit_log;\nALTER TABLE users DROP COLUMN email;\n',
};

const BROKEN_THIRD = {
  '0001_create_users.sql': MIGRATIONS['0001_create_users.sql'],
  '0002_create_orders.sql': MIGRATIONS['0002_create_orders.sql'],
  '0003_broken.sql': 'CREATE TABLE t3 (id INTEGER);\nINSERT INTO no_such_table (id) VALUES (1);\n',
};

export function defineSqlEngineTests(setup: EngineSetup): void {
  const base = (url: string) => ({
    tool: 'sql',
    'database-url': url,
    'require-backup': 'false',
    'lock-wait': '20s',
  });

  describe(`sql tool on ${setup.engine}`, () => {
    test('plan changes nothing, apply applies, a second apply applies nothing, previous-state reverts', async () => {
      const db = await setup.newDb();
      const ws = sqlWorkspace(MIGRATIONS);
      const first = await migrate({ ...base(db.url), target: '0001' }, ws, setup.secrets());
      expectOk(first);
      expect(json(first, 'applied')).toEqual(['0001_create_users.sql']);
      const before = await db.dump();

      const plan = await migrate({ ...base(db.url), mode: 'plan' }, ws, setup.secrets());
      expectOk(plan);
      expect(json(plan, 'pending')).toEqual(['0002_create_orders.sql', '0003_add_email.sql']);
      expect(plan.outputs['pending-count']).toBe('2');
      expect(json(plan, 'previous-state')).toEqual({ version: '0001' });
      expect(read(plan.outputs['plan-path'])).toContain('CREATE TABLE orders');
      expect(plan.summary).toContain('<details><summary>SQL preview');
      expect(await db.dump()).toBe(before);

      const apply = await migrate(base(db.url), ws, setup.secrets());
      expectOk(apply);
      expect(json(apply, 'applied')).toEqual(['0002_create_orders.sql', '0003_add_email.sql']);
      expect(apply.outputs['applied-count']).toBe('2');
      expect(json(apply, 'previous-state')).toEqual({ version: '0001' });
      expect(json(apply, 'current-state')).toEqual({ version: '0003' });
      expect(apply.summary).toContain('0003_add_email.sql');
      const tracked = await db.rows(
        'SELECT version, name, sha256, duration_ms FROM schema_migrations ORDER BY version',
      );
      expect(tracked.map((r) => [r.version, r.name])).toEqual([
        ['0001', 'create_users'],
        ['0002', 'create_orders'],
        ['0003', 'add_email'],
      ]);
      expect(String(tracked[2].sha256)).toMatch(/^[0-9a-f]{64}$/);
      expect(Number(tracked[2].duration_ms)).toBeGreaterThanOrEqual(0);
      expect(await db.rows('SELECT msg FROM audit_log')).toEqual([{ msg: '0003 applied' }]);

      const again = await migrate(base(db.url), ws, setup.secrets());
      expectOk(again);
      expect(again.outputs['applied-count']).toBe('0');
      expect(again.outputs['pending-count']).toBe('0');
      expect(json(again, 'previous-state')).toEqual({ version: '0003' });

      const r = await revert('sql', ws, db.url, apply.outputs['previous-state']);
      expect(r.reverted).toEqual(['0003_add_email', '0002_create_orders']);
      expect(r.current).toEqual({ version: '0001' });
      expect(await db.dump()).toBe(before);
    });

    test('a failing third file: the first two stay applied, the step names the file and the database error', async () => {
      const db = await setup.newDb();
      const ws = sqlWorkspace(BROKEN_THIRD);
      const run = await migrate(base(db.url), ws, setup.secrets());
      expectFailure(run, /0003_broken\.sql/, setup.missingTableError);
      expect(run.outputs['applied-count']).toBe('2');
      expect(json(run, 'current-state')).toEqual({ version: '0002' });
      const tracked = await db.rows('SELECT version FROM schema_migrations ORDER BY version');
      expect(tracked.map((r) => r.version)).toEqual(['0001', '0002']);
      expect(await db.hasTable('orders')).toBe(true);
      if (setup.engine !== 'mysql') {
        // the file ran in a transaction: nothing of it is left
        expect(run.errors[0]).toContain('nothing of it is applied');
        expect(await db.hasTable('t3')).toBe(false);
      } else {
        expect(run.errors[0]).toContain('cannot roll back DDL');
      }
    });

    test('check finds duplicate versions, a pending file older than the newest applied, an edited file and a down file without an up file; apply refuses', async () => {
      const db = await setup.newDb();
      const ws = sqlWorkspace({
        '0001_create_users.sql': MIGRATIONS['0001_create_users.sql'],
        '0003_add_email.sql': MIGRATIONS['0003_add_email.sql'],
      });
      expectOk(await migrate(base(db.url), ws, setup.secrets()));
      const dir = join(ws, 'migrations');
      writeFileSync(join(dir, '0002_create_orders.sql'), MIGRATIONS['0002_create_orders.sql']);
      appendFileSync(join(dir, '0001_create_users.sql'), '-- edited after it was applied\n');
      writeFileSync(join(dir, '0004_a.sql'), 'CREATE TABLE a4 (id INTEGER);\n');
      writeFileSync(join(dir, '0004_b.sql'), 'CREATE TABLE b4 (id INTEGER);\n');
      writeFileSync(join(dir, '0009_orphan.down.sql'), 'DROP TABLE nothing;\n');
      const before = await db.dump();

      const check = await migrate({ ...base(db.url), mode: 'check' }, ws, setup.secrets());
      expectFailure(
        check,
        /duplicate version: 0004_a\.sql, 0004_b\.sql/,
        /0002_create_orders\.sql is pending but older than the newest applied version 0003/,
        /0001_create_users\.sql was changed after it was applied/,
        /down file 0009_orphan\.down\.sql has no up file/,
      );
      expect(check.summary).toContain('out-of-order');

      const plan = await migrate({ ...base(db.url), mode: 'plan' }, ws, setup.secrets());
      expectFailure(plan, /^check found 4 problem/);
      expect(plan.summary).toContain('duplicate-version');

      const apply = await migrate(base(db.url), ws, setup.secrets());
      expectFailure(apply, /check \(run before apply\) found 4 problem/);
      expect(await db.dump()).toBe(before);
      expect((await db.rows('SELECT version FROM schema_migrations')).length).toBe(2);

      // a clean directory passes check
      const clean = sqlWorkspace(MIGRATIONS);
      const db2 = await setup.newDb();
      const ok = await migrate({ ...base(db2.url), mode: 'check' }, clean, setup.secrets());
      expectOk(ok);
      expect(ok.summary).toContain('no problems');
      expect(existsSync(join(clean, 'migrations'))).toBe(true);
    });

    test('a target that does not exist is named and nothing is applied', async () => {
      const db = await setup.newDb();
      const ws = sqlWorkspace(MIGRATIONS);
      const before = await db.dump();
      const run = await migrate({ ...base(db.url), target: '0042' }, ws, setup.secrets());
      expectFailure(run, /^Input 'target': version '0042' does not exist in migrations/);
      expect(await db.dump()).toBe(before);
    });
  });
}

export function renameInDir(dir: string, from: string, to: string): void {
  renameSync(join(dir, from), join(dir, to));
}
