/**
 * The PostgreSQL migration linter's cost.
 *  - parser load: a fresh process loading libpg-query (WASM) and parsing one statement;
 *  - a typical release: a fresh process linting 20 files (~20 statements each), load included
 *    (target from issue 15: < 300 ms added to `migrate check`);
 *  - throughput: 1,000 files of ~20 statements in one process, files/s and statements/s.
 *   npm run bench:lint [-- files] [runs]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const files = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 5);

/** A migration-like file: DDL, DML and a function body, about 20 statements. */
function migrationFile(i: number): string {
  const t = `t_${i}`;
  return [
    "SET lock_timeout = '5s';",
    `CREATE TABLE ${t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, at timestamptz DEFAULT now());`,
    `CREATE INDEX ${t}_name ON ${t} (name);`,
    `ALTER TABLE users ADD COLUMN c_${i} text;`,
    `ALTER TABLE users ADD COLUMN d_${i} integer NOT NULL DEFAULT 0;`,
    `CREATE INDEX CONCURRENTLY users_c_${i} ON users (c_${i});`,
    `ALTER TABLE orders ADD CONSTRAINT fk_${i} FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;`,
    `ALTER TABLE orders VALIDATE CONSTRAINT fk_${i};`,
    `INSERT INTO ${t} (name) SELECT name FROM users WHERE id % 7 = ${i % 7};`,
    `UPDATE users SET c_${i} = lower(name) WHERE c_${i} IS NULL;`,
    `CREATE VIEW v_${i} AS SELECT u.id, count(o.id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id;`,
    `CREATE FUNCTION f_${i}() RETURNS trigger AS $$ BEGIN NEW.at := now(); RETURN NEW; END; $$ LANGUAGE plpgsql;`,
    `CREATE TRIGGER trg_${i} BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION f_${i}();`,
    `COMMENT ON TABLE ${t} IS 'bench table ${i}';`,
    `GRANT SELECT ON ${t} TO PUBLIC;`,
    `ALTER TABLE ${t} ADD COLUMN note varchar(200);`,
    `DELETE FROM ${t} WHERE at < now() - interval '1 year';`,
    `CREATE TYPE s_${i} AS ENUM ('a', 'b', 'c');`,
    `ALTER TABLE users RENAME COLUMN c_${i} TO e_${i};`,
    `DROP INDEX IF EXISTS old_${i};`,
    '',
  ].join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function child(kind: string): Promise<void> {
  const t0 = performance.now();
  if (kind === 'load') {
    const { parse } = await import('libpg-query');
    await parse('SELECT 1');
  } else {
    const { lintSources } = await import('../src/migrations/lint/index.js');
    const sources = Array.from({ length: 20 }, (_, i) => ({
      file: `${i}.sql`,
      sql: migrationFile(i),
    }));
    await lintSources(sources);
  }
  process.stdout.write(String(performance.now() - t0));
}

function cold(kind: string): number {
  const self = fileURLToPath(import.meta.url);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [...process.execArgv, self, '--child', kind], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`child ${kind} failed: ${r.stderr}`);
    times.push(Number(r.stdout));
  }
  return median(times);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]);
  const load = cold('load');
  const release = cold('release');
  const { lintSources } = await import('../src/migrations/lint/index.js');
  const sources = Array.from({ length: files }, (_, i) => ({
    file: `${i}.sql`,
    sql: migrationFile(i),
  }));
  await lintSources(sources.slice(0, 1)); // parser loaded: measure the steady state
  const t0 = performance.now();
  const findings = await lintSources(sources);
  const ms = performance.now() - t0;
  const statements = files * 20;
  console.log(`lint bench (${files} files x 20 statements, cold runs: median of ${runs})`);
  console.log(`  parser load + first parse (fresh process): ${load.toFixed(0)} ms`);
  console.log(
    `  typical release, 20 files, load included (fresh process): ${release.toFixed(0)} ms (target < 300 ms)`,
  );
  console.log(
    `  throughput: ${(files / (ms / 1000)).toFixed(0)} files/s, ${(statements / (ms / 1000)).toFixed(0)} statements/s (${ms.toFixed(0)} ms, ${findings.length} findings)`,
  );
}

await main();
