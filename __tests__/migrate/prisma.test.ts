import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prismaCommands } from '../../src/migrations/prisma/commands.js';
import {
  parseDeployOutput,
  parsePrismaStatus,
  prismaFindings,
} from '../../src/migrations/prisma/parse.js';
import { createPrismaTool, localPrismaMigrations } from '../../src/migrations/prisma/tool.js';
import { detectTool } from '../../src/migrations/index.js';

const dirs: string[] = [];
const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), `migrate-${prefix}-`));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/*
 * Prisma cannot run on this machine kind (its CLI downloads engines from the internet), so
 * these texts are what `prisma migrate status` / `deploy` print (Prisma 5.x, as captured in
 * public projects' logs and tests); the commands are checked as argv.
 */
const HEADER = `Environment variables loaded from .env
Prisma schema loaded from prisma/schema.prisma
Datasource "db": PostgreSQL database "shop", schema "public" at "127.0.0.1:5432"
`;
const UP_TO_DATE = `${HEADER}
3 migrations found in prisma/migrations

Database schema is up to date!
`;
const PENDING = `${HEADER}
3 migrations found in prisma/migrations

Following migrations have not yet been applied:
20240102000000_add_orders
20240103000000_add_index

To apply migrations in development run prisma migrate dev.
To apply migrations in production run prisma migrate deploy.
`;
const PENDING_ONE = `${HEADER}
3 migrations found in prisma/migrations

Following migration have not yet been applied:
20240103000000_add_index

To apply migrations in production run prisma migrate deploy.
`;
const FAILED = `${HEADER}
3 migrations found in prisma/migrations

Following migration have failed:
20240103000000_add_index

During development if the failed migration(s) have not been deployed to a production database you can then fix the migration(s) and run prisma migrate dev.

The failed migration(s) can be marked as rolled back or applied:

- If you rolled back the migration(s) manually:
prisma migrate resolve --rolled-back "20240103000000_add_index"

- If you fixed the database manually (hotfix):
prisma migrate resolve --applied "20240103000000_add_index"
`;
const DIVERGED = `${HEADER}
3 migrations found in prisma/migrations

Your local migration history and the migrations table from your database are different:

The last common migration is: 20240101000000_init

The migration have not yet been applied:
20240103000000_add_index

The migrations from the database are not found locally in prisma/migrations:
20240102000000_add_orders_old
`;
const UNREACHABLE = `${HEADER}
Error: P1001: Can't reach database server at \`127.0.0.1:5432\`

Please make sure your database server is running at \`127.0.0.1:5432\`.
`;
const DEPLOY_OK = `${HEADER}
3 migrations found in prisma/migrations

Applying migration \`20240102000000_add_orders\`
Applying migration \`20240103000000_add_index\`

The following migration(s) have been applied:

migrations/
  └─ 20240102000000_add_orders/
    └─ migration.sql
  └─ 20240103000000_add_index/
    └─ migration.sql

All migrations have been successfully applied.
`;
const DEPLOY_NONE = `${HEADER}
3 migrations found in prisma/migrations

No pending migrations to apply.
`;
const DEPLOY_P3018 = `${HEADER}
3 migrations found in prisma/migrations

Applying migration \`20240102000000_add_orders\`
Applying migration \`20240103000000_add_index\`
Error: P3018

A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve

Migration name: 20240103000000_add_index

Database error code: 42P07

Database error:
ERROR: relation "orders_user_idx" already exists
`;

describe('prisma commands', () => {
  test('argv: npx --no-install, the schema path, never a URL', () => {
    const o = { schema: 'prisma/schema.prisma' };
    expect(prismaCommands.status(o)).toEqual([
      'npx',
      '--no-install',
      'prisma',
      'migrate',
      'status',
      '--schema',
      'prisma/schema.prisma',
    ]);
    expect(prismaCommands.deploy(o)).toEqual([
      'npx',
      '--no-install',
      'prisma',
      'migrate',
      'deploy',
      '--schema',
      'prisma/schema.prisma',
    ]);
    expect(prismaCommands.diffScript(o)).toEqual([
      'npx',
      '--no-install',
      'prisma',
      'migrate',
      'diff',
      '--from-schema-datasource',
      'prisma/schema.prisma',
      '--to-schema-datamodel',
      'prisma/schema.prisma',
      '--script',
    ]);
    for (const argv of [
      prismaCommands.status(o),
      prismaCommands.deploy(o),
      prismaCommands.diffScript(o),
    ]) {
      expect(argv.join(' ')).not.toMatch(/:\/\//);
    }
  });
});

describe('prisma migrate status', () => {
  test('up to date', () => {
    expect(parsePrismaStatus(UP_TO_DATE)).toEqual({
      found: 3,
      pending: [],
      failed: [],
      missingLocally: [],
      upToDate: true,
      noHistory: false,
    });
  });
  test('pending (plural and singular wording)', () => {
    expect(parsePrismaStatus(PENDING).pending).toEqual([
      '20240102000000_add_orders',
      '20240103000000_add_index',
    ]);
    expect(parsePrismaStatus(PENDING_ONE).pending).toEqual(['20240103000000_add_index']);
  });
  test('failed and diverged histories are check findings', () => {
    const failed = parsePrismaStatus(FAILED);
    expect(failed.failed).toEqual(['20240103000000_add_index']);
    expect(prismaFindings(failed)).toEqual([
      expect.objectContaining({
        code: 'failed',
        message: expect.stringContaining('20240103000000_add_index'),
      }),
    ]);
    const diverged = parsePrismaStatus(DIVERGED);
    expect(diverged.pending).toEqual(['20240103000000_add_index']);
    expect(diverged.missingLocally).toEqual(['20240102000000_add_orders_old']);
    expect(prismaFindings(diverged).map((f) => f.code)).toEqual(['missing-file']);
    expect(prismaFindings(parsePrismaStatus(PENDING))).toEqual([]);
  });
  test('an unreachable database is neither up to date nor pending', () => {
    const s = parsePrismaStatus(UNREACHABLE);
    expect(s.found).toBeUndefined();
    expect(s.upToDate).toBe(false);
    expect(s.pending).toEqual([]);
  });
});

describe('prisma migrate deploy', () => {
  test('applied migrations', () => {
    expect(parseDeployOutput(DEPLOY_OK)).toEqual({
      applied: ['20240102000000_add_orders', '20240103000000_add_index'],
      nothingPending: false,
      failed: undefined,
      error: undefined,
    });
    expect(parseDeployOutput(DEPLOY_NONE)).toMatchObject({ applied: [], nothingPending: true });
  });
  test('P3018: the failing migration is named and not counted as applied', () => {
    expect(parseDeployOutput(DEPLOY_P3018)).toEqual({
      applied: ['20240102000000_add_orders'],
      nothingPending: false,
      failed: '20240103000000_add_index',
      error: 'ERROR: relation "orders_user_idx" already exists',
    });
  });
});

describe('prisma project', () => {
  test('detection, local migrations and no revert', async () => {
    const dir = tmp('prisma');
    mkdirSync(join(dir, 'prisma/migrations/20240101000000_init'), { recursive: true });
    mkdirSync(join(dir, 'prisma/migrations/20240102000000_add_orders'), { recursive: true });
    writeFileSync(
      join(dir, 'prisma/schema.prisma'),
      'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
    );
    writeFileSync(
      join(dir, 'prisma/migrations/20240102000000_add_orders/migration.sql'),
      'CREATE TABLE orders (id int);',
    );
    writeFileSync(
      join(dir, 'prisma/migrations/20240101000000_init/migration.sql'),
      'CREATE TABLE users (id int);',
    );
    writeFileSync(join(dir, 'prisma/migrations/migration_lock.toml'), 'provider = "postgresql"\n');
    expect(detectTool(dir)).toBe('prisma');
    expect(localPrismaMigrations(dir)).toEqual([
      '20240101000000_init',
      '20240102000000_add_orders',
    ]);
    const tool = createPrismaTool({
      cwd: dir,
      lockWaitMs: 0,
      timeoutMs: 1000,
      migrationsDir: 'migrations',
      migrationsTable: 't',
      python: 'python3',
      log: () => undefined,
    });
    await expect(tool.revertTo({ migrations: ['20240101000000_init'] })).rejects.toThrow(
      /cannot be reverted by the tool.*restore the backup/,
    );
    await expect(tool.plan('20240101000000_init')).rejects.toThrow(/Input 'target'/);
  });
});
