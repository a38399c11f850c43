export const id = 695;
export const ids = [695];
export const modules = {

/***/ 33037:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   _l: () => (/* binding */ RestoreStopped),
/* harmony export */   fE: () => (/* binding */ checkAgainstManifest),
/* harmony export */   yt: () => (/* binding */ tablesNotIn)
/* harmony export */ });
/* unused harmony export restoreLive */
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73713);
/* harmony import */ var _engine_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(25978);


class RestoreStopped extends _kit_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo {
    constructor(what) {
        super(`cancelled: ${what}`);
        this.name = 'RestoreStopped';
    }
}
/** Throws when the restored row counts differ from the manifest's (before any swap). */
function checkAgainstManifest(manifest, restored, ignoreExtra) {
    const problems = (0,_engine_js__WEBPACK_IMPORTED_MODULE_1__/* .compareTableCounts */ .W_)(manifest.tables, restored).filter((p) => !ignoreExtra || !p.endsWith('restored but not in the source'));
    if (problems.length > 0) {
        throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`after the restore the row counts differ from the backup's manifest: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}.`);
    }
}
/** Tables of the live database that the backup does not have, sorted. */
function tablesNotIn(manifest, live) {
    return live.filter((t) => !(t in manifest.tables)).sort();
}
/** Restores the backup over the live database with the engine's own module. */
async function restoreLive(o) {
    const t = o.target;
    if (t.engine === 'postgres') {
        const { replacePostgres } = await Promise.all(/* import() */[__webpack_require__.e(343), __webpack_require__.e(33), __webpack_require__.e(596)]).then(__webpack_require__.bind(__webpack_require__, 62596));
        return replacePostgres(o, t);
    }
    if (t.engine === 'sqlite') {
        const { replaceSqlite } = await Promise.all(/* import() */[__webpack_require__.e(343), __webpack_require__.e(33), __webpack_require__.e(523)]).then(__webpack_require__.bind(__webpack_require__, 20523));
        return replaceSqlite(o, t);
    }
    const { restoreMysqlInPlace } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 42739));
    return restoreMysqlInPlace(o, t);
}


/***/ }),

/***/ 42739:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   loadMysqlDump: () => (/* binding */ loadMysqlDump),
/* harmony export */   restoreMysqlInPlace: () => (/* binding */ restoreMysqlInPlace)
/* harmony export */ });
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73713);
/* harmony import */ var _kit_exec_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(29495);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(59757);
/* harmony import */ var _live_restore_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(33037);
/* harmony import */ var _mysql_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(25660);
/* harmony import */ var _mysql_argv_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(81295);






/**
 * Loads a plain dump into `database` with the mariadb/mysql client: the one restore of a
 * MySQL/MariaDB backup, used by backup-db's restore check and by rollback.
 */
async function loadMysqlDump(tool, server, database, backup, o) {
    try {
        await (0,_kit_exec_js__WEBPACK_IMPORTED_MODULE_1__/* .execArgv */ .E)((0,_mysql_argv_js__WEBPACK_IMPORTED_MODULE_5__/* .mysqlClientArgv */ .uA)(tool, server, database, o.connectTimeoutMs), {
            env: (0,_mysql_argv_js__WEBPACK_IMPORTED_MODULE_5__/* .mysqlEnv */ .Sm)(server),
            stdin: (0,_compression_js__WEBPACK_IMPORTED_MODULE_2__/* .openDecompressed */ .TO)(backup.path, backup.stored),
            stdout: 'ignore',
            timeoutMs: o.timeoutMs,
            label: `${tool.split('/').pop() ?? tool} (${o.label})`,
        });
    }
    catch (err) {
        throw err instanceof _kit_exec_js__WEBPACK_IMPORTED_MODULE_1__/* .ExecError */ .c ? new _kit_exec_js__WEBPACK_IMPORTED_MODULE_1__/* .ExecError */ .c(withoutEchoedRows(err), err.result) : err;
    }
}
/**
 * The client's error without the statement it echoes before it: that statement is the dump's
 * INSERT, i.e. the database's rows, which do not belong in a log. Kept: its own lines
 * (`ERROR 2013 (HY000) at line 7022: Lost connection to server during query`, `mariadb: …`).
 */
function withoutEchoedRows(err) {
    const own = err.result.stderrTail.filter((l) => /^(ERROR\b|(mariadb|mysql)\S*:)/.test(l));
    const head = err.message.split(' Last output: ')[0];
    return own.length > 0 ? `${head} Last output: ${own.slice(-3).join(' | ')}` : head;
}
/**
 * The error of an in-place load that failed. A client error without `at line N` came before
 * any statement ran (connecting, logging in): the database is unchanged. Otherwise the dump
 * ran part-way, and without transactional DDL its tables up to there are already replaced.
 */
function inPlaceFailure(database, err, safety) {
    const cause = (0,_kit_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(err).replace(/\.?$/, '.');
    const own = err instanceof _kit_exec_js__WEBPACK_IMPORTED_MODULE_1__/* .ExecError */ .c ? err.result.stderrTail.filter((l) => /^ERROR\b/.test(l)) : [];
    if (own.length > 0 && !own.some((l) => / at line \d+/.test(l)))
        return new _kit_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`${cause} '${database}' is unchanged (the restore did not start).`);
    return new _kit_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`the restore of '${database}' stopped part-way: ${cause} MySQL/MariaDB restores in place and cannot undo DDL, so the tables before the failure are already replaced from the backup and the one being loaded is incomplete. ${safety
        ? `The safety backup ${safety.path} (sha256 ${safety.sha256}) holds the state before the rollback; re-run the rollback to complete it, or restore the safety backup to go back.`
        : 'No safety backup was taken before it; re-run the rollback to complete it.'}`);
}
/**
 * Rollback's MySQL/MariaDB restore, in place: the client reads the plain dump, whose
 * `DROP TABLE IF EXISTS` before each table replaces it. MariaDB has no RENAME DATABASE and
 * neither engine has transactional DDL, so there is no swap: a failure part-way (a dropped
 * connection) leaves some tables restored, and its error says so and names the safety backup
 * that holds the state before. Tables the backup does not have are left as they are and
 * reported.
 */
async function restoreMysqlInPlace(o, target) {
    const tool = (0,_mysql_js__WEBPACK_IMPORTED_MODULE_4__/* .findOnPath */ .aY)(['mariadb', 'mysql']);
    if (!tool)
        throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo('the mariadb/mysql client is needed; install mariadb-client or mysql-client.');
    const name = tool.split('/').pop() ?? tool;
    const conn = await (0,_mysql_js__WEBPACK_IMPORTED_MODULE_4__.connect)('database-url', target, target.database, o.connectTimeoutMs);
    conn.on('error', () => undefined);
    try {
        const before = await (0,_mysql_js__WEBPACK_IMPORTED_MODULE_4__/* .countMysqlTables */ .bA)(conn, target.database);
        const extraTables = (0,_live_restore_js__WEBPACK_IMPORTED_MODULE_3__/* .tablesNotIn */ .yt)(o.manifest, Object.keys(before));
        if (o.stop.requested)
            throw new _live_restore_js__WEBPACK_IMPORTED_MODULE_3__/* .RestoreStopped */ ._l(`stopped before the restore; '${target.database}' is unchanged.`);
        const method = `${name} client (plain dump, in place)`;
        o.log(`Restoring ${o.manifest.file} with ${method} into '${target.database}'`);
        try {
            await loadMysqlDump(tool, target, target.database, { path: o.backupPath, stored: (0,_compression_js__WEBPACK_IMPORTED_MODULE_2__/* .storedAsManifest */ .lX)(o.manifest, o.decryptIdentities) }, { connectTimeoutMs: o.connectTimeoutMs, timeoutMs: o.timeoutMs, label: 'restore' });
        }
        catch (err) {
            throw inPlaceFailure(target.database, err, o.safetyBackup);
        }
        const tables = await (0,_mysql_js__WEBPACK_IMPORTED_MODULE_4__/* .countMysqlTables */ .bA)(conn, target.database);
        (0,_live_restore_js__WEBPACK_IMPORTED_MODULE_3__/* .checkAgainstManifest */ .fE)(o.manifest, tables, true);
        return {
            method,
            how: 'in-place',
            tables,
            extraTables,
            extraTablesKeptIn: `database ${target.database} (left as they are)`,
            warnings: [],
        };
    }
    finally {
        await conn.end().catch(() => undefined);
    }
}


/***/ })

};
