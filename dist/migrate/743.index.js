export const id = 743;
export const ids = [743];
export const modules = {

/***/ 40743:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   openSqliteDriver: () => (/* binding */ openSqliteDriver)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _driver_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(56494);


/**
 * node:sqlite, loaded only here. `readOnly` opens without creating: plan, status and
 * check must not leave a new empty database file behind.
 */
async function openSqliteDriver(t, readOnly) {
    if (t.engine !== 'sqlite')
        throw new Error(`openSqliteDriver: a ${t.engine} target`);
    const path = t.path;
    const { DatabaseSync } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 80099, 23));
    const missing = !(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(path);
    const db = missing && readOnly
        ? new DatabaseSync(':memory:')
        : new DatabaseSync(path, { readOnly, timeout: 10_000 });
    const quote = (table) => (0,_driver_js__WEBPACK_IMPORTED_MODULE_1__/* .quoteIdent */ .v4)(table, '"');
    return {
        engine: 'sqlite',
        transactionalDdl: true,
        quote,
        async tableExists(table) {
            const row = db
                .prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?`)
                .get(table);
            return Number(row?.n) > 0;
        },
        async ensureTable(table) {
            db.exec(`CREATE TABLE IF NOT EXISTS ${quote(table)} (
  version TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  duration_ms INTEGER NOT NULL
)`);
        },
        async readApplied(table) {
            const rows = db
                .prepare(`SELECT version, name, sha256, applied_at, duration_ms FROM ${quote(table)} ORDER BY applied_at, version`)
                .all();
            return rows.map((r) => ({
                version: String(r.version),
                name: String(r.name),
                sha256: String(r.sha256),
                applied_at: String(r.applied_at),
                duration_ms: Number(r.duration_ms),
            }));
        },
        async execScript(sql) {
            db.exec(sql);
        },
        async begin() {
            db.exec('BEGIN');
        },
        async commit() {
            db.exec('COMMIT');
        },
        async rollback() {
            if (db.isTransaction)
                db.exec('ROLLBACK');
        },
        async insertApplied(table, row) {
            db.prepare(`INSERT INTO ${quote(table)} (version, name, sha256, duration_ms) VALUES (?, ?, ?, ?)`).run(row.version, row.name, row.sha256, row.duration_ms);
        },
        async deleteApplied(table, version) {
            db.prepare(`DELETE FROM ${quote(table)} WHERE version = ?`).run(version);
        },
        async interrupt() {
            // node:sqlite runs synchronously: a signal is seen at the next checkpoint
        },
        errorLine() {
            return undefined;
        },
        async close() {
            db.close();
        },
    };
}


/***/ })

};
