import type pg from 'pg';

/**
 * Whole-database operations of a PostgreSQL restore: creating the database a backup is
 * restored into with the live one's properties, swapping it in by renaming, and the
 * clean-up SQL of an in-place restore. Every statement runs on a connection to another
 * database of the server (a database cannot be renamed from inside itself).
 */

type Client = pg.Client;

const ident = (c: Client, name: string): string => c.escapeIdentifier(name);
const literal = (c: Client, text: string): string => c.escapeLiteral(text);

/** What the restoring user may do with databases on this server. */
export interface DatabaseRights {
  superuser: boolean;
  createdb: boolean;
  /** the user can act as the live database's owner (needed to rename it) */
  ownsLive: boolean;
}

export async function databaseRights(admin: Client, live: string): Promise<DatabaseRights> {
  const r = await admin.query<{ rolsuper: boolean; rolcreatedb: boolean; owns: boolean | null }>(
    `SELECT rolsuper, rolcreatedb,
            (SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database WHERE datname = $1) AS owns
     FROM pg_roles WHERE rolname = current_user`,
    [live],
  );
  const row = r.rows[0];
  return { superuser: row.rolsuper, createdb: row.rolcreatedb, ownsLive: row.owns === true };
}

/** Whether a swap restore is possible: create a database, and rename the live one. */
export function canSwap(r: DatabaseRights): boolean {
  return r.superuser || (r.createdb && r.ownsLive);
}

export async function databaseExists(admin: Client, name: string): Promise<boolean> {
  const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return (r.rowCount ?? 0) > 0;
}

/** Drops a database, ending its sessions (PostgreSQL 13+); true when it is gone. */
export async function dropDatabase(admin: Client, name: string): Promise<boolean> {
  await admin.query(`DROP DATABASE IF EXISTS ${ident(admin, name)} WITH (FORCE)`);
  return !(await databaseExists(admin, name));
}

interface LiveProperties {
  owner: string;
  encoding: string;
  datcollate: string;
  datctype: string;
  datlocprovider?: string;
  daticulocale?: string | null;
  datconnlimit: number;
  acl: Array<{ grantee: string | null; privilege: string; grantable: boolean }> | null;
  comment: string | null;
  settings: Array<{ role: string | null; setting: string }>;
  ownerUsable: boolean;
}

async function liveProperties(admin: Client, live: string): Promise<LiveProperties> {
  const r = await admin.query<{ p: LiveProperties }>(
    `SELECT jsonb_build_object(
       'owner', pg_get_userbyid(d.datdba),
       'ownerUsable', (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                      OR pg_has_role(current_user, d.datdba, 'MEMBER'),
       'encoding', pg_encoding_to_char(d.encoding),
       'datconnlimit', d.datconnlimit,
       'comment', shobj_description(d.oid, 'pg_database'),
       'acl', (SELECT jsonb_agg(jsonb_build_object(
                 'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END,
                 'privilege', a.privilege_type, 'grantable', a.is_grantable))
               FROM aclexplode(d.datacl) a),
       'settings', coalesce((SELECT jsonb_agg(jsonb_build_object(
                 'role', CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END,
                 'setting', c.setting))
               FROM pg_db_role_setting s, unnest(s.setconfig) AS c(setting)
               WHERE s.setdatabase = d.oid), '[]'::jsonb)
     ) || (to_jsonb(d) - 'datacl' - 'datdba' - 'encoding' - 'datconnlimit') AS p
     FROM pg_database d WHERE d.datname = $1`,
    [live],
  );
  if (r.rows.length === 0) throw new Error(`database ${live} does not exist`);
  return r.rows[0].p;
}

/**
 * Creates `name` from template0 with the live database's owner, encoding, locale, connection
 * limit, privileges, settings and comment (what `pg_dump` without `--create` does not carry).
 * Returns warnings for what could not be copied.
 */
export async function createDatabaseLike(
  admin: Client,
  name: string,
  live: string,
): Promise<string[]> {
  const p = await liveProperties(admin, live);
  const warnings: string[] = [];
  const opts = [
    'TEMPLATE template0',
    `ENCODING ${literal(admin, p.encoding)}`,
    `LC_COLLATE ${literal(admin, p.datcollate)}`,
    `LC_CTYPE ${literal(admin, p.datctype)}`,
    `CONNECTION LIMIT ${Number(p.datconnlimit)}`,
  ];
  if (p.datlocprovider === 'i' && p.daticulocale) {
    opts.push('LOCALE_PROVIDER icu', `ICU_LOCALE ${literal(admin, p.daticulocale)}`);
  }
  if (p.ownerUsable) opts.push(`OWNER ${ident(admin, p.owner)}`);
  else
    warnings.push(
      `the restored database is owned by the restoring user, not '${p.owner}' (not a member of that role).`,
    );
  await admin.query(`CREATE DATABASE ${ident(admin, name)} ${opts.join(' ')}`);
  const db = ident(admin, name);
  const follow: string[] = [];
  if (p.acl !== null) {
    follow.push(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
    for (const a of p.acl) {
      const to = a.grantee === null ? 'PUBLIC' : ident(admin, a.grantee);
      follow.push(
        `GRANT ${a.privilege} ON DATABASE ${db} TO ${to}${a.grantable ? ' WITH GRANT OPTION' : ''}`,
      );
    }
  }
  for (const s of p.settings) {
    const eq = s.setting.indexOf('=');
    const set = `SET ${ident(admin, s.setting.slice(0, eq))} = ${literal(admin, s.setting.slice(eq + 1))}`;
    follow.push(
      s.role === null
        ? `ALTER DATABASE ${db} ${set}`
        : `ALTER ROLE ${ident(admin, s.role)} IN DATABASE ${db} ${set}`,
    );
  }
  if (p.comment !== null) follow.push(`COMMENT ON DATABASE ${db} IS ${literal(admin, p.comment)}`);
  for (const sql of follow) {
    try {
      await admin.query(sql);
    } catch (err) {
      warnings.push(`${sql.split(' ').slice(0, 4).join(' ')}… failed: ${(err as Error).message}`);
    }
  }
  return warnings;
}

const IN_USE = '55006';

/**
 * Renames live -> kept and restored -> live in one short step: new connections to the live
 * database are refused, its sessions ended, then both renames run; if the second fails, the
 * first is undone. The kept database accepts connections again afterwards (for an undo).
 */
export async function swapDatabases(
  admin: Client,
  live: string,
  restored: string,
  kept: string,
): Promise<void> {
  const L = ident(admin, live);
  const K = ident(admin, kept);
  await admin.query(`ALTER DATABASE ${L} ALLOW_CONNECTIONS false`);
  try {
    for (let attempt = 1; ; attempt++) {
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [live],
      );
      try {
        await admin.query(`ALTER DATABASE ${L} RENAME TO ${K}`);
        break;
      } catch (err) {
        // a terminated session may take a moment to exit
        if ((err as { code?: string }).code !== IN_USE || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await admin.query(`ALTER DATABASE ${L} ALLOW_CONNECTIONS true`).catch(() => undefined);
    throw err;
  }
  try {
    await admin.query(`ALTER DATABASE ${ident(admin, restored)} RENAME TO ${L}`);
  } catch (err) {
    await admin.query(`ALTER DATABASE ${K} RENAME TO ${L}`).catch(() => undefined);
    await admin.query(`ALTER DATABASE ${L} ALLOW_CONNECTIONS true`).catch(() => undefined);
    throw err;
  }
  await admin.query(`ALTER DATABASE ${K} ALLOW_CONNECTIONS true`);
}

/** `<db>_before_rollback_<yyyymmddThhmmssZ>` within PostgreSQL's 63-byte name limit. */
export function keptDatabaseName(live: string, stamp: string): string {
  const suffix = `_before_rollback_${stamp.toLowerCase()}`;
  return `${truncateBytes(live, 63 - suffix.length)}${suffix}`;
}

/**
 * keptDatabaseName, numbered `_2`, `_3`… when a rollback in the same second already kept one
 * (undoing a rollback right after it must not fail on the name).
 */
export async function unusedKeptName(admin: Client, live: string, stamp: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = keptDatabaseName(live, n === 1 ? stamp : `${stamp}_${n}`);
    const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rowCount === 0) return name;
  }
}

/** The name the backup is restored under before the swap. */
export function restoringDatabaseName(live: string, random: string): string {
  const suffix = `_rollback_${random}`;
  return `${truncateBytes(live, 63 - suffix.length)}${suffix}`;
}

function truncateBytes(text: string, max: number): string {
  let out = text;
  while (Buffer.byteLength(out) > max) out = out.slice(0, -1);
  return out;
}

/**
 * SQL that empties the schemas a backup contains before an in-place restore, in the same
 * transaction as the restore. Other schemas are dropped whole (CASCADE), with the extensions
 * that live in them. `public` is kept — dropping it would lose PostgreSQL 15's defaults
 * (owner pg_database_owner, its ACL recorded in pg_init_privs, its comment) — so its objects
 * are dropped one by one (partitioned tables first, then other relations, routines, types,
 * operator families, operators, text search configurations and dictionaries, collations,
 * conversions; members of extensions are left to their extension), and its owner, ACL and
 * comment are reset to those defaults for the backup to reapply its own.
 */
export function inPlaceCleanSql(schemas: readonly string[]): string {
  const list = [...new Set(schemas)]
    .filter((s) => s !== 'public')
    .sort()
    .map((s) => `'${s.replace(/'/g, "''")}'`);
  const others = list.length > 0 ? `ARRAY[${list.join(', ')}]::text[]` : `ARRAY[]::text[]`;
  return `SET client_min_messages = warning;
DO $runbook$
DECLARE
  r record;
  pub oid := to_regnamespace('public');
BEGIN
  FOR r IN SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
           WHERE n.nspname = ANY(${others}) OR n.oid = pub LOOP
    IF r.extname <> 'plpgsql' THEN EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname); END IF;
  END LOOP;
  FOR r IN SELECT nspname FROM pg_namespace WHERE nspname = ANY(${others}) LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
  END LOOP;
  IF pub IS NULL THEN
    CREATE SCHEMA public;
    RETURN;
  END IF;
  FOR r IN SELECT c.oid, c.relkind FROM pg_class c
           WHERE c.relnamespace = pub AND c.relkind IN ('p', 'r', 'v', 'm', 'f', 'S') AND NOT c.relispartition
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
           ORDER BY c.relkind = 'p' DESC, c.relkind = 'r' DESC LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = r.oid);
    EXECUTE format('DROP %s IF EXISTS %s CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                     WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
      r.oid::regclass);
  END LOOP;
  FOR r IN SELECT p.oid, p.prokind FROM pg_proc p WHERE p.pronamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_proc WHERE oid = r.oid);
    EXECUTE format('DROP %s IF EXISTS %s CASCADE',
      CASE r.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, r.oid::regprocedure);
  END LOOP;
  FOR r IN SELECT t.oid, t.typtype FROM pg_type t
           WHERE t.typnamespace = pub AND t.typtype IN ('e', 'd', 'r', 'c', 'b')
             AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
             AND NOT EXISTS (SELECT 1 FROM pg_type a WHERE a.typarray = t.oid)
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_type WHERE oid = r.oid);
    EXECUTE format('DROP %s IF EXISTS %s CASCADE',
      CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.oid::regtype);
  END LOOP;
  FOR r IN SELECT f.oid, f.opfname, a.amname FROM pg_opfamily f JOIN pg_am a ON a.oid = f.opfmethod
           WHERE f.opfnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = f.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP OPERATOR FAMILY IF EXISTS public.%I USING %I CASCADE', r.opfname, r.amname);
  END LOOP;
  FOR r IN SELECT o.oid FROM pg_operator o WHERE o.oprnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = o.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_operator WHERE oid = r.oid);
    EXECUTE format('DROP OPERATOR IF EXISTS %s CASCADE', r.oid::regoperator);
  END LOOP;
  FOR r IN SELECT c.oid FROM pg_ts_config c WHERE c.cfgnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE oid = r.oid);
    EXECUTE format('DROP TEXT SEARCH CONFIGURATION IF EXISTS %s CASCADE', r.oid::regconfig);
  END LOOP;
  FOR r IN SELECT t.oid FROM pg_ts_dict t WHERE t.dictnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE oid = r.oid);
    EXECUTE format('DROP TEXT SEARCH DICTIONARY IF EXISTS %s CASCADE', r.oid::regdictionary);
  END LOOP;
  FOR r IN SELECT c.oid FROM pg_collation c WHERE c.collnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_collation WHERE oid = r.oid);
    EXECUTE format('DROP COLLATION IF EXISTS %s CASCADE', r.oid::regcollation);
  END LOOP;
  FOR r IN SELECT c.conname FROM pg_conversion c WHERE c.connamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP CONVERSION IF EXISTS public.%I', r.conname);
  END LOOP;
  IF to_regrole('pg_database_owner') IS NOT NULL THEN
    ALTER SCHEMA public OWNER TO pg_database_owner;
    COMMENT ON SCHEMA public IS 'standard public schema';
  END IF;
  FOR r IN SELECT DISTINCT a.grantee FROM pg_namespace n, aclexplode(n.nspacl) a
           WHERE n.oid = pub AND a.grantee <> n.nspowner LOOP
    EXECUTE format('REVOKE ALL ON SCHEMA public FROM %s',
      CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.grantee)) END);
  END LOOP;
  FOR r IN SELECT a.grantee, a.privilege_type FROM pg_init_privs i, aclexplode(i.initprivs) a
           WHERE i.classoid = 'pg_namespace'::regclass AND i.objoid = pub
             AND a.grantee <> (SELECT nspowner FROM pg_namespace WHERE oid = pub) LOOP
    EXECUTE format('GRANT %s ON SCHEMA public TO %s', r.privilege_type,
      CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.grantee)) END);
  END LOOP;
END
$runbook$;
RESET client_min_messages;
`;
}
