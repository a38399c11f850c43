export const id = 567;
export const ids = [567];
export const modules = {

/***/ 77567:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   openMysqlDriver: () => (/* binding */ openMysqlDriver)
/* harmony export */ });
/* harmony import */ var _db_connection_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(58152);
/* harmony import */ var _db_url_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(50879);
/* harmony import */ var _driver_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(56494);



async function openMysqlDriver(t) {
    const timeout = t.connectTimeoutMs ?? _db_url_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULT_CONNECT_TIMEOUT_MS */ .od;
    const conn = await (0,_db_connection_js__WEBPACK_IMPORTED_MODULE_0__/* .connectMysql */ .xo)('database-url', t, t.database, timeout, {
        multipleStatements: true,
    });
    const quote = (table) => (0,_driver_js__WEBPACK_IMPORTED_MODULE_2__/* .quoteIdent */ .v4)(table, '`');
    return {
        engine: 'mysql',
        // MySQL and MariaDB commit implicitly around DDL; a file still runs in a transaction for its DML
        transactionalDdl: false,
        quote,
        async tableExists(table) {
            const [rows] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [table]);
            return Number(rows[0]?.n) > 0;
        },
        async ensureTable(table) {
            await conn.query(`CREATE TABLE IF NOT EXISTS ${quote(table)} (
  version VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  sha256 CHAR(64) NOT NULL,
  applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  duration_ms INT NOT NULL
)`);
        },
        async readApplied(table) {
            const [rows] = await conn.query(`SELECT version, name, sha256, applied_at, duration_ms FROM ${quote(table)} ORDER BY applied_at, version`);
            return rows.map((row) => ({
                version: row.version,
                name: row.name,
                sha256: row.sha256,
                duration_ms: Number(row.duration_ms),
                applied_at: new Date(row.applied_at).toISOString(),
            }));
        },
        async execScript(sql) {
            await conn.query(sql);
        },
        async begin() {
            await conn.query('START TRANSACTION');
        },
        async commit() {
            await conn.query('COMMIT');
        },
        async rollback() {
            await conn.query('ROLLBACK');
        },
        async insertApplied(table, row) {
            await conn.query(`INSERT INTO ${quote(table)} (version, name, sha256, duration_ms) VALUES (?, ?, ?, ?)`, [row.version, row.name, row.sha256, row.duration_ms]);
        },
        async deleteApplied(table, version) {
            await conn.query(`DELETE FROM ${quote(table)} WHERE version = ?`, [version]);
        },
        async interrupt() {
            const other = await (0,_db_connection_js__WEBPACK_IMPORTED_MODULE_0__/* .connectMysql */ .xo)('database-url', t, t.database, timeout);
            try {
                await other.query(`KILL QUERY ${Number(conn.threadId)}`);
            }
            finally {
                await other.end().catch(() => undefined);
            }
        },
        errorLine(err) {
            const m = /at line (\d+)/.exec(err instanceof Error ? err.message : '');
            return m ? Number(m[1]) : undefined;
        },
        async close() {
            await conn.end().catch(() => undefined);
        },
    };
}


/***/ })

};
