export const id = 573;
export const ids = [573];
export const modules = {

/***/ 1573:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   lintSourcesFor: () => (/* binding */ lintSourcesFor)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _sql_files_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(921);



/**
 * The SQL a release will run, per migration, with the file each finding points at:
 * sql files (a dbmate file's up section), Prisma's migration.sql files, and the SQL that
 * `alembic upgrade --sql` and Django's `sqlmigrate` print, mapped back to the Python
 * migration behind each part. `workspace`: findings' paths are relative to it.
 */
function lintSourcesFor(tool, ctx, plan, workspace) {
    const rel = (path) => (0,node_path__WEBPACK_IMPORTED_MODULE_1__.relative)(workspace, path) || path;
    switch (tool) {
        case 'sql': {
            const dir = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(ctx.cwd, ctx.migrationsDir);
            const migrations = (0,_sql_files_js__WEBPACK_IMPORTED_MODULE_2__/* .loadMigrations */ .Y$)(dir, (0,_sql_files_js__WEBPACK_IMPORTED_MODULE_2__/* .scanDir */ .D)(dir, ctx.sqlLayout));
            return migrations
                .filter((m) => plan.toApply.includes(m.file) && !m.sectionError)
                .map((m) => ({ file: rel((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(dir, m.file)), sql: m.sql }));
        }
        case 'prisma':
            return plan.toApply.flatMap((name) => {
                const path = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(ctx.cwd, 'prisma/migrations', name, 'migration.sql');
                return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(path) ? [{ file: rel(path), sql: (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(path, 'utf8') }] : [];
            });
        case 'alembic':
            return alembicSources(ctx.cwd, plan.preview ?? '').map((s) => ({ ...s, file: rel(s.file) }));
        case 'django':
            return djangoSources(ctx.cwd, plan.preview ?? '').map((s) => ({ ...s, file: rel(s.file) }));
        case 'command':
            return [];
    }
}
/** Splits generated SQL at header lines; each part keeps its own line numbers from 1. */
function parts(preview, header) {
    const lines = preview.split('\n');
    const out = [];
    // the tools print BEGIN;/COMMIT; on lines of their own: whether a part starts inside one
    let open = false;
    let current;
    for (const line of lines) {
        const m = header.exec(line);
        if (m) {
            if (current)
                out.push({
                    key: current.key,
                    sql: current.lines.join('\n'),
                    inTransaction: current.inTransaction,
                });
            current = { key: m[1], lines: [], inTransaction: open };
            continue;
        }
        if (/^BEGIN;\s*$/.test(line))
            open = true;
        else if (/^COMMIT;\s*$/.test(line))
            open = false;
        current?.lines.push(line);
    }
    if (current)
        out.push({
            key: current.key,
            sql: current.lines.join('\n'),
            inTransaction: current.inTransaction,
        });
    return out;
}
/** Python files under dir (a few levels deep; virtualenvs and caches skipped). */
function pythonFiles(dir, depth = 5) {
    if (depth < 0)
        return [];
    const out = [];
    let entries;
    try {
        entries = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync)(dir, { withFileTypes: true });
    }
    catch {
        return [];
    }
    for (const e of entries) {
        if (e.isDirectory()) {
            if (/^(\.|__pycache__|node_modules|venv|env|site-packages)/.test(e.name))
                continue;
            out.push(...pythonFiles((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(dir, e.name), depth - 1));
        }
        else if (e.name.endsWith('.py'))
            out.push((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(dir, e.name));
    }
    return out;
}
function lineOf(text, pattern) {
    const i = text.split('\n').findIndex((l) => pattern.test(l));
    return i < 0 ? 1 : i + 1;
}
/** `-- Running upgrade <from> -> <to>` parts, each at its revision file's upgrade(). */
function alembicSources(cwd, preview) {
    const files = pythonFiles(cwd);
    return parts(preview, /^-- Running upgrade\s+\S*\s*->\s*(\S+)\s*$/).map((p) => {
        const revision = new RegExp(`^revision(?:\\s*:\\s*[\\w\\[\\], |]+)?\\s*=\\s*['"]${p.key}['"]`, 'm');
        const file = files.find((f) => revision.test((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(f, 'utf8')));
        const line = file ? lineOf((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(file, 'utf8'), /^def upgrade\b/) : 1;
        return {
            file: file ?? `alembic revision ${p.key}`,
            sql: p.sql,
            mapLine: () => line,
            startsInTransaction: p.inTransaction,
        };
    });
}
/** `-- <app>.<migration>` parts (the django tool's plan), each at its migration file. */
function djangoSources(cwd, preview) {
    const files = pythonFiles(cwd);
    return parts(preview, /^-- ([A-Za-z0-9_]+\.[A-Za-z0-9_]+)$/).map((p) => {
        const [app, name] = p.key.split('.');
        const candidates = files.filter((f) => (0,node_path__WEBPACK_IMPORTED_MODULE_1__.basename)(f) === `${name}.py` && (0,node_path__WEBPACK_IMPORTED_MODULE_1__.basename)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(f, '..')) === 'migrations');
        const file = candidates.find((f) => (0,node_path__WEBPACK_IMPORTED_MODULE_1__.basename)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(f, '../..')) === app) ?? candidates[0];
        const line = file ? lineOf((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(file, 'utf8'), /^\s*operations\s*=/) : 1;
        return {
            file: file ?? `django migration ${p.key}`,
            sql: p.sql,
            mapLine: () => line,
            startsInTransaction: p.inTransaction,
        };
    });
}


/***/ })

};
