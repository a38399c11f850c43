import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import {
  copyFixture,
  expectFailure,
  expectOk,
  json,
  migrate,
  PYTHON,
  read,
  revert,
  schemaDump,
} from './helpers.js';

let server: PostgresServer;
let n = 0;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function newDatabase(): Promise<string> {
  const name = `django_${++n}`;
  await server.createDatabase(name);
  return name;
}

const inputs = (db: string) => ({
  'database-url': server.url(db),
  python: PYTHON,
  'require-backup': 'false',
});
const applied = async (db: string): Promise<string[]> =>
  (
    await server
      .query<{ m: string }>(
        "SELECT app || '.' || name AS m FROM django_migrations ORDER BY id",
        [],
        db,
      )
      .catch(() => [] as Array<{ m: string }>)
  ).map((r) => r.m);

describe('django on postgres (two apps, a cross-app dependency)', () => {
  test('plan changes nothing, apply applies, a second apply applies nothing, previous-state reverts', async () => {
    const db = await newDatabase();
    const ws = copyFixture('django');
    const first = await migrate({ ...inputs(db), target: 'catalog.0001_initial' }, ws, [
      server.password,
    ]);
    expectOk(first);
    expect(first.outputs.tool).toBe('django');
    expect(json(first, 'applied')).toEqual(['catalog.0001_initial']);
    const before = await schemaDump({ pg: server }, db);

    const plan = await migrate({ ...inputs(db), mode: 'plan' }, ws, [server.password]);
    expectOk(plan);
    expect(json(plan, 'pending')).toEqual([
      'catalog.0002_add_price',
      'shop.0001_initial',
      'shop.0002_order_total',
    ]);
    expect(json(plan, 'previous-state')).toEqual({ catalog: '0001_initial', shop: 'zero' });
    const sql = read(plan.outputs['plan-path']);
    expect(sql).toContain('-- shop.0002_order_total');
    expect(sql).toMatch(/ALTER TABLE "catalog_product" ADD COLUMN "price_cents" integer/);
    expect(sql).toMatch(/CREATE TABLE "shop_order"/);
    expect(await schemaDump({ pg: server }, db)).toBe(before);
    expect(await applied(db)).toEqual(['catalog.0001_initial']);

    const apply = await migrate(inputs(db), ws, [server.password]);
    expectOk(apply);
    expect(json(apply, 'applied')).toEqual([
      'catalog.0002_add_price',
      'shop.0001_initial',
      'shop.0002_order_total',
    ]);
    expect(json(apply, 'previous-state')).toEqual({ catalog: '0001_initial', shop: 'zero' });
    expect(json(apply, 'current-state')).toEqual({
      catalog: '0002_add_price',
      shop: '0002_order_total',
    });
    expect(apply.summary).toMatch(/shop\.0002_order_total<\/td><td>\d/);

    const again = await migrate(inputs(db), ws, [server.password]);
    expectOk(again);
    expect(again.outputs['applied-count']).toBe('0');
    expect(again.outputs['pending-count']).toBe('0');

    const r = await revert('django', ws, server.url(db), apply.outputs['previous-state']);
    expect(r.current).toEqual({ catalog: '0001_initial', shop: 'zero' });
    expect(r.reverted).toEqual(
      expect.arrayContaining([
        'shop.0002_order_total',
        'shop.0001_initial',
        'catalog.0002_add_price',
      ]),
    );
    expect(await applied(db)).toEqual(['catalog.0001_initial']);
    expect(await schemaDump({ pg: server }, db)).toBe(before);
  });

  test('a broken dependency chain (a migration depending on a renamed one): check names the link before anything is applied', async () => {
    const db = await newDatabase();
    const ws = copyFixture('django');
    renameSync(
      join(ws, 'catalog/migrations/0002_add_price.py'),
      join(ws, 'catalog/migrations/0002_price.py'),
    );
    const before = await schemaDump({ pg: server }, db);
    const check = await migrate({ ...inputs(db), mode: 'check' }, ws, [server.password]);
    expectFailure(
      check,
      /migration shop\.0002_order_total depends on catalog\.0002_add_price, which does not exist/,
    );
    const apply = await migrate(inputs(db), ws, [server.password]);
    expectFailure(apply, /shop\.0002_order_total depends on catalog\.0002_add_price/);
    expect(await schemaDump({ pg: server }, db)).toBe(before);
    expect(await applied(db)).toEqual([]);
  });

  test('conflicting migrations in one app are a check failure naming the app and both migrations', async () => {
    const db = await newDatabase();
    const ws = copyFixture('django');
    copyFileSync(
      join(ws, 'catalog/migrations/0002_add_price.py'),
      join(ws, 'catalog/migrations/0002_add_sku.py'),
    );
    const check = await migrate({ ...inputs(db), mode: 'check' }, ws, [server.password]);
    expectFailure(check, /app catalog has conflicting migrations/, /0002_add_price, 0002_add_sku/);
  });

  test('a target that does not exist is named and nothing is applied; a target behind the state is refused', async () => {
    const db = await newDatabase();
    const ws = copyFixture('django');
    const missing = await migrate({ ...inputs(db), target: 'shop.0007_nope' }, ws, [
      server.password,
    ]);
    expectFailure(missing, /^Input 'target': migration 'shop\.0007_nope' does not exist/);
    expect(await applied(db)).toEqual([]);
    expectOk(await migrate(inputs(db), ws, [server.password]));
    const back = await migrate({ ...inputs(db), target: 'catalog.0001_initial' }, ws, [
      server.password,
    ]);
    expectFailure(back, /^Input 'target': 'catalog\.0001_initial' is behind the current state/);
    expect(await applied(db)).toHaveLength(4);
  });

  test('two apply runs at once: the advisory lock makes each migration apply once', async () => {
    const db = await newDatabase();
    const ws = copyFixture('django');
    const [a, b] = await Promise.all([
      migrate(inputs(db), ws, [server.password]),
      migrate(inputs(db), ws, [server.password]),
    ]);
    expectOk(a);
    expectOk(b);
    expect([a, b].map((r) => Number(r.outputs['applied-count'])).sort()).toEqual([0, 4]);
    expect(await applied(db)).toHaveLength(4);
  });
});
