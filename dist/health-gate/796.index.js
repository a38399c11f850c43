export const id = 796;
export const ids = [796];
export const modules = {

/***/ 27796:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  replacePostgres: () => (/* binding */ replacePostgres)
});

// UNUSED EXPORTS: archiveSchemas, schemaCreatedBy

// EXTERNAL MODULE: external "node:readline"
var external_node_readline_ = __webpack_require__(80481);
// EXTERNAL MODULE: ./src/kit/errors.ts
var errors = __webpack_require__(73713);
// EXTERNAL MODULE: ./src/kit/exec.ts
var exec = __webpack_require__(29495);
// EXTERNAL MODULE: ./src/db/backup.ts + 1 modules
var backup = __webpack_require__(99022);
// EXTERNAL MODULE: ./src/db/engine.ts
var engine = __webpack_require__(25978);
// EXTERNAL MODULE: ./src/db/live-restore.ts
var live_restore = __webpack_require__(33037);
// EXTERNAL MODULE: ./src/db/compression.ts + 1 modules
var compression = __webpack_require__(59757);
// EXTERNAL MODULE: ./src/db/postgres.ts
var postgres = __webpack_require__(1343);
;// CONCATENATED MODULE: ./src/db/postgres-tables.ts
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
async function listPgTables(client) {
    return (await client.query(TABLES_SQL)).rows.map((t) => `${t.schema}.${t.name}`);
}
/** Exact row counts (count(*)) of every user table, keyed `schema.table`. */
async function countPgTables(client) {
    const refs = (await client.query(TABLES_SQL)).rows;
    const counts = {};
    for (const t of refs) {
        const sql = `SELECT count(*)::bigint AS n FROM ${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`;
        const r = await client.query(sql);
        counts[`${t.schema}.${t.name}`] = Number(r.rows[0].n);
    }
    return { counts, refs };
}

// EXTERNAL MODULE: ./src/db/postgres-argv.ts
var postgres_argv = __webpack_require__(76774);
;// CONCATENATED MODULE: ./src/db/postgres-database.ts
const ident = (c, name) => c.escapeIdentifier(name);
const literal = (c, text) => c.escapeLiteral(text);
async function databaseRights(admin, live) {
    const r = await admin.query(`SELECT rolsuper, rolcreatedb,
            (SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database WHERE datname = $1) AS owns
     FROM pg_roles WHERE rolname = current_user`, [live]);
    const row = r.rows[0];
    return { superuser: row.rolsuper, createdb: row.rolcreatedb, ownsLive: row.owns === true };
}
/** Whether a swap restore is possible: create a database, and rename the live one. */
function canSwap(r) {
    return r.superuser || (r.createdb && r.ownsLive);
}
async function databaseExists(admin, name) {
    const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return (r.rowCount ?? 0) > 0;
}
/** Drops a database, ending its sessions (PostgreSQL 13+); true when it is gone. */
async function dropDatabase(admin, name) {
    await admin.query(`DROP DATABASE IF EXISTS ${ident(admin, name)} WITH (FORCE)`);
    return !(await databaseExists(admin, name));
}
async function liveProperties(admin, live) {
    const r = await admin.query(`SELECT jsonb_build_object(
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
     FROM pg_database d WHERE d.datname = $1`, [live]);
    if (r.rows.length === 0)
        throw new Error(`database ${live} does not exist`);
    return r.rows[0].p;
}
/**
 * Creates `name` from template0 with the live database's owner, encoding, locale, connection
 * limit, privileges, settings and comment (what `pg_dump` without `--create` does not carry).
 * Returns warnings for what could not be copied.
 */
async function createDatabaseLike(admin, name, live) {
    const p = await liveProperties(admin, live);
    const warnings = [];
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
    if (p.ownerUsable)
        opts.push(`OWNER ${ident(admin, p.owner)}`);
    else
        warnings.push(`the restored database is owned by the restoring user, not '${p.owner}' (not a member of that role).`);
    await admin.query(`CREATE DATABASE ${ident(admin, name)} ${opts.join(' ')}`);
    const db = ident(admin, name);
    const follow = [];
    if (p.acl !== null) {
        follow.push(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
        for (const a of p.acl) {
            const to = a.grantee === null ? 'PUBLIC' : ident(admin, a.grantee);
            follow.push(`GRANT ${a.privilege} ON DATABASE ${db} TO ${to}${a.grantable ? ' WITH GRANT OPTION' : ''}`);
        }
    }
    for (const s of p.settings) {
        const eq = s.setting.indexOf('=');
        const set = `SET ${ident(admin, s.setting.slice(0, eq))} = ${literal(admin, s.setting.slice(eq + 1))}`;
        follow.push(s.role === null
            ? `ALTER DATABASE ${db} ${set}`
            : `ALTER ROLE ${ident(admin, s.role)} IN DATABASE ${db} ${set}`);
    }
    if (p.comment !== null)
        follow.push(`COMMENT ON DATABASE ${db} IS ${literal(admin, p.comment)}`);
    for (const sql of follow) {
        try {
            await admin.query(sql);
        }
        catch (err) {
            warnings.push(`${sql.split(' ').slice(0, 4).join(' ')}… failed: ${err.message}`);
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
async function swapDatabases(admin, live, restored, kept) {
    const L = ident(admin, live);
    const K = ident(admin, kept);
    await admin.query(`ALTER DATABASE ${L} ALLOW_CONNECTIONS false`);
    try {
        for (let attempt = 1;; attempt++) {
            await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [live]);
            try {
                await admin.query(`ALTER DATABASE ${L} RENAME TO ${K}`);
                break;
            }
            catch (err) {
                // a terminated session may take a moment to exit
                if (err.code !== IN_USE || attempt >= 50)
                    throw err;
                await new Promise((r) => setTimeout(r, 100));
            }
        }
    }
    catch (err) {
        await admin.query(`ALTER DATABASE ${L} ALLOW_CONNECTIONS true`).catch(() => undefined);
        throw err;
    }
    try {
        await admin.query(`ALTER DATABASE ${ident(admin, restored)} RENAME TO ${L}`);
    }
    catch (err) {
        await admin.query(`ALTER DATABASE ${K} RENAME TO ${L}`).catch(() => undefined);
        await admin.query(`ALTER DATABASE ${L} ALLOW_CONNECTIONS true`).catch(() => undefined);
        throw err;
    }
    await admin.query(`ALTER DATABASE ${K} ALLOW_CONNECTIONS true`);
}
/** `<db>_before_rollback_<yyyymmddThhmmssZ>` within PostgreSQL's 63-byte name limit. */
function keptDatabaseName(live, stamp) {
    const suffix = `_before_rollback_${stamp.toLowerCase()}`;
    return `${truncateBytes(live, 63 - suffix.length)}${suffix}`;
}
/**
 * keptDatabaseName, numbered `_2`, `_3`… when a rollback in the same second already kept one
 * (undoing a rollback right after it must not fail on the name).
 */
async function unusedKeptName(admin, live, stamp) {
    for (let n = 1;; n++) {
        const name = keptDatabaseName(live, n === 1 ? stamp : `${stamp}_${n}`);
        const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (r.rowCount === 0)
            return name;
    }
}
/** The name the backup is restored under before the swap. */
function restoringDatabaseName(live, random) {
    const suffix = `_rollback_${random}`;
    return `${truncateBytes(live, 63 - suffix.length)}${suffix}`;
}
function truncateBytes(text, max) {
    let out = text;
    while (Buffer.byteLength(out) > max)
        out = out.slice(0, -1);
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
function inPlaceCleanSql(schemas) {
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

// EXTERNAL MODULE: ./src/db/postgres-restore.ts + 1 modules
var postgres_restore = __webpack_require__(31571);
;// CONCATENATED MODULE: ./src/db/postgres-replace.ts












const INPUT = 'database-url';
/** A connection to another database of the server (`postgres`, else `template1`). */
async function maintenanceClient(target, timeoutMs) {
    try {
        return await (0,postgres.connect)(INPUT, target, 'postgres', timeoutMs);
    }
    catch (err) {
        if (!/does not exist/.test(String(err)))
            throw err;
        return (0,postgres.connect)(INPUT, target, 'template1', timeoutMs);
    }
}
/** The schemas a backup contains (`public` always: pg_dump never creates it). */
async function archiveSchemas(binDir, a, timeoutMs) {
    const found = new Set(['public']);
    const input = (0,postgres_restore/* pgArchiveInput */.cs)(a);
    if (a.format === 'plain') {
        if (input.kind !== 'stream')
            throw new Error('plain dumps are read as streams');
        for await (const line of (0,external_node_readline_.createInterface)({ input: input.open(), crlfDelay: Infinity })) {
            const s = schemaCreatedBy(line);
            if (s !== undefined)
                found.add(s);
        }
        return [...found];
    }
    const r = await (0,exec/* execArgv */.E)((0,postgres_argv/* pgRestoreListArgv */.KQ)(binDir, input.kind === 'path' ? input.path : undefined), {
        stdin: input.kind === 'stream' ? input.open() : undefined,
        timeoutMs,
        label: 'pg_restore --list',
    });
    for (const line of r.stdout.split('\n')) {
        const m = /^\d+; \d+ \d+ SCHEMA - (.+) \S+$/.exec(line);
        if (m)
            found.add(m[1]);
    }
    return [...found];
}
/** The schema of a plain dump's `CREATE SCHEMA name;` line (quoted names unquoted). */
function schemaCreatedBy(line) {
    const m = /^CREATE SCHEMA (?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*));/.exec(line);
    if (!m)
        return undefined;
    return m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2];
}
async function countIn(target, database, timeoutMs) {
    const c = await (0,postgres.connect)(INPUT, target, database, timeoutMs);
    try {
        return (await countPgTables(c)).counts;
    }
    finally {
        await c.end().catch(() => undefined);
    }
}
async function replacePostgres(o, target) {
    const live = target.database;
    const admin = await maintenanceClient(target, o.connectTimeoutMs);
    try {
        const v = await admin.query(`SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS v, current_user AS user`);
        const { num, user } = v.rows[0];
        const tool = await (0,postgres/* findClient */.$r)((0,postgres_argv/* pgMajorOfVersionNum */.Wo)(Number(num)), v.rows[0].v.split(' ')[0]);
        const liveClient = await (0,postgres.connect)(INPUT, target, live, o.connectTimeoutMs);
        const liveTables = await listPgTables(liveClient).finally(() => liveClient.end());
        const extraTables = (0,live_restore/* tablesNotIn */.yt)(o.manifest, liveTables);
        const rights = await databaseRights(admin, live);
        const swap = o.mode === 'swap' || (o.mode === 'auto' && canSwap(rights));
        if (swap && !canSwap(rights)) {
            throw new errors/* InputError */.dz('restore-mode', `swap needs a user that can create databases and owns '${live}' (or a superuser); '${user}' cannot — use restore-mode: in-place or auto.`);
        }
        const m = o.manifest;
        const archive = {
            path: o.backupPath,
            format: m.format,
            stored: (0,compression/* storedAsManifest */.lX)(m, o.decryptIdentities),
        };
        const appName = `runbook-rollback-${(0,engine/* randomSuffix */.VH)()}`;
        const base = {
            client: admin,
            server: target,
            archive,
            binDir: tool.binDir,
            connectTimeoutMs: o.connectTimeoutMs,
            timeoutMs: o.timeoutMs,
            appName,
        };
        const warnings = [];
        if (swap) {
            const restoring = restoringDatabaseName(live, (0,engine/* randomSuffix */.VH)());
            const kept = await unusedKeptName(admin, live, (0,backup/* compactTimestamp */.ce)(o.now));
            o.log(`Restoring ${m.file} into new database '${restoring}' beside '${live}'`);
            warnings.push(...(await createDatabaseLike(admin, restoring, live)));
            // a stop request ends the restore at once by dropping its database; live is untouched
            const unsubscribe = o.stop.onRequest(() => {
                void dropDatabase(admin, restoring).catch(() => undefined);
            });
            let swapped = false;
            try {
                const done = await (0,postgres_restore/* restorePgArchive */.ar)({
                    ...base,
                    database: restoring,
                    singleTransaction: false,
                    label: 'restore',
                });
                const w = (0,postgres_restore/* skippedRolesWarning */.AV)(done.skipped, user);
                if (w)
                    warnings.push(w);
                const tables = await countIn(target, restoring, o.connectTimeoutMs);
                (0,live_restore/* checkAgainstManifest */.fE)(m, tables, false);
                unsubscribe();
                if (o.stop.requested)
                    throw new live_restore/* RestoreStopped */._l(`stopped before the swap; '${live}' is unchanged.`);
                o.log(`Row counts match the manifest; swapping '${restoring}' in as '${live}'`);
                const swapStarted = Date.now();
                await swapDatabases(admin, live, restoring, kept);
                swapped = true;
                const swapMs = Date.now() - swapStarted;
                o.log(`swapped in ${swapMs} ms ('${live}' refused connections for that long)`);
                let replaced = kept;
                if (!o.keepReplaced) {
                    await dropDatabase(admin, kept);
                    replaced = undefined;
                }
                return {
                    method: `${done.method} ${tool.version} into a new database, swapped in by rename (${swapMs} ms)`,
                    how: 'swap',
                    tables,
                    extraTables,
                    extraTablesKeptIn: replaced ? `database ${kept}` : 'the safety backup',
                    replaced,
                    warnings,
                };
            }
            catch (err) {
                if (o.stop.requested && !swapped) {
                    await dropDatabase(admin, restoring).catch(() => undefined);
                    throw new live_restore/* RestoreStopped */._l(`stopped before the swap; '${live}' is unchanged.`);
                }
                throw err;
            }
            finally {
                unsubscribe();
                if (!swapped)
                    await dropDatabase(admin, restoring).catch(() => undefined);
            }
        }
        if (o.stop.requested)
            throw new live_restore/* RestoreStopped */._l(`stopped before the restore; '${live}' is unchanged.`);
        const schemas = await archiveSchemas(tool.binDir, archive, o.timeoutMs);
        o.log(`Restoring ${m.file} in place into '${live}' (one transaction; schemas emptied first: ${schemas.join(', ')})`);
        // a stop request ends the restore's session: its transaction rolls back, live is unchanged
        const unsubscribe = o.stop.onRequest(() => {
            void admin
                .query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName])
                .catch(() => undefined);
        });
        let done;
        try {
            done = await (0,postgres_restore/* restorePgArchive */.ar)({
                ...base,
                database: live,
                singleTransaction: true,
                preamble: inPlaceCleanSql(schemas),
                label: 'in-place restore',
            });
        }
        catch (err) {
            if (o.stop.requested)
                throw new live_restore/* RestoreStopped */._l(`the in-place restore was stopped and rolled back; '${live}' is unchanged.`);
            throw err;
        }
        finally {
            unsubscribe();
        }
        const w = (0,postgres_restore/* skippedRolesWarning */.AV)(done.skipped, user);
        if (w)
            warnings.push(w);
        const tables = await countIn(target, live, o.connectTimeoutMs);
        (0,live_restore/* checkAgainstManifest */.fE)(m, tables, true);
        return {
            method: `${done.method} ${tool.version} in place, one transaction`,
            how: 'in-place',
            tables,
            extraTables,
            extraTablesKeptIn: 'the safety backup (tables outside the backup’s schemas are left as they are)',
            warnings,
        };
    }
    finally {
        await admin.end().catch(() => undefined);
    }
}


/***/ })

};
