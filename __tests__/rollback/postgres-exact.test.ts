/**
 * Rollback makes a realistic PostgreSQL database equal to its backup: partitioned table with a
 * primary key, trigger, views, materialized view, enum, domain, sequences, extensions, roles
 * with grants, a schema owned by another role, comments — for custom, directory and plain.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, runTool, tempDir } from '../support/services/common.js';
import { expectOk, rollback, rolledBack, runChecked } from './helpers.js';

let server: PostgresServer;
const root = tempDir('rollback-pg-exact');

/** The original database; `o` and `r` are this database's owner and reader roles. */
const setupSql = (o: string, r: string): string => `
CREATE EXTENSION pgcrypto;
CREATE EXTENSION citext;
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE DOMAIN positive_amount AS numeric(12,2) CHECK (VALUE > 0);
CREATE TABLE customers (id serial PRIMARY KEY, email citext UNIQUE NOT NULL,
  token text NOT NULL DEFAULT encode(gen_random_bytes(8), 'hex'), updated_at timestamptz);
COMMENT ON TABLE customers IS 'people who buy';
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, at date NOT NULL,
  customer_id int REFERENCES customers(id), status order_status NOT NULL, amount positive_amount,
  PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW paid_events AS SELECT * FROM events WHERE status = 'paid';
CREATE MATERIALIZED VIEW customer_totals AS
  SELECT customer_id, sum(amount) AS total, count(*) AS n FROM events GROUP BY customer_id;
CREATE SEQUENCE invoice_no START 1000;
CREATE TEXT SEARCH DICTIONARY shop_simple (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION shop_search (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION shop_search ALTER MAPPING FOR asciiword WITH shop_simple;
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE OPERATOR === (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_catalog.texteq);
CREATE TABLE tags (name text COLLATE ci PRIMARY KEY,
  doc tsvector GENERATED ALWAYS AS (to_tsvector('shop_search', name)) STORED);
INSERT INTO tags (name) SELECT 'Tag ' || i FROM generate_series(1, 20) i;
CREATE SCHEMA billing AUTHORIZATION ${o};
CREATE TABLE billing.invoices (no bigint PRIMARY KEY DEFAULT nextval('public.invoice_no'),
  customer_id int, total numeric);
ALTER TABLE billing.invoices OWNER TO ${o};
GRANT USAGE ON SCHEMA billing TO ${r};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r};
GRANT SELECT ON billing.invoices TO ${r};
GRANT CREATE ON SCHEMA public TO ${r};
INSERT INTO customers (email) SELECT 'User' || i || '@Example.com' FROM generate_series(1, 200) i;
INSERT INTO events (at, customer_id, status, amount)
  SELECT date '2024-01-01' + (i % 1000), 1 + i % 200, (ARRAY['new','paid','shipped'])[1 + i % 3]::order_status, 1 + i % 97
  FROM generate_series(1, 3000) i;
INSERT INTO billing.invoices (customer_id, total) SELECT i, i * 2 FROM generate_series(1, 50) i;
SELECT setval('invoice_no', 5000);
SELECT setval('customers_id_seq', 400);
REFRESH MATERIALIZED VIEW customer_totals;
`;

/** A bad release: data changed, a table dropped, a column added, grants revoked and added, sequences moved, a table added. */
const badReleaseSql = (r: string): string => `
UPDATE customers SET email = email || '.bad' WHERE id % 5 = 0;
DELETE FROM events WHERE status = 'new';
DROP TABLE billing.invoices;
ALTER TABLE customers ADD COLUMN phone text;
REVOKE SELECT ON customers FROM ${r};
REVOKE CREATE ON SCHEMA public FROM ${r};
GRANT USAGE ON SCHEMA billing TO PUBLIC;
SELECT setval('invoice_no', 9000);
SELECT setval('customers_id_seq', 999);
CREATE TABLE audit_log (id serial PRIMARY KEY, msg text);
INSERT INTO audit_log (msg) VALUES ('bad');
`;

interface Snapshot {
  schema: string;
  data: Record<string, { rows: number; sum: string }>;
  owners: Array<Record<string, unknown>>;
  schemas: Array<Record<string, unknown>>;
  sequences: Array<Record<string, unknown>>;
}

async function snapshot(db: string): Promise<Snapshot> {
  const schema = await runTool(join(server.binDir, 'pg_dump'), ['--schema-only', '--dbname', db], {
    env: { ...process.env, ...server.env },
  });
  const tables = await server.query<{ s: string; t: string }>(
    `SELECT n.nspname AS s, c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2`,
    [],
    db,
  );
  const data: Snapshot['data'] = {};
  for (const { s, t } of tables) {
    const [r] = await server.query<{ n: string; sum: string }>(
      `SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS sum FROM "${s}"."${t}" x`,
      [],
      db,
    );
    data[`${s}.${t}`] = { rows: Number(r.n), sum: r.sum };
  }
  return {
    // pg_dump 15.14+ brackets the script with a random \restrict key
    schema: schema.replace(/^\\(un)?restrict \S+$/gm, ''),
    data,
    owners: await server.query(
      `SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner) AS owner, c.relacl::text AS acl
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('public', 'billing') ORDER BY 1, 2`,
      [],
      db,
    ),
    schemas: await server.query(
      `SELECT nspname, pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl,
              obj_description(oid, 'pg_namespace') AS comment
       FROM pg_namespace WHERE nspname IN ('public', 'billing') ORDER BY 1`,
      [],
      db,
    ),
    sequences: await server.query(
      `SELECT schemaname, sequencename, last_value::text FROM pg_sequences ORDER BY 1, 2`,
      [],
      db,
    ),
  };
}

let n = 0;
async function freshDatabase(
  setupAs?: string,
): Promise<{ db: string; owner: string; reader: string }> {
  const db = `exact_${++n}`;
  const owner = `${db}_owner`;
  const reader = `${db}_reader`;
  await server.createDatabase(db);
  await server.query(`CREATE ROLE ${owner} NOLOGIN; CREATE ROLE ${reader} NOLOGIN;`);
  if (setupAs) {
    await server.query(`GRANT ${owner} TO ${setupAs}; ALTER DATABASE ${db} OWNER TO ${setupAs};`);
  }
  await server.query(
    `${setupAs ? `SET ROLE ${setupAs};` : ''}${setupSql(owner, reader)}`,
    undefined,
    db,
  );
  return { db, owner, reader };
}

async function backup(db: string, format: string): Promise<string> {
  const run = await runChecked(
    'backup-db',
    {
      'database-url': server.url(db),
      'output-dir': join(root, `${db}-${format}`),
      upload: 'none',
      format,
      verify: 'restore',
    },
    [server.password],
  );
  expectOk(run);
  return run.outputs['manifest-path'];
}

const warnings = (stdout: string): string[] =>
  stdout.split('\n').filter((l) => l.startsWith('::warning'));

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  await removeDir(root);
});

describe('rollback restores exactly what was backed up (PostgreSQL)', () => {
  for (const format of ['custom', 'directory', 'plain']) {
    test(`${format}: swap; schema, data, owners, grants, public defaults and sequences equal the original; the new table is named; the kept database undoes it`, async () => {
      const { db, reader } = await freshDatabase();
      const original = await snapshot(db);
      const manifest = await backup(db, format);
      await server.query(badReleaseSql(reader), undefined, db);
      const bad = await snapshot(db);
      expect(bad.schema).not.toBe(original.schema);

      const run = await rollback(
        {
          targets: 'database',
          'database-url': server.url(db),
          'backup-manifest': manifest,
          'safety-backup': 'false',
        },
        [server.password],
      );
      expectOk(run);
      expect(rolledBack(run)).toEqual(['database']);
      const after = await snapshot(db);
      expect(after.schema).toBe(original.schema);
      expect(after).toEqual(original);
      expect(JSON.parse(run.outputs['extra-tables'])).toEqual(['public.audit_log']);
      expect(run.summary).toContain('public.audit_log');
      expect(warnings(run.stdout).join('\n')).toContain('public.audit_log');
      const kept = run.outputs['replaced-database'];
      expect(kept).toMatch(new RegExp(`^${db}_before_rollback_\\d{8}t\\d{6}z$`));
      expect(run.summary).toContain(kept);
      expect(run.summary).toMatch(/swapped in by rename \(\d+ ms\)/);

      // the kept database is the bad release, whole: swapping the names back undoes the rollback
      expect(await snapshot(kept)).toEqual(bad);
      await server.query(
        `ALTER DATABASE ${db} RENAME TO ${db}_rolled; ALTER DATABASE ${kept} RENAME TO ${db};`,
      );
      expect(await snapshot(db)).toEqual(bad);
      await server.dropDatabase(`${db}_rolled`);
    });
  }

  for (const format of ['custom', 'plain']) {
    test(`${format}: roles missing on the target are named in a warning; everything else is restored`, async () => {
      const { db, owner, reader } = await freshDatabase();
      const original = await snapshot(db);
      const manifest = await backup(db, format);
      await server.query(badReleaseSql(reader), undefined, db);
      for (const role of [owner, reader]) {
        await server.query(`REASSIGN OWNED BY ${role} TO postgres; DROP OWNED BY ${role};`, [], db);
        await server.query(`DROP ROLE ${role}`);
      }
      const run = await rollback(
        {
          targets: 'database',
          'database-url': server.url(db),
          'backup-manifest': manifest,
          'safety-backup': 'false',
          'keep-replaced': 'false',
        },
        [server.password],
      );
      expectOk(run);
      const warned = warnings(run.stdout).join('\n');
      expect(warned).toContain(`roles missing on the target server: ${owner}, ${reader}`);
      const after = await snapshot(db);
      expect(after.data).toEqual(original.data);
      expect(after.sequences).toEqual(original.sequences);
      const invoices = after.owners.find((o) => o.relname === 'invoices');
      expect(invoices?.owner).toBe('postgres');
      expect(JSON.stringify(after.owners)).not.toContain(reader);
      // public keeps PostgreSQL 15's defaults; only the dropped reader's grant is gone
      const pub = original.schemas.find((s) => s.nspname === 'public');
      expect(after.schemas.find((s) => s.nspname === 'public')).toEqual({
        ...pub,
        acl: String(pub?.acl).replace(`,${reader}=C/pg_database_owner`, ''),
      });
      expect(String(pub?.acl)).toContain(reader);
      expect(run.outputs['replaced-database']).toBe('');
      const left = await server.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
        `${db}_%`,
      ]);
      expect(left).toEqual([]);
    });
  }

  for (const format of ['custom', 'plain']) {
    test(`${format}: a user without CREATEDB gets an in-place restore with the same result`, async () => {
      const deployer = `deployer_${n + 1}`;
      const password = 'Dep-loy3r pw';
      await server.query(`CREATE ROLE ${deployer} LOGIN NOCREATEDB PASSWORD '${password}'`);
      const { db, reader } = await freshDatabase(deployer);
      const original = await snapshot(db);
      const manifest = await backup(db, format);
      await server.query(`SET ROLE ${deployer}; ${badReleaseSql(reader)}`, undefined, db);
      const url = `postgres://${deployer}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${db}`;
      const run = await rollback(
        { targets: 'database', 'database-url': url, 'backup-manifest': manifest },
        [server.password, password],
      );
      expectOk(run);
      expect(run.summary).toContain('in place');
      expect(warnings(run.stdout).join('\n')).not.toMatch(/roles missing/);
      const after = await snapshot(db);
      expect(after.schema).toBe(original.schema);
      expect(after).toEqual(original);
      expect(JSON.parse(run.outputs['extra-tables'])).toEqual(['public.audit_log']);
      expect(run.outputs['replaced-database']).toBe('');
      // the safety backup (taken by the same user) holds the bad release
      expect(run.outputs['safety-backup-path']).toMatch(/-pre-rollback-/);
    });
  }
});
