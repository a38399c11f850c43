import { afterAll } from '@jest/globals';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/services/common.js';
import { schemaDump, sqliteRows } from './helpers.js';
import { defineSqlEngineTests } from './sql-suite.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

defineSqlEngineTests({
  engine: 'sqlite',
  missingTableError: /no such table: no_such_table/,
  secrets: () => [],
  async newDb() {
    const dir = tempDir('migrate-sqlite');
    dirs.push(dir);
    const path = join(dir, 'app.db');
    return {
      url: `sqlite://${path}`,
      dump: () => schemaDump({ sqlite: path }),
      rows: async (sql) => (existsSync(path) ? sqliteRows(path, sql) : []),
      hasTable: async (name) =>
        sqliteRows(path, `SELECT name FROM sqlite_master WHERE type = 'table'`).some(
          (r) => r.name === name,
        ),
    };
  },
});
