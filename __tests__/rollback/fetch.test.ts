import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startResultsServer, type ResultsServer } from '../support/results-server.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

let results: ResultsServer;
const dir = tempDir('rollback-fetch');
beforeAll(async () => {
  results = await startResultsServer();
});
afterAll(async () => {
  await results?.stop();
  await removeDir(dir);
});

function sql(path: string, text: string): void {
  const db = new DatabaseSync(path);
  try {
    db.exec(text);
  } finally {
    db.close();
  }
}

function names(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare('SELECT name FROM items ORDER BY id').all() as Array<{ name: string }>).map(
      (r) => r.name,
    );
  } finally {
    db.close();
  }
}

describe('the backup is fetched first', () => {
  for (const upload of ['artifact', 'cache'] as const) {
    test(`from the ${upload} backup-db uploaded it to; sha256 checked; restored`, async () => {
      const path = join(dir, `${upload}.db`);
      sql(
        path,
        `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('a'), ('b');`,
      );
      const b = await runChecked(
        'backup-db',
        { 'database-url': `sqlite://${path}`, upload, name: `${upload}-backup` },
        [results.token],
        { env: results.env },
      );
      expectOk(b);
      sql(path, `DELETE FROM items; INSERT INTO items (name) VALUES ('z');`);
      const source: Record<string, string> =
        upload === 'artifact'
          ? { 'backup-artifact': b.outputs.name }
          : { 'backup-cache-key': b.outputs['cache-key'] };
      const run = await rollback(
        {
          targets: 'database',
          'database-url': `sqlite://${path}`,
          ...source,
          'safety-backup': 'false',
        },
        [results.token],
        { env: results.env },
      );
      expectOk(run);
      expect(rolledBack(run)).toEqual(['database']);
      expect(names(path)).toEqual(['a', 'b']);
      expect(run.outputs['restored-from']).toMatch(new RegExp(`${upload}-backup\\.sqlite3\\.gz$`));
    });
  }

  test('an unknown cache key: a clear error, nothing changed', async () => {
    const path = join(dir, 'missing.db');
    sql(
      path,
      `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('keep');`,
    );
    const run = await rollback(
      {
        targets: 'database',
        'database-url': `sqlite://${path}`,
        'backup-cache-key': 'no-such-key',
      },
      [results.token],
      { env: results.env },
    );
    expectFailure(run, /no cache entry has the key 'no-such-key'/);
    expect(names(path)).toEqual(['keep']);
  });
});
