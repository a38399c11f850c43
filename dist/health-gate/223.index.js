export const id = 223;
export const ids = [223];
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
        const { replacePostgres } = await Promise.all(/* import() */[__webpack_require__.e(343), __webpack_require__.e(22), __webpack_require__.e(796)]).then(__webpack_require__.bind(__webpack_require__, 27796));
        return replacePostgres(o, t);
    }
    if (t.engine === 'sqlite') {
        const { replaceSqlite } = await Promise.all(/* import() */[__webpack_require__.e(343), __webpack_require__.e(22), __webpack_require__.e(523)]).then(__webpack_require__.bind(__webpack_require__, 20523));
        return replaceSqlite(o, t);
    }
    const { restoreMysqlInPlace } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 7555));
    return restoreMysqlInPlace(o, t);
}


/***/ }),

/***/ 7555:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  loadMysqlDump: () => (/* binding */ loadMysqlDump),
  restoreMysqlInPlace: () => (/* binding */ restoreMysqlInPlace)
});

// EXTERNAL MODULE: ./src/kit/errors.ts
var errors = __webpack_require__(73713);
// EXTERNAL MODULE: ./src/kit/exec.ts
var exec = __webpack_require__(29495);
// EXTERNAL MODULE: ./src/db/compression.ts + 1 modules
var compression = __webpack_require__(59757);
// EXTERNAL MODULE: ./src/db/live-restore.ts
var live_restore = __webpack_require__(33037);
// EXTERNAL MODULE: ./src/db/mysql.ts
var mysql = __webpack_require__(25660);
;// CONCATENATED MODULE: ./src/db/mysql-argv.ts
/** Pure builders of the MySQL/MariaDB tools' argv and environment (unit-tested without a server). */
/** The password goes through MYSQL_PWD, never argv. */
function mysqlEnv(target) {
    return {
        MYSQL_PWD: target.password || undefined,
        MYSQL_HOST: undefined,
        MYSQL_TCP_PORT: undefined,
    };
}
/** Connection options shared by the dump and the client; `--no-defaults` keeps ~/.my.cnf out. */
function mysqlConnectionArgs(target) {
    const args = [
        '--no-defaults',
        '--protocol=TCP',
        `--host=${target.host}`,
        `--port=${target.port}`,
    ];
    if (target.user)
        args.push(`--user=${target.user}`);
    return args;
}
/** mysqldump/mariadb-dump of one database as plain SQL, consistent through one transaction. */
function mysqlDumpArgv(tool, target, plan) {
    return [
        tool,
        // mysqldump has no connect timeout; the server already answered our own connection
        ...mysqlConnectionArgs(target),
        '--single-transaction',
        '--quick',
        '--routines',
        '--triggers',
        '--hex-blob',
        '--no-tablespaces',
        '--default-character-set=utf8mb4',
        ...plan.extraArgs,
        target.database,
    ];
}
/** The client reading a plain dump from stdin into `database`. */
function mysqlClientArgv(tool, target, database, connectTimeoutMs) {
    return [
        tool,
        ...mysqlConnectionArgs(target),
        `--connect-timeout=${Math.max(1, Math.ceil(connectTimeoutMs / 1000))}`,
        '--batch',
        '--default-character-set=utf8mb4',
        database,
    ];
}
const MYSQL_RESERVED = (/* unused pure expression or super */ null && ([
    '-r',
    '--result-file',
    '-B',
    '--databases',
    '-A',
    '--all-databases',
    '-p',
    '--password',
    '-h',
    '--host',
    '-P',
    '--port',
    '-u',
    '--user',
    '-S',
    '--socket',
    '--protocol',
    '-X',
    '--xml',
    '-T',
    '--tab',
    '--defaults-file',
    '--defaults-extra-file',
    '--no-defaults',
]));
/** `mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, ...` -> `10.11.19-MariaDB`; mysqldump 8 -> `8.0.36`. */
function parseMysqlToolVersion(text) {
    const distrib = /Distrib\s+([^\s,]+)/.exec(text);
    if (distrib)
        return distrib[1];
    const ver = /Ver\s+([^\s,]+)/.exec(text);
    return ver ? ver[1] : undefined;
}
/** mysqldump's last line unless comments are switched off. */
const MYSQL_DUMP_MARKER = '-- Dump completed';
function mysqlDumpHasMarker(extraArgs) {
    return !extraArgs.some((a) => a === '--skip-comments' ||
        a === '--compact' ||
        a === '--comments=0' ||
        a === '--comments=false');
}

;// CONCATENATED MODULE: ./src/db/mysql-restore.ts






/**
 * Loads a plain dump into `database` with the mariadb/mysql client: the one restore of a
 * MySQL/MariaDB backup, used by backup-db's restore check and by rollback.
 */
async function loadMysqlDump(tool, server, database, backup, o) {
    await (0,exec/* execArgv */.E)(mysqlClientArgv(tool, server, database, o.connectTimeoutMs), {
        env: mysqlEnv(server),
        stdin: (0,compression/* openDecompressed */.TO)(backup.path, backup.stored),
        stdout: 'ignore',
        timeoutMs: o.timeoutMs,
        label: `${tool.split('/').pop() ?? tool} (${o.label})`,
    });
}
/**
 * Rollback's MySQL/MariaDB restore, in place: the client reads the plain dump, whose
 * `DROP TABLE IF EXISTS` before each table replaces it. MariaDB has no RENAME DATABASE and
 * neither engine has transactional DDL, so there is no swap: a failure part-way leaves some
 * tables restored (the safety backup holds the state before). Tables the backup does not
 * have are left as they are and reported.
 */
async function restoreMysqlInPlace(o, target) {
    const tool = (0,mysql/* findOnPath */.aY)(['mariadb', 'mysql']);
    if (!tool)
        throw new errors/* UserError */.yo('the mariadb/mysql client is needed; install mariadb-client or mysql-client.');
    const name = tool.split('/').pop() ?? tool;
    const conn = await (0,mysql.connect)('database-url', target, target.database, o.connectTimeoutMs);
    conn.on('error', () => undefined);
    try {
        const before = await (0,mysql/* countMysqlTables */.bA)(conn, target.database);
        const extraTables = (0,live_restore/* tablesNotIn */.yt)(o.manifest, Object.keys(before));
        if (o.stop.requested)
            throw new live_restore/* RestoreStopped */._l(`stopped before the restore; '${target.database}' is unchanged.`);
        const method = `${name} client (plain dump, in place)`;
        o.log(`Restoring ${o.manifest.file} with ${method} into '${target.database}'`);
        await loadMysqlDump(tool, target, target.database, { path: o.backupPath, stored: (0,compression/* storedAsManifest */.lX)(o.manifest, o.decryptIdentities) }, { connectTimeoutMs: o.connectTimeoutMs, timeoutMs: o.timeoutMs, label: 'restore' });
        const tables = await (0,mysql/* countMysqlTables */.bA)(conn, target.database);
        (0,live_restore/* checkAgainstManifest */.fE)(o.manifest, tables, true);
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
