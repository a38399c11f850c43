export const id = 904;
export const ids = [904,523];
export const modules = {

/***/ 20523:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   replaceSqlite: () => (/* binding */ replaceSqlite),
/* harmony export */   restoreSqliteFile: () => (/* binding */ restoreSqliteFile)
/* harmony export */ });
/* unused harmony exports removeWithSidecars, sqliteStagingPath */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(73713);
/* harmony import */ var _kit_exec_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(29495);
/* harmony import */ var _kit_secrets_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(14601);
/* harmony import */ var _backup_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(99022);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(59757);
/* harmony import */ var _engine_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(25978);
/* harmony import */ var _live_restore_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(33037);
/* harmony import */ var _kept_copies_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(89676);
/* harmony import */ var _mysql_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(25660);
/* harmony import */ var _sqlite_js__WEBPACK_IMPORTED_MODULE_12__ = __webpack_require__(40852);













async function openFile(path, timeoutMs = 10_000) {
    const { DatabaseSync: Db } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 80099, 23));
    return new Db(path, { timeout: timeoutMs });
}
function removeWithSidecars(path) {
    for (const suffix of ['', '-wal', '-shm', '-journal'])
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync)(`${path}${suffix}`, { force: true });
    return !(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(path);
}
/**
 * Writes the backup as a database file at `dest` (which must not exist), checks it with
 * PRAGMA integrity_check and returns its row counts and header settings. The file is closed
 * cleanly, so a WAL-mode copy leaves no -wal file behind.
 */
async function restoreSqliteFile(backup, dest, timeoutMs) {
    let method;
    if (backup.format === 'plain') {
        const cli = (0,_mysql_js__WEBPACK_IMPORTED_MODULE_11__/* .findOnPath */ .aY)(['sqlite3']);
        if (!cli)
            throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo('restoring a sqlite .dump needs the sqlite3 command-line tool; install sqlite3.');
        method = 'sqlite3 CLI (.dump loaded into a new file)';
        await (0,_kit_exec_js__WEBPACK_IMPORTED_MODULE_4__/* .execArgv */ .E)((0,_sqlite_js__WEBPACK_IMPORTED_MODULE_12__/* .sqliteLoadArgv */ .PQ)(cli, dest), {
            stdin: (0,_compression_js__WEBPACK_IMPORTED_MODULE_7__/* .openDecompressed */ .TO)(backup.path, backup.stored),
            stdout: 'ignore',
            timeoutMs,
            label: 'sqlite3 (restore)',
        });
    }
    else {
        method = 'snapshot copied into a new file';
        await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_2__.pipeline)((0,_compression_js__WEBPACK_IMPORTED_MODULE_7__/* .openDecompressed */ .TO)(backup.path, backup.stored), (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createWriteStream)(dest, { flags: 'wx' }));
    }
    const db = await openFile(dest);
    try {
        const rows = db.prepare('PRAGMA integrity_check').all();
        const result = rows.map((r) => r.integrity_check).join('; ');
        if (result !== 'ok')
            throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`PRAGMA integrity_check of the restored copy: ${result.slice(0, 300)}`);
        return { tables: (0,_sqlite_js__WEBPACK_IMPORTED_MODULE_12__/* .countSqliteTables */ .$R)(db), header: (0,_sqlite_js__WEBPACK_IMPORTED_MODULE_12__/* .readHeader */ .ay)(db), method };
    }
    finally {
        db.close();
    }
}
/** sqlite: the temporary file a restored copy is built in, beside the target (same file system). */
function sqliteStagingPath(targetPath, suffix) {
    const slash = targetPath.lastIndexOf('/');
    return `${targetPath.slice(0, slash + 1)}.${targetPath.slice(slash + 1)}.rollback-${suffix}`;
}
/**
 * Builds the restored copy beside the database, checks it against the manifest, then
 * renames it over the database file: readers see the old file or the new one, never a mix.
 * The old file's WAL is checkpointed into it first, and the old file is kept (hard link)
 * as an undo when asked.
 */
async function replaceSqlite(o, target) {
    const m = o.manifest;
    const staging = sqliteStagingPath(target.path, (0,_engine_js__WEBPACK_IMPORTED_MODULE_8__/* .randomSuffix */ .VH)());
    try {
        let liveTables = [];
        if ((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(target.path)) {
            const live = await openFile(target.path);
            try {
                liveTables = Object.keys((0,_sqlite_js__WEBPACK_IMPORTED_MODULE_12__/* .countSqliteTables */ .$R)(live));
            }
            finally {
                live.close();
            }
        }
        const extraTables = (0,_live_restore_js__WEBPACK_IMPORTED_MODULE_9__/* .tablesNotIn */ .yt)(m, liveTables);
        const r = await restoreSqliteFile({ path: o.backupPath, format: m.format, stored: (0,_compression_js__WEBPACK_IMPORTED_MODULE_7__/* .storedAsManifest */ .lX)(m, o.decryptIdentities) }, staging, o.timeoutMs);
        (0,_live_restore_js__WEBPACK_IMPORTED_MODULE_9__/* .checkAgainstManifest */ .fE)(m, r.tables, false);
        o.log(`restored copy: journal_mode=${r.header.journal_mode}, user_version=${r.header.user_version}, application_id=${r.header.application_id}`);
        if (o.stop.requested)
            throw new _live_restore_js__WEBPACK_IMPORTED_MODULE_9__/* .RestoreStopped */ ._l(`stopped before the swap; ${target.path} is unchanged.`);
        let kept;
        if ((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(target.path)) {
            try {
                const live = await openFile(target.path);
                try {
                    live.exec('PRAGMA wal_checkpoint(TRUNCATE)');
                }
                finally {
                    live.close();
                }
            }
            catch (err) {
                throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`cannot checkpoint ${target.path} before replacing it: ${(0,_kit_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .redact */ .E$)((0,_kit_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(err))}`);
            }
            if (o.keepReplaced) {
                kept = (0,_kept_copies_js__WEBPACK_IMPORTED_MODULE_10__/* .sqliteKeptPath */ .W5)(target.path, (0,_backup_js__WEBPACK_IMPORTED_MODULE_6__/* .compactTimestamp */ .ce)(o.now));
                try {
                    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.linkSync)(target.path, kept);
                }
                catch {
                    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.copyFile)(target.path, kept);
                }
            }
            for (const suffix of ['-wal', '-shm'])
                (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync)(`${target.path}${suffix}`, { force: true });
        }
        o.log(`Replacing ${target.path} with the restored copy of ${m.file}`);
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.renameSync)(staging, target.path);
        // keep-replaced: <duration>: the copies earlier rollbacks kept go once older than that
        const expiredDropped = o.keepReplaced && o.keptMaxAgeMs !== undefined
            ? (0,_kept_copies_js__WEBPACK_IMPORTED_MODULE_10__/* .expiredKeptFiles */ .L1)(target.path, o.now, o.keptMaxAgeMs).filter((f) => f !== kept)
            : [];
        for (const f of expiredDropped)
            (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync)(f, { force: true });
        if (expiredDropped.length > 0)
            o.log(`removed ${expiredDropped.length} copy(ies) kept by earlier rollbacks, older than keep-replaced: ${expiredDropped.join(', ')}`);
        return {
            method: `${r.method}, renamed over the database`,
            how: 'swap',
            tables: r.tables,
            extraTables,
            extraTablesKeptIn: kept ? kept : 'the safety backup',
            replaced: kept,
            expiredDropped,
            warnings: [],
        };
    }
    finally {
        removeWithSidecars(staging);
    }
}


/***/ })

};
