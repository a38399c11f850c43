export const id = 107;
export const ids = [107];
export const modules = {

/***/ 81107:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   downloadBackupArtifact: () => (/* binding */ downloadBackupArtifact)
/* harmony export */ });
/* unused harmony export uploadBackupArtifact */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(73713);
/* harmony import */ var _kit_secrets_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(14601);
/* harmony import */ var _db_manifest_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(68333);
/* harmony import */ var _db_manifest_hash_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(50506);






async function client() {
    const { DefaultArtifactClient } = await Promise.all(/* import() */[__webpack_require__.e(110), __webpack_require__.e(458)]).then(__webpack_require__.bind(__webpack_require__, 67458));
    return new DefaultArtifactClient();
}
async function filesUnder(dir) {
    const out = [];
    for (const e of await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readdir)(dir, { withFileTypes: true, recursive: true })) {
        if (e.isFile())
            out.push((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(e.parentPath, e.name));
    }
    return out.sort();
}
async function uploadBackupArtifact(opts) {
    const c = await client();
    const root = dirname(opts.backupPath);
    const isDirectory = (await stat(opts.backupPath)).isDirectory();
    try {
        if (isDirectory) {
            const files = [...(await filesUnder(opts.backupPath)), opts.manifestPath];
            const r = await c.uploadArtifact(opts.name, files, root, {
                retentionDays: opts.retentionDays,
                compressionLevel: 0,
            });
            if (r.id === undefined)
                throw new Error('the service returned no artifact id');
            return { id: r.id, artifactName: opts.name, size: r.size ?? 0, manifestArtifactId: r.id };
        }
        const backup = await c.uploadArtifact(basename(opts.backupPath), [opts.backupPath], root, {
            retentionDays: opts.retentionDays,
            skipArchive: true,
        });
        const manifest = await c.uploadArtifact(basename(opts.manifestPath), [opts.manifestPath], dirname(opts.manifestPath), {
            retentionDays: opts.retentionDays,
            skipArchive: true,
        });
        if (backup.id === undefined)
            throw new Error('the service returned no artifact id');
        return {
            id: backup.id,
            artifactName: basename(opts.backupPath),
            size: backup.size ?? 0,
            manifestArtifactId: manifest.id,
        };
    }
    catch (err) {
        throw new UserError(`uploading the backup as an artifact failed: ${redact(errorMessage(err))}`);
    }
}
/** Downloads one artifact into a fresh directory under `parent` and returns that directory. */
async function downloadInto(c, artifactName, parent, findBy) {
    const { artifact } = await c.getArtifact(artifactName, findBy ? { findBy } : undefined);
    const dir = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(parent, '.download-'));
    await c.downloadArtifact(artifact.id, { path: dir, ...(findBy ? { findBy } : {}) });
    return dir;
}
/**
 * Fetches a backup uploaded by uploadBackupArtifact into `destDir` and checks its sha256
 * against the manifest. `name` is backup-db's `name` output.
 */
async function downloadBackupArtifact(name, destDir, findBy) {
    const c = await client();
    const manifestName = (0,_db_manifest_js__WEBPACK_IMPORTED_MODULE_5__/* .manifestFileName */ .V6)(name);
    let manifestPath;
    let manifest;
    try {
        let zipped;
        let manifestDir;
        try {
            manifestDir = await downloadInto(c, manifestName, destDir, findBy);
        }
        catch {
            // a directory backup: one zip artifact named <name> holding both
            zipped = await downloadInto(c, name, destDir, findBy);
            manifestDir = zipped;
        }
        const found = (await filesUnder(manifestDir)).find((f) => (0,node_path__WEBPACK_IMPORTED_MODULE_1__.basename)(f) === manifestName) ??
            (await filesUnder(manifestDir))[0];
        if (!found)
            throw new Error(`artifact ${manifestName} is empty`);
        manifest = (0,_db_manifest_js__WEBPACK_IMPORTED_MODULE_5__/* .parseManifest */ .Ng)(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(found, 'utf8'));
        manifestPath = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(destDir, manifestName);
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rename)(found, manifestPath);
        const backupPath = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(destDir, manifest.file);
        if (zipped) {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rename)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(zipped, manifest.file), backupPath);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(zipped, { recursive: true, force: true });
        }
        else {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(manifestDir, { recursive: true, force: true });
            const dir = await downloadInto(c, manifest.file, destDir, findBy);
            const files = await filesUnder(dir);
            if (files.length !== 1)
                throw new Error(`artifact ${manifest.file} holds ${files.length} files, expected 1`);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rename)(files[0], backupPath);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(dir, { recursive: true, force: true });
        }
        const actual = await (0,_db_manifest_hash_js__WEBPACK_IMPORTED_MODULE_4__/* .sha256Backup */ .sJ)(backupPath);
        if (actual.sha256 !== manifest.sha256) {
            throw new Error(`sha256 of ${manifest.file} is ${actual.sha256}, the manifest says ${manifest.sha256}`);
        }
        return { manifest, manifestPath, backupPath };
    }
    catch (err) {
        throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`downloading backup artifact '${name}' failed: ${(0,_kit_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .redact */ .E$)((0,_kit_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(err))}`);
    }
}


/***/ })

};
