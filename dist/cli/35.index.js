export const id = 35;
export const ids = [35];
export const modules = {

/***/ 75035:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   restoreBackupCache: () => (/* binding */ restoreBackupCache)
/* harmony export */ });
/* unused harmony exports CACHE_STAGING_DIR, cacheKeyProblem, saveBackupCache */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(73713);
/* harmony import */ var _kit_secrets_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(14601);
/* harmony import */ var _db_manifest_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(68333);
/* harmony import */ var _db_manifest_hash_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(50506);






/**
 * Backups in the GitHub Actions cache (@actions/cache, loaded only here).
 * The cache's version hashes the path strings it was saved with, and its tar is rooted at
 * the workspace, so every save and restore uses the same relative staging directory:
 * the backup and its manifest are linked into `<workspace>/.runbook-db-backup/`, saved,
 * and the staging directory removed. Restoring needs only the key.
 */
const CACHE_STAGING_DIR = '.runbook-db-backup';
function workspace() {
    return process.cwd();
}
async function linkOrCopy(src, dest) {
    try {
        await link(src, dest);
    }
    catch {
        await cp(src, dest, { recursive: true });
    }
}
/** Cache keys: at most 512 characters, no commas (the cache service's rules). */
function cacheKeyProblem(key) {
    if (key.length > 512)
        return 'is longer than 512 characters';
    if (key.includes(','))
        return 'contains a comma';
    return undefined;
}
async function saveBackupCache(opts) {
    const stage = join(workspace(), CACHE_STAGING_DIR);
    await rm(stage, { recursive: true, force: true });
    await mkdir(stage, { recursive: true });
    try {
        await linkOrCopy(opts.backupPath, join(stage, basename(opts.backupPath)));
        await linkOrCopy(opts.manifestPath, join(stage, basename(opts.manifestPath)));
        const cache = await Promise.all(/* import() */[__webpack_require__.e(110), __webpack_require__.e(91)]).then(__webpack_require__.bind(__webpack_require__, 18091));
        let id;
        try {
            id = await cache.saveCache([CACHE_STAGING_DIR], opts.key);
        }
        catch (err) {
            throw new UserError(`saving the backup to the cache failed: ${redact(errorMessage(err))}`);
        }
        if (id === -1) {
            throw new UserError(`saving the backup to the cache under key '${opts.key}' failed (see the warning above; a key can be saved only once).`);
        }
        return id;
    }
    finally {
        await rm(stage, { recursive: true, force: true });
    }
}
/** Restores a cached backup into `destDir` and checks its sha256 against the manifest. */
async function restoreBackupCache(key, destDir) {
    const stage = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(workspace(), CACHE_STAGING_DIR);
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(stage, { recursive: true, force: true });
    try {
        const cache = await Promise.all(/* import() */[__webpack_require__.e(110), __webpack_require__.e(91)]).then(__webpack_require__.bind(__webpack_require__, 18091));
        let hit;
        try {
            hit = await cache.restoreCache([CACHE_STAGING_DIR], key);
        }
        catch (err) {
            throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`restoring the backup from the cache failed: ${(0,_kit_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .redact */ .E$)((0,_kit_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(err))}`);
        }
        if (hit === undefined)
            throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`no cache entry has the key '${key}'.`);
        const manifestName = (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readdir)(stage)).find((f) => f.endsWith('.manifest.json'));
        if (!manifestName)
            throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`the cache entry '${key}' holds no backup manifest.`);
        const manifest = (0,_db_manifest_js__WEBPACK_IMPORTED_MODULE_5__/* .parseManifest */ .Ng)(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(stage, manifestName), 'utf8'));
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.mkdir)(destDir, { recursive: true });
        const manifestPath = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(destDir, manifestName);
        const backupPath = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(destDir, manifest.file);
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rename)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(stage, manifestName), manifestPath);
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rename)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(stage, manifest.file), backupPath);
        const actual = await (0,_db_manifest_hash_js__WEBPACK_IMPORTED_MODULE_4__/* .sha256Backup */ .sJ)(backupPath);
        if (actual.sha256 !== manifest.sha256) {
            throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`the cached backup ${manifest.file} has sha256 ${actual.sha256}, the manifest says ${manifest.sha256}.`);
        }
        return { manifest, manifestPath, backupPath };
    }
    finally {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(stage, { recursive: true, force: true });
    }
}


/***/ })

};
