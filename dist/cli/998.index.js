export const id = 998;
export const ids = [998];
export const modules = {

/***/ 89676:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L1: () => (/* binding */ expiredKeptFiles),
/* harmony export */   Oe: () => (/* binding */ expiredKeptDatabases),
/* harmony export */   W5: () => (/* binding */ sqliteKeptPath)
/* harmony export */ });
/* unused harmony export stampTime */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _postgres_database_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9853);



/**
 * The copies a swap rollback keeps as an instant undo (`keep-replaced`): PostgreSQL databases
 * `<db>_before_rollback_<yyyymmddThhmmssZ>[_n]` and SQLite files
 * `<file>.before-rollback-<yyyymmddThhmmssZ>`. With `keep-replaced: <duration>` a rollback
 * drops the ones earlier rollbacks kept once they are older than that; only names that follow
 * these patterns for the same live database are ever considered.
 */
const STAMP = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})z$/i;
/** The UTC time of a kept copy's stamp, or undefined when the text is not one. */
function stampTime(stamp) {
    const m = STAMP.exec(stamp);
    if (!m)
        return undefined;
    const [, y, mo, d, h, mi, s] = m.map(Number);
    const t = Date.UTC(y, mo - 1, d, h, mi, s);
    return Number.isNaN(t) ? undefined : t;
}
function older(stamp, now, maxAgeMs) {
    const t = stampTime(stamp);
    return t !== undefined && now.getTime() - t > maxAgeMs;
}
/** Of the server's database names, the kept copies of `live` older than maxAgeMs. */
function expiredKeptDatabases(live, names, now, maxAgeMs) {
    // the prefix keptDatabaseName gives for a stamp of the usual length (16 characters)
    const prefix = (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_2__/* .keptDatabaseName */ .Rt)(live, 'x'.repeat(16)).slice(0, -16);
    return names.filter((name) => {
        if (!name.startsWith(prefix))
            return false;
        const m = /^(\d{8}t\d{6}z)(?:_\d+)?$/.exec(name.slice(prefix.length));
        return m !== null && older(m[1], now, maxAgeMs);
    });
}
/** Where the replaced file is kept: `<file>.before-rollback-<yyyymmddThhmmssZ>`. */
function sqliteKeptPath(targetPath, stamp) {
    return `${targetPath}.before-rollback-${stamp}`;
}
/** The kept copies of the SQLite file at targetPath older than maxAgeMs (full paths). */
function expiredKeptFiles(targetPath, now, maxAgeMs) {
    const prefix = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.basename)(sqliteKeptPath(targetPath, ''));
    return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)(targetPath))
        .filter((f) => f.startsWith(prefix) && older(f.slice(prefix.length), now, maxAgeMs))
        .map((f) => (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)(targetPath), f));
}


/***/ }),

/***/ 90998:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   replacePostgres: () => (/* binding */ replacePostgres)
/* harmony export */ });
/* unused harmony exports archiveSchemas, schemaCreatedBy */
/* harmony import */ var node_readline__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(80481);
/* harmony import */ var node_readline__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_readline__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73713);
/* harmony import */ var _kit_exec_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(29495);
/* harmony import */ var _backup_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(38158);
/* harmony import */ var _engine_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(25978);
/* harmony import */ var _live_restore_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(33037);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(72292);
/* harmony import */ var _postgres_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(1343);
/* harmony import */ var _postgres_tables_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(90713);
/* harmony import */ var _postgres_argv_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(76774);
/* harmony import */ var _postgres_database_js__WEBPACK_IMPORTED_MODULE_12__ = __webpack_require__(9853);
/* harmony import */ var _postgres_restore_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(31571);
/* harmony import */ var _kept_copies_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(89676);













const INPUT = 'database-url';
/** A connection to another database of the server (`postgres`, else `template1`). */
async function maintenanceClient(target, timeoutMs) {
    try {
        return await (0,_postgres_js__WEBPACK_IMPORTED_MODULE_7__.connect)(INPUT, target, 'postgres', timeoutMs);
    }
    catch (err) {
        if (!/does not exist/.test(String(err)))
            throw err;
        return (0,_postgres_js__WEBPACK_IMPORTED_MODULE_7__.connect)(INPUT, target, 'template1', timeoutMs);
    }
}
/** The schemas a backup contains (`public` always: pg_dump never creates it). */
async function archiveSchemas(binDir, a, timeoutMs) {
    const found = new Set(['public']);
    const input = (0,_postgres_restore_js__WEBPACK_IMPORTED_MODULE_9__/* .pgArchiveInput */ .cs)(a);
    if (a.format === 'plain') {
        if (input.kind !== 'stream')
            throw new Error('plain dumps are read as streams');
        for await (const line of (0,node_readline__WEBPACK_IMPORTED_MODULE_0__.createInterface)({ input: input.open(), crlfDelay: Infinity })) {
            const s = schemaCreatedBy(line);
            if (s !== undefined)
                found.add(s);
        }
        return [...found];
    }
    const r = await (0,_kit_exec_js__WEBPACK_IMPORTED_MODULE_2__/* .execArgv */ .E)((0,_postgres_argv_js__WEBPACK_IMPORTED_MODULE_8__/* .pgRestoreListArgv */ .KQ)(binDir, input.kind === 'path' ? input.path : undefined), {
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
    const c = await (0,_postgres_js__WEBPACK_IMPORTED_MODULE_7__.connect)(INPUT, target, database, timeoutMs);
    try {
        return (await (0,_postgres_tables_js__WEBPACK_IMPORTED_MODULE_11__/* .countPgTables */ .K)(c)).counts;
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
        const tool = await (0,_postgres_js__WEBPACK_IMPORTED_MODULE_7__/* .findClient */ .$r)((0,_postgres_argv_js__WEBPACK_IMPORTED_MODULE_8__/* .pgMajorOfVersionNum */ .Wo)(Number(num)), v.rows[0].v.split(' ')[0]);
        const liveClient = await (0,_postgres_js__WEBPACK_IMPORTED_MODULE_7__.connect)(INPUT, target, live, o.connectTimeoutMs);
        const liveTables = await (0,_postgres_tables_js__WEBPACK_IMPORTED_MODULE_11__/* .listPgTables */ .P)(liveClient).finally(() => liveClient.end());
        const extraTables = (0,_live_restore_js__WEBPACK_IMPORTED_MODULE_5__/* .tablesNotIn */ .yt)(o.manifest, liveTables);
        const rights = await (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .databaseRights */ .h$)(admin, live);
        const swap = o.mode === 'swap' || (o.mode === 'auto' && (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .canSwap */ .E6)(rights));
        if (swap && !(0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .canSwap */ .E6)(rights)) {
            throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('restore-mode', `swap needs a user that can create databases and owns '${live}' (or a superuser); '${user}' cannot — use restore-mode: in-place or auto.`);
        }
        const m = o.manifest;
        const archive = {
            path: o.backupPath,
            format: m.format,
            stored: (0,_compression_js__WEBPACK_IMPORTED_MODULE_6__/* .storedAsManifest */ .lX)(m, o.decryptIdentities),
        };
        const appName = `runbook-rollback-${(0,_engine_js__WEBPACK_IMPORTED_MODULE_4__/* .randomSuffix */ .VH)()}`;
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
            const restoring = (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .restoringDatabaseName */ .Cu)(live, (0,_engine_js__WEBPACK_IMPORTED_MODULE_4__/* .randomSuffix */ .VH)());
            const kept = await (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .unusedKeptName */ .s9)(admin, live, (0,_backup_js__WEBPACK_IMPORTED_MODULE_3__/* .compactTimestamp */ .ce)(o.now));
            o.log(`Restoring ${m.file} into new database '${restoring}' beside '${live}'`);
            warnings.push(...(await (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .createDatabaseLike */ .He)(admin, restoring, live)));
            // a stop request ends the restore at once by dropping its database; live is untouched
            const unsubscribe = o.stop.onRequest(() => {
                void (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .dropDatabase */ .Zi)(admin, restoring).catch(() => undefined);
            });
            let swapped = false;
            try {
                const done = await (0,_postgres_restore_js__WEBPACK_IMPORTED_MODULE_9__/* .restorePgArchive */ .ar)({
                    ...base,
                    database: restoring,
                    singleTransaction: false,
                    label: 'restore',
                });
                const w = (0,_postgres_restore_js__WEBPACK_IMPORTED_MODULE_9__/* .skippedRolesWarning */ .AV)(done.skipped, user);
                if (w)
                    warnings.push(w);
                const tables = await countIn(target, restoring, o.connectTimeoutMs);
                (0,_live_restore_js__WEBPACK_IMPORTED_MODULE_5__/* .checkAgainstManifest */ .fE)(m, tables, false);
                unsubscribe();
                if (o.stop.requested)
                    throw new _live_restore_js__WEBPACK_IMPORTED_MODULE_5__/* .RestoreStopped */ ._l(`stopped before the swap; '${live}' is unchanged.`);
                o.log(`Row counts match the manifest; swapping '${restoring}' in as '${live}'`);
                const swapStarted = Date.now();
                await (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .swapDatabases */ .Qj)(admin, live, restoring, kept);
                swapped = true;
                const swapMs = Date.now() - swapStarted;
                o.log(`swapped in ${swapMs} ms ('${live}' refused connections for that long)`);
                let replaced = kept;
                if (!o.keepReplaced) {
                    await (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .dropDatabase */ .Zi)(admin, kept);
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
                    await (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .dropDatabase */ .Zi)(admin, restoring).catch(() => undefined);
                    throw new _live_restore_js__WEBPACK_IMPORTED_MODULE_5__/* .RestoreStopped */ ._l(`stopped before the swap; '${live}' is unchanged.`);
                }
                throw err;
            }
            finally {
                unsubscribe();
                if (!swapped)
                    await (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .dropDatabase */ .Zi)(admin, restoring).catch(() => undefined);
            }
        }
        if (o.stop.requested)
            throw new _live_restore_js__WEBPACK_IMPORTED_MODULE_5__/* .RestoreStopped */ ._l(`stopped before the restore; '${live}' is unchanged.`);
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
            done = await (0,_postgres_restore_js__WEBPACK_IMPORTED_MODULE_9__/* .restorePgArchive */ .ar)({
                ...base,
                database: live,
                singleTransaction: true,
                preamble: (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .inPlaceCleanSql */ .ef)(schemas),
                label: 'in-place restore',
            });
        }
        catch (err) {
            if (o.stop.requested)
                throw new _live_restore_js__WEBPACK_IMPORTED_MODULE_5__/* .RestoreStopped */ ._l(`the in-place restore was stopped and rolled back; '${live}' is unchanged.`);
            throw err;
        }
        finally {
            unsubscribe();
        }
        const w = (0,_postgres_restore_js__WEBPACK_IMPORTED_MODULE_9__/* .skippedRolesWarning */ .AV)(done.skipped, user);
        if (w)
            warnings.push(w);
        const tables = await countIn(target, live, o.connectTimeoutMs);
        (0,_live_restore_js__WEBPACK_IMPORTED_MODULE_5__/* .checkAgainstManifest */ .fE)(m, tables, true);
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
    const expired = (0,_kept_copies_js__WEBPACK_IMPORTED_MODULE_10__/* .expiredKeptDatabases */ .Oe)(live, r.rows.map((x) => x.datname), o.now, o.keptMaxAgeMs).filter((n) => n !== justKept);
    const dropped = [];
    for (const name of expired) {
        try {
            if (await (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_12__/* .dropDatabase */ .Zi)(admin, name))
                dropped.push(name);
        }
        catch (err) {
            o.log(`could not drop the expired copy '${name}': ${(0,_kit_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(err)}`);
        }
    }
    if (dropped.length > 0)
        o.log(`dropped ${dropped.length} copy(ies) kept by earlier rollbacks, older than keep-replaced: ${dropped.join(', ')}`);
    return dropped;
}


/***/ })

};
