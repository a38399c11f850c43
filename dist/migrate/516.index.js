export const id = 516;
export const ids = [516];
export const modules = {

/***/ 2516:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   addTableContext: () => (/* binding */ addTableContext)
/* harmony export */ });
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3713);
/* harmony import */ var _kit_secrets_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4601);
/* harmony import */ var _connect_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(275);



/**
 * Live context for the findings: each touched table's estimated row count (reltuples, kept
 * current by autovacuum/ANALYZE) and total size (table, indexes, TOAST) from pg_class. Read
 * only; a failure leaves the findings without sizes and returns the reason.
 */
async function addTableContext(t, findings) {
    const tables = [...new Set(findings.flatMap((f) => (f.table ? [f.table] : [])))];
    if (t.engine !== 'postgres' || tables.length === 0)
        return undefined;
    let client;
    try {
        client = await (0,_connect_js__WEBPACK_IMPORTED_MODULE_2__/* .connectPostgres */ .M)(t);
        const r = await client.query(`SELECT q.name,
              CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END AS rows,
              pg_total_relation_size(c.oid) AS bytes
         FROM unnest($1::text[]) AS q(name)
         JOIN pg_class c ON c.oid = to_regclass(q.name)`, [tables]);
        const byName = new Map(r.rows.map((row) => [row.name, row]));
        for (const f of findings) {
            const row = f.table ? byName.get(f.table) : undefined;
            if (!row)
                continue;
            if (row.rows !== null)
                f.rows = Number(row.rows);
            if (row.bytes !== null)
                f.bytes = Number(row.bytes);
        }
        return undefined;
    }
    catch (err) {
        return (0,_kit_secrets_js__WEBPACK_IMPORTED_MODULE_1__/* .redact */ .E$)((0,_kit_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(err));
    }
    finally {
        await client?.end().catch(() => undefined);
    }
}


/***/ })

};
