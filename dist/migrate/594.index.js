export const id = 594;
export const ids = [594];
export const modules = {

/***/ 51594:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   openPostgresDriver: () => (/* binding */ openPostgresDriver)
/* harmony export */ });
/* harmony import */ var _db_connection_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(58152);
/* harmony import */ var _db_url_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(50879);
/* harmony import */ var _driver_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(56494);



/** statementTimeoutMs: the `timeout` input, so one stuck statement cannot hold the lock forever. */
async function openPostgresDriver(t, statementTimeoutMs) {
    const timeout = t.connectTimeoutMs ?? _db_url_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULT_CONNECT_TIMEOUT_MS */ .od;
    const client = await (0,_db_connection_js__WEBPACK_IMPORTED_MODULE_0__/* .connectPostgres */ .Mq)('database-url', t, t.database, timeout, 'runbook-migrate');
    if (statementTimeoutMs)
        await client.query(`SET statement_timeout = ${Math.round(statementTimeoutMs)}`);
    // the backend to cancel when the run is interrupted
    const backend = await client.query('SELECT pg_backend_pid() AS pid');
    const pid = backend.rows[0]?.pid;
    const quote = (table) => (0,_driver_js__WEBPACK_IMPORTED_MODULE_2__/* .quoteIdent */ .v4)(table, '"');
    return {
        engine: 'postgres',
        transactionalDdl: true,
        quote,
        async tableExists(table) {
            const r = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [
                quote(table),
            ]);
            return r.rows[0]?.ok === true;
        },
        async ensureTable(table) {
            await client.query(`CREATE TABLE IF NOT EXISTS ${quote(table)} (
  version varchar(64) PRIMARY KEY,
  name text NOT NULL,
  sha256 char(64) NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  duration_ms integer NOT NULL
)`);
        },
        async readApplied(table) {
            const r = await client.query(`SELECT version, name, sha256, applied_at, duration_ms FROM ${quote(table)} ORDER BY applied_at, version`);
            return r.rows.map((row) => ({ ...row, applied_at: new Date(row.applied_at).toISOString() }));
        },
        async execScript(sql) {
            await client.query(sql);
        },
        async begin() {
            await client.query('BEGIN');
        },
        async commit() {
            await client.query('COMMIT');
        },
        async rollback() {
            await client.query('ROLLBACK');
        },
        async insertApplied(table, row) {
            await client.query(`INSERT INTO ${quote(table)} (version, name, sha256, duration_ms) VALUES ($1, $2, $3, $4)`, [row.version, row.name, row.sha256, row.duration_ms]);
        },
        async deleteApplied(table, version) {
            await client.query(`DELETE FROM ${quote(table)} WHERE version = $1`, [version]);
        },
        async interrupt() {
            const other = await (0,_db_connection_js__WEBPACK_IMPORTED_MODULE_0__/* .connectPostgres */ .Mq)('database-url', t, t.database, timeout, 'runbook-migrate');
            try {
                await other.query('SELECT pg_cancel_backend($1)', [pid]);
            }
            finally {
                await other.end().catch(() => undefined);
            }
        },
        errorLine(err, sql) {
            const pos = Number(err.position);
            return Number.isFinite(pos) && pos > 0 ? (0,_driver_js__WEBPACK_IMPORTED_MODULE_2__/* .lineOfPosition */ .DR)(sql, pos) : undefined;
        },
        async close() {
            await client.end().catch(() => undefined);
        },
    };
}


/***/ })

};
