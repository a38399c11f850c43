import type pg from 'pg';

/** The user tables of a PostgreSQL database: what backups count and restores compare. */

type Client = pg.Client;

export interface TableRef {
  schema: string;
  name: string;
}

const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2`;

/** The user tables (`schema.table`), without counting their rows. */
export async function listPgTables(client: Client): Promise<string[]> {
  return (await client.query<TableRef>(TABLES_SQL)).rows.map((t) => `${t.schema}.${t.name}`);
}

/** Exact row counts (count(*)) of every user table, keyed `schema.table`. */
export async function countPgTables(
  client: Client,
): Promise<{ counts: Record<string, number>; refs: TableRef[] }> {
  const refs = (await client.query<TableRef>(TABLES_SQL)).rows;
  const counts: Record<string, number> = {};
  for (const t of refs) {
    const sql = `SELECT count(*)::bigint AS n FROM ${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`;
    const r = await client.query<{ n: string }>(sql);
    counts[`${t.schema}.${t.name}`] = Number(r.rows[0].n);
  }
  return { counts, refs };
}
