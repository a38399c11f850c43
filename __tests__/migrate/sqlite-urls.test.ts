import { describe, expect, test } from '@jest/globals';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { copyFixture, expectFailure, expectOk, json, migrate, PYTHON } from './helpers.js';

/** Every .db file under dir, relative to it. */
function dbFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.db')) out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

function alembicRevision(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (
      db.prepare('SELECT version_num FROM alembic_version').all() as Array<{ version_num: string }>
    ).map((r) => r.version_num);
  } finally {
    db.close();
  }
}

describe('SQLite URLs: every accepted form reaches the same file for Alembic (SQLAlchemy)', () => {
  test('relative, SQLAlchemy relative, four-slash absolute, the older three-slash absolute, one-slash absolute', async () => {
    const ws = copyFixture('alembic');
    mkdirSync(join(ws, 'data'));
    const file = join(ws, 'data', 'app.db');
    const base = { python: PYTHON, 'require-backup': 'false' };

    // runbook-actions' relative form creates the file
    const a = await migrate(
      { ...base, 'database-url': 'sqlite:data/app.db', target: '1a2b3c4d5e01' },
      ws,
    );
    expectOk(a);
    expect(dbFiles(ws)).toEqual(['data/app.db']);
    expect(alembicRevision(file)).toEqual(['1a2b3c4d5e01']);

    // SQLAlchemy's relative form: three slashes and a path under the working directory
    const b = await migrate(
      { ...base, 'database-url': 'sqlite:///data/app.db', mode: 'status' },
      ws,
    );
    expectOk(b);
    expect(json(b, 'current-state')).toEqual({ revisions: ['1a2b3c4d5e01'] });

    // SQLAlchemy's absolute form
    const c = await migrate(
      { ...base, 'database-url': `sqlite:///${file}`, target: '2b3c4d5e6f02' },
      ws,
    );
    expectOk(c);
    expect(json(c, 'applied')).toEqual(['2b3c4d5e6f02']);
    expect(alembicRevision(file)).toEqual(['2b3c4d5e6f02']);

    // the form earlier versions documented as absolute (three slashes, then the path)
    const d = await migrate({ ...base, 'database-url': `sqlite://${file}` }, ws);
    expectOk(d);
    expect(json(d, 'applied')).toEqual(['3c4d5e6f7a03']);

    const e = await migrate({ ...base, 'database-url': `sqlite:${file}`, mode: 'status' }, ws);
    expectOk(e);
    expect(json(e, 'current-state')).toEqual({ revisions: ['3c4d5e6f7a03'] });

    // one file, the one every form named; no tool created another
    expect(dbFiles(ws)).toEqual(['data/app.db']);
    expect(alembicRevision(file)).toEqual(['3c4d5e6f7a03']);
  });

  test('a three-slash URL that could mean two different files is refused before anything runs', async () => {
    const ws = copyFixture('alembic');
    // both /<ws>/x.db and <ws>/<ws>/x.db could be meant: create the directories of both
    mkdirSync(join(ws, ws.slice(1)), { recursive: true });
    const run = await migrate(
      { python: PYTHON, 'require-backup': 'false', 'database-url': `sqlite://${ws}/x.db` },
      ws,
    );
    expectFailure(
      run,
      /^Input 'database-url': sqlite:\/\/\/.*x\.db is ambiguous: .*write sqlite:\/\/\/\//,
    );
    expect(dbFiles(ws)).toEqual([]);
  });
});
