export const id = 596;
export const ids = [596];
export const modules = {

/***/ 62596:
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
// EXTERNAL MODULE: ./src/kit/exec.ts + 1 modules
var exec = __webpack_require__(20913);
// EXTERNAL MODULE: ./src/db/backup.ts
var backup = __webpack_require__(38158);
// EXTERNAL MODULE: ./src/db/engine.ts
var engine = __webpack_require__(25978);
// EXTERNAL MODULE: ./src/db/live-restore.ts
var live_restore = __webpack_require__(33037);
// EXTERNAL MODULE: ./src/db/compression.ts
var compression = __webpack_require__(72292);
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
// EXTERNAL MODULE: ./src/db/postgres-database.ts
var postgres_database = __webpack_require__(9853);
// EXTERNAL MODULE: ./src/db/postgres-restore.ts + 1 modules
var postgres_restore = __webpack_require__(31571);
// EXTERNAL MODULE: ./src/db/kept-copies.ts
var kept_copies = __webpack_require__(89676);
;// CONCATENATED MODULE: ./src/db/postgres-replace.ts













const INPUT = 'database-url';
/** A connection to another database of the server (`postgres`, else `template1`). */
async function maintenanceClient(target, timeoutMs) {
    try {
        return await (0,postgres/* connect */.Ng)(INPUT, target, 'postgres', timeoutMs);
    }
    catch (err) {
        if (!/does not exist/.test(String(err)))
            throw err;
        return (0,postgres/* connect */.Ng)(INPUT, target, 'template1', timeoutMs);
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
    const c = await (0,postgres/* connect */.Ng)(INPUT, target, database, timeoutMs);
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
        const liveClient = await (0,postgres/* connect */.Ng)(INPUT, target, live, o.connectTimeoutMs);
        const liveTables = await listPgTables(liveClient).finally(() => liveClient.end());
        const extraTables = (0,live_restore/* tablesNotIn */.yt)(o.manifest, liveTables);
        const rights = await (0,postgres_database/* databaseRights */.h$)(admin, live);
        const swap = o.mode === 'swap' || (o.mode === 'auto' && (0,postgres_database/* canSwap */.E6)(rights));
        if (swap && !(0,postgres_database/* canSwap */.E6)(rights)) {
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
            const restoring = (0,postgres_database/* restoringDatabaseName */.Cu)(live, (0,engine/* randomSuffix */.VH)());
            const kept = await (0,postgres_database/* unusedKeptName */.s9)(admin, live, (0,backup/* compactTimestamp */.ce)(o.now));
            o.log(`Restoring ${m.file} into new database '${restoring}' beside '${live}'`);
            warnings.push(...(await (0,postgres_database/* createDatabaseLike */.He)(admin, restoring, live)));
            // a stop request ends the restore at once by dropping its database; live is untouched
            const unsubscribe = o.stop.onRequest(() => {
                void (0,postgres_database/* dropDatabase */.Zi)(admin, restoring).catch(() => undefined);
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
                await (0,postgres_database/* swapDatabases */.Qj)(admin, live, restoring, kept);
                swapped = true;
                const swapMs = Date.now() - swapStarted;
                o.log(`swapped in ${swapMs} ms ('${live}' refused connections for that long)`);
                let replaced = kept;
                if (!o.keepReplaced) {
                    await (0,postgres_database/* dropDatabase */.Zi)(admin, kept);
                    replaced = undefined;
                }
                const expiredDropped = await dropExpiredKept(admin, o, live, kept);
                return {
                    method: `${done.method} ${tool.version} into a new database, swapped in by rename (${swapMs} ms)`,
                    how: 'swap',
                    tables,
                    extraTables,
                    extraTablesKeptIn: replaced ? `database ${kept}` : 'the safety backup',
                    replaced,
                    expiredDropped,
                    warnings,
                };
            }
            catch (err) {
                if (o.stop.requested && !swapped) {
                    await (0,postgres_database/* dropDatabase */.Zi)(admin, restoring).catch(() => undefined);
                    throw new live_restore/* RestoreStopped */._l(`stopped before the swap; '${live}' is unchanged.`);
                }
                throw err;
            }
            finally {
                unsubscribe();
                if (!swapped)
                    await (0,postgres_database/* dropDatabase */.Zi)(admin, restoring).catch(() => undefined);
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
                preamble: (0,postgres_database/* inPlaceCleanSql */.ef)(schemas),
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
/**
 * keep-replaced: <duration>: drops the databases earlier rollbacks kept of `live` once older
 * than that (never the one just kept). A copy that cannot be dropped costs a warning line.
 */
async function dropExpiredKept(admin, o, live, justKept) {
    if (!o.keepReplaced || o.keptMaxAgeMs === undefined)
        return [];
    const r = await admin.query('SELECT datname FROM pg_database');
    const expired = (0,kept_copies/* expiredKeptDatabases */.Oe)(live, r.rows.map((x) => x.datname), o.now, o.keptMaxAgeMs).filter((n) => n !== justKept);
    const dropped = [];
    for (const name of expired) {
        try {
            if (await (0,postgres_database/* dropDatabase */.Zi)(admin, name))
                dropped.push(name);
        }
        catch (err) {
            o.log(`could not drop the expired copy '${name}': ${(0,errors/* errorMessage */.gJ)(err)}`);
        }
    }
    if (dropped.length > 0)
        o.log(`dropped ${dropped.length} copy(ies) kept by earlier rollbacks, older than keep-replaced: ${dropped.join(', ')}`);
    return dropped;
}


/***/ })

};
