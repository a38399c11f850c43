export const id = 33;
export const ids = [33];
export const modules = {

/***/ 99022:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ce: () => (/* binding */ compactTimestamp)
});

// UNUSED EXPORTS: backupFileName, defaultBackupName, openSession, runBackup

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 16 modules
var lib_core = __webpack_require__(12286);
// EXTERNAL MODULE: ./src/kit/errors.ts
var errors = __webpack_require__(73713);
// EXTERNAL MODULE: ./src/kit/secrets.ts
var secrets = __webpack_require__(14601);
// EXTERNAL MODULE: ./src/kit/sizes.ts
var sizes = __webpack_require__(98402);
// EXTERNAL MODULE: ./src/db/compression.ts + 1 modules
var compression = __webpack_require__(59757);
// EXTERNAL MODULE: ./src/db/encryption.ts + 1 modules
var encryption = __webpack_require__(44980);
// EXTERNAL MODULE: ./src/db/engine.ts
var engine = __webpack_require__(25978);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/db/manifest-hash.ts






/**
 * How a backup's `sha256` and `size_bytes` are computed (manifest.ts), shared by backup-db,
 * migrate's backup gate and rollback.
 * - a file: sha256 of its bytes, its size.
 * - a directory (pg_dump -Fd): sha256 over the lines `<sha256 of file>  <relative path>\n`
 *   (the sha256sum format) of every regular file, paths sorted bytewise with `/` separators;
 *   size = the sum of the file sizes. A renamed, missing or extra file changes the digest.
 */
/** A pass-through stream that hashes and counts what flows through it. */
class manifest_hash_HashCounter extends (/* unused pure expression or super */ null && (Transform)) {
    hash = createHash('sha256');
    bytes = 0;
    _transform(chunk, _enc, cb) {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        cb(null, chunk);
    }
}
async function sha256File(path) {
    const h = createHash('sha256');
    let bytes = 0;
    await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), async function (source) {
        for await (const chunk of source) {
            h.update(chunk);
            bytes += chunk.length;
        }
    });
    return { sha256: h.digest('hex'), bytes };
}
async function listFiles(dir) {
    const out = [];
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
        if (entry.isFile())
            out.push(relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
    }
    return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
async function manifest_hash_sha256Directory(dir) {
    const outer = createHash('sha256');
    let bytes = 0;
    const files = await listFiles(dir);
    for (const rel of files) {
        const f = await sha256File(join(dir, rel));
        bytes += f.bytes;
        outer.update(`${f.sha256}  ${rel}\n`);
    }
    return { sha256: outer.digest('hex'), bytes, files: files.length };
}
/** sha256 and size of a backup, file or directory, as the manifest records them. */
async function manifest_hash_sha256Backup(path) {
    const s = await stat(path);
    return s.isDirectory() ? manifest_hash_sha256Directory(path) : sha256File(path);
}

// EXTERNAL MODULE: ./src/db/mysql.ts
var mysql = __webpack_require__(25660);
// EXTERNAL MODULE: ./src/db/postgres.ts
var postgres = __webpack_require__(1343);
// EXTERNAL MODULE: ./src/db/sqlite.ts
var sqlite = __webpack_require__(40852);
;// CONCATENATED MODULE: ./src/db/backup.ts

















/** `20261122T014907Z` */
function compactTimestamp(d) {
    return d
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z')
        .replace(/[-:]/g, '');
}
/** The default backup name: `<database>-<yyyymmddThhmmssZ>`, the database reduced to safe characters. */
function defaultBackupName(engine, database, now) {
    const base = engine === 'sqlite' ? database.replace(/\.(sqlite3?|db3?)$/i, '') : database;
    const safe = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '') || 'database';
    return `${safe}-${compactTimestamp(now)}`;
}
/** The backup's file (or directory) name for a plan. */
function backupFileName(name, engine, plan) {
    const stream = (plan.compressedBy === 'stream' ? compressionExtension(plan.compression) : '') +
        ((plan.encryptTo?.length ?? 0) > 0 ? AGE_EXTENSION : '');
    switch (plan.format) {
        case 'directory':
            return `${name}.dir`;
        case 'custom':
            return `${name}.dump${stream}`;
        case 'plain':
            return `${name}.sql${stream}`;
        case 'sqlite':
            return `${name}.sqlite3${stream}`;
    }
    throw new Error(`no file name for format ${String(plan.format)} (${engine})`);
}
async function openSession(target, input, connectTimeoutMs) {
    if (target.engine === 'postgres')
        return PostgresSession.open(input, target, connectTimeoutMs);
    if (target.engine === 'mysql')
        return MysqlSession.open(input, target, connectTimeoutMs);
    if (target.engine === 'sqlite')
        return SqliteSession.open(input, target, connectTimeoutMs);
    throw new Error(`unknown engine ${String(target.engine)}`);
}
async function exists(path) {
    try {
        await stat(path);
        return true;
    }
    catch {
        return false;
    }
}
function ioProblem(err) {
    const e = err;
    const reasons = {
        ENOSPC: 'no space left on the device',
        EROFS: 'the file system is read-only',
        EACCES: 'permission denied',
        EPERM: 'operation not permitted',
        ENOTDIR: 'a part of the path is a file, not a directory',
        EEXIST: 'it already exists',
    };
    return (e.code && reasons[e.code]) ?? errorMessage(err);
}
/** decrypt-identity at backup time is for verify: it must open what encrypt-to locks. */
async function checkIdentityMatches(encryptTo, identities) {
    if (encryptTo.length === 0 || !identities)
        return;
    const wanted = new Set(encryptTo.map(recipientFingerprint));
    const have = await identityFingerprints(identities);
    if (!have.some((f) => wanted.has(f))) {
        throw new InputError('decrypt-identity', `does not match any recipient of encrypt-to (recipients: ${[...wanted].join(', ')}; the identity's: ${have.join(', ')}); verify could not read the backup.`);
    }
}
/**
 * Without an identity: the age header is whole and holds one X25519 stanza per recipient, and
 * the payload's size is one a whole age payload can have.
 */
async function verifyEncryptedHeader(path, recipients) {
    let h;
    try {
        h = await headerStanzas(path);
    }
    catch (err) {
        throw new UserError(`the encrypted backup is not a valid age file: ${errorMessage(err)}`);
    }
    if (h.stanzas !== recipients || h.types.some((t) => t !== 'X25519')) {
        throw new UserError(`the encrypted backup's age header has ${h.stanzas} recipient stanza(s) (${h.types.join(', ')}), expected ${recipients} X25519.`);
    }
    if (!payloadSizeIsWhole(h.payloadBytes))
        throw new UserError(`the encrypted backup's age payload (${h.payloadBytes} bytes) cannot be whole; it was not kept.`);
    return `age header: ${recipients} X25519 recipient(s), payload size whole; plaintext not checked (no decrypt-identity)`;
}
/** Writes the dump through compression and hashing into `partial`; returns sha256, size and counts. */
async function writeDump(session, plan, partial, workDir) {
    if (plan.format === 'directory') {
        const tables = await session.dump(plan, { kind: 'directory', path: partial }, workDir);
        const h = await sha256Directory(partial);
        return { sha256: h.sha256, bytes: h.bytes, tables };
    }
    const entry = new PassThrough({ highWaterMark: 1024 * 1024 });
    const hasher = new HashCounter();
    const file = createWriteStream(partial, { flags: 'wx', highWaterMark: 1024 * 1024 });
    // encryption is the last stage, so the hash and size are of the bytes as stored
    const stages = [];
    if (plan.compressedBy === 'stream' && plan.compression !== 'none')
        stages.push(createCompressor(plan.compression, plan.level ?? 6));
    if (plan.encryptTo && plan.encryptTo.length > 0)
        stages.push(await createEncryptor(plan.encryptTo));
    const written = pipeline([entry, ...stages, hasher, file]);
    const [dumped, wrote] = await Promise.allSettled([
        session.dump(plan, { kind: 'stream', sink: entry }, workDir),
        written,
    ]);
    // a failed write is the root cause: the dump tool then only saw its pipe close
    if (wrote.status === 'rejected')
        throw new UserError(`writing the backup failed: ${ioProblem(wrote.reason)}`);
    if (dumped.status === 'rejected')
        throw dumped.reason;
    return { sha256: hasher.hash.digest('hex'), bytes: hasher.bytes, tables: dumped.value };
}
/**
 * Dumps, checks and only then publishes a backup: everything is written under a hidden
 * work directory inside output-dir and renamed to its final name after every check passed.
 */
async function runBackup(opts, progress = {}) {
    const started = Date.now();
    const now = opts.now ?? new Date();
    await checkIdentityMatches(opts.plan.encryptTo ?? [], opts.decryptIdentities);
    const session = await openSession(opts.target, opts.input, opts.plan.connectTimeoutMs);
    let workDir;
    const cleanup = () => {
        if (workDir)
            rmSync(workDir, { recursive: true, force: true });
    };
    const onSignal = (signal) => {
        cleanup();
        process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    let stage = 'preparing';
    try {
        progress.engine = session.engine;
        progress.database = session.database;
        progress.serverVersion = session.serverVersion;
        const plan = session.resolvePlan(opts.plan);
        progress.format = plan.format;
        progress.compression = plan.compression;
        const name = opts.name ?? defaultBackupName(session.engine, session.database, now);
        progress.name = name;
        const fileName = backupFileName(name, session.engine, plan);
        const finalPath = join(opts.outputDir, fileName);
        const manifestPath = join(opts.outputDir, manifestFileName(name));
        try {
            await mkdir(opts.outputDir, { recursive: true });
        }
        catch (err) {
            throw new UserError(`output-dir ${opts.outputDir} cannot be created: ${ioProblem(err)}.`);
        }
        for (const p of [finalPath, manifestPath]) {
            if (await exists(p))
                throw new UserError(`${p} already exists; choose another name or output-dir.`);
        }
        try {
            workDir = await mkdtemp(join(opts.outputDir, `.${name}.partial-`));
        }
        catch (err) {
            throw new UserError(`cannot write in output-dir ${opts.outputDir}: ${ioProblem(err)}.`);
        }
        if (opts.exitOnSignal !== false) {
            process.once('SIGINT', onSignal);
            process.once('SIGTERM', onSignal);
        }
        const partial = join(workDir, fileName);
        core.info(`Backing up ${session.engine} database '${session.database}' (server ${session.serverVersion}) as ${fileName}`);
        stage = 'the dump';
        const dumped = await writeDump(session, plan, partial, workDir);
        const tables = dumped.tables;
        core.info(`Wrote ${formatSize(dumped.bytes)}, sha256 ${dumped.sha256}`);
        if (dumped.bytes < opts.minSizeBytes) {
            throw new UserError(`the backup is ${formatSize(dumped.bytes)} (${dumped.bytes} bytes), below min-size ${formatSize(opts.minSizeBytes)}; it was not kept.`);
        }
        const recipients = (plan.encryptTo ?? []).map(recipientFingerprint);
        const encrypted = recipients.length > 0;
        const backup = {
            path: partial,
            plan,
            decrypt: encrypted && opts.decryptIdentities
                ? {
                    identities: opts.decryptIdentities,
                    context: { file: fileName, recipients, input: 'decrypt-identity' },
                }
                : undefined,
        };
        const checks = [];
        stage = 'the structural check';
        if (encrypted && !backup.decrypt) {
            // the plaintext needs a secret this runner does not have: check what the key does not guard
            checks.push(await verifyEncryptedHeader(partial, recipients.length));
        }
        else {
            const structure = await session.verifyStructure(backup, tables, workDir);
            if (structure.missing.length > 0) {
                if (plan.extraArgs.length === 0) {
                    throw new UserError(`the archive lacks the data of ${structure.missing.length} table(s): ${structure.missing.slice(0, 5).join(', ')}.`);
                }
                // extra-args excluded them: the manifest lists what the backup holds
                for (const t of structure.missing)
                    delete tables[t];
                checks.push(`${structure.missing.length} table(s) left out by extra-args`);
            }
            checks.unshift(encrypted ? `decrypted, ${structure.checked}` : structure.checked);
        }
        if (opts.verify === 'checksum' || opts.verify === 'restore') {
            const again = await sha256Backup(partial);
            if (again.sha256 !== dumped.sha256 || again.bytes !== dumped.bytes) {
                throw new UserError(`re-reading the backup gave sha256 ${again.sha256} (${again.bytes} bytes), not ${dumped.sha256}; the disk did not keep what was written.`);
            }
            checks.push('sha256 re-read and matched');
        }
        let restore;
        if (opts.verify === 'restore') {
            stage = 'the restore check';
            restore = await session.verifyRestore(backup, opts.verifyTarget, workDir);
            const problems = compareTableCounts(tables, restore.tables);
            if (problems.length > 0) {
                throw new UserError(`the restored copy differs from the source: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}.`);
            }
            if (!restore.dropped)
                core.warning(`the scratch ${restore.scratch} could not be removed`);
            checks.push(`restored into ${restore.scratch}: ${Object.keys(restore.tables).length} tables, row counts match${restore.dropped ? ', scratch dropped' : ''}`);
        }
        const manifest = {
            version: 1,
            engine: session.engine,
            database: session.database,
            server_version: session.serverVersion,
            client_version: session.clientVersion,
            format: plan.format,
            compression: plan.compression,
            compressed_by: plan.compressedBy,
            file: fileName,
            size_bytes: dumped.bytes,
            sha256: dumped.sha256,
            ...(encrypted ? { encrypted: true, recipients } : {}),
            created_at: now.toISOString(),
            git_sha: opts.gitSha,
            run_id: opts.runId,
            tables,
        };
        const manifestPartial = join(workDir, manifestFileName(name));
        stage = 'publishing the backup';
        await writeFile(manifestPartial, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
        await rename(partial, finalPath);
        try {
            await rename(manifestPartial, manifestPath);
        }
        catch (err) {
            await rm(finalPath, { recursive: true, force: true });
            throw err;
        }
        return {
            path: finalPath,
            manifestPath,
            manifest,
            checks,
            restore,
            durationMs: Date.now() - started,
        };
    }
    catch (err) {
        // driver and file system errors are the environment's, not bugs: one line with the stage
        if (!isUserError(err) && typeof err.code === 'string') {
            throw new UserError(`${stage} failed: ${redact(errorMessage(err))}`, { cause: err });
        }
        throw err;
    }
    finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        cleanup();
        await session.close();
    }
}


/***/ }),

/***/ 89676:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L1: () => (/* binding */ expiredKeptFiles),
/* harmony export */   Oe: () => (/* binding */ expiredKeptDatabases),
/* harmony export */   W5: () => (/* binding */ sqliteKeptPath)
/* harmony export */ });
/* unused harmony export stampTime */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _postgres_database_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9853);



/**
 * The copies a swap rollback keeps as an instant undo (`keep-replaced`): PostgreSQL databases
 * `<db>_before_rollback_<yyyymmddThhmmssZ>[_n]` and SQLite files
 * `<file>.before-rollback-<yyyymmddThhmmssZ>`. With `keep-replaced: <duration>` a rollback
 * drops the ones earlier rollbacks kept once they are older than that; only names that follow
 * these patterns for the same live database are ever considered.
 */
const STAMP = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})z$/i;
/** The UTC time of a kept copy's stamp, or undefined when the text is not one. */
function stampTime(stamp) {
    const m = STAMP.exec(stamp);
    if (!m)
        return undefined;
    const [, y, mo, d, h, mi, s] = m.map(Number);
    const t = Date.UTC(y, mo - 1, d, h, mi, s);
    return Number.isNaN(t) ? undefined : t;
}
function older(stamp, now, maxAgeMs) {
    const t = stampTime(stamp);
    return t !== undefined && now.getTime() - t > maxAgeMs;
}
/** Of the server's database names, the kept copies of `live` older than maxAgeMs. */
function expiredKeptDatabases(live, names, now, maxAgeMs) {
    // the prefix keptDatabaseName gives for a stamp of the usual length (16 characters)
    const prefix = (0,_postgres_database_js__WEBPACK_IMPORTED_MODULE_2__/* .keptDatabaseName */ .Rt)(live, 'x'.repeat(16)).slice(0, -16);
    return names.filter((name) => {
        if (!name.startsWith(prefix))
            return false;
        const m = /^(\d{8}t\d{6}z)(?:_\d+)?$/.exec(name.slice(prefix.length));
        return m !== null && older(m[1], now, maxAgeMs);
    });
}
/** Where the replaced file is kept: `<file>.before-rollback-<yyyymmddThhmmssZ>`. */
function sqliteKeptPath(targetPath, stamp) {
    return `${targetPath}.before-rollback-${stamp}`;
}
/** The kept copies of the SQLite file at targetPath older than maxAgeMs (full paths). */
function expiredKeptFiles(targetPath, now, maxAgeMs) {
    const prefix = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.basename)(sqliteKeptPath(targetPath, ''));
    return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)(targetPath))
        .filter((f) => f.startsWith(prefix) && older(f.slice(prefix.length), now, maxAgeMs))
        .map((f) => (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)(targetPath), f));
}


/***/ }),

/***/ 9853:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cu: () => (/* binding */ restoringDatabaseName),
/* harmony export */   E6: () => (/* binding */ canSwap),
/* harmony export */   He: () => (/* binding */ createDatabaseLike),
/* harmony export */   Qj: () => (/* binding */ swapDatabases),
/* harmony export */   Rt: () => (/* binding */ keptDatabaseName),
/* harmony export */   Zi: () => (/* binding */ dropDatabase),
/* harmony export */   ef: () => (/* binding */ inPlaceCleanSql),
/* harmony export */   h$: () => (/* binding */ databaseRights),
/* harmony export */   s9: () => (/* binding */ unusedKeptName)
/* harmony export */ });
/* unused harmony export databaseExists */
const ident = (c, name) => c.escapeIdentifier(name);
const literal = (c, text) => c.escapeLiteral(text);
async function databaseRights(admin, live) {
    const r = await admin.query(`SELECT rolsuper, rolcreatedb,
            (SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database WHERE datname = $1) AS owns
     FROM pg_roles WHERE rolname = current_user`, [live]);
    const row = r.rows[0];
    return { superuser: row.rolsuper, createdb: row.rolcreatedb, ownsLive: row.owns === true };
}
/** Whether a swap restore is possible: create a database, and rename the live one. */
function canSwap(r) {
    return r.superuser || (r.createdb && r.ownsLive);
}
async function databaseExists(admin, name) {
    const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return (r.rowCount ?? 0) > 0;
}
/** Drops a database, ending its sessions (PostgreSQL 13+); true when it is gone. */
async function dropDatabase(admin, name) {
    await admin.query(`DROP DATABASE IF EXISTS ${ident(admin, name)} WITH (FORCE)`);
    return !(await databaseExists(admin, name));
}
async function liveProperties(admin, live) {
    const r = await admin.query(`SELECT jsonb_build_object(
       'owner', pg_get_userbyid(d.datdba),
       'ownerUsable', (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                      OR pg_has_role(current_user, d.datdba, 'MEMBER'),
       'encoding', pg_encoding_to_char(d.encoding),
       'datconnlimit', d.datconnlimit,
       'comment', shobj_description(d.oid, 'pg_database'),
       'acl', (SELECT jsonb_agg(jsonb_build_object(
                 'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END,
                 'privilege', a.privilege_type, 'grantable', a.is_grantable))
               FROM aclexplode(d.datacl) a),
       'settings', coalesce((SELECT jsonb_agg(jsonb_build_object(
                 'role', CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END,
                 'setting', c.setting))
               FROM pg_db_role_setting s, unnest(s.setconfig) AS c(setting)
               WHERE s.setdatabase = d.oid), '[]'::jsonb)
     ) || (to_jsonb(d) - 'datacl' - 'datdba' - 'encoding' - 'datconnlimit') AS p
     FROM pg_database d WHERE d.datname = $1`, [live]);
    if (r.rows.length === 0)
        throw new Error(`database ${live} does not exist`);
    return r.rows[0].p;
}
/**
 * Creates `name` from template0 with the live database's owner, encoding, locale, connection
 * limit, privileges, settings and comment (what `pg_dump` without `--create` does not carry).
 * Returns warnings for what could not be copied.
 */
async function createDatabaseLike(admin, name, live) {
    const p = await liveProperties(admin, live);
    const warnings = [];
    const opts = [
        'TEMPLATE template0',
        `ENCODING ${literal(admin, p.encoding)}`,
        `LC_COLLATE ${literal(admin, p.datcollate)}`,
        `LC_CTYPE ${literal(admin, p.datctype)}`,
        `CONNECTION LIMIT ${Number(p.datconnlimit)}`,
    ];
    if (p.datlocprovider === 'i' && p.daticulocale) {
        opts.push('LOCALE_PROVIDER icu', `ICU_LOCALE ${literal(admin, p.daticulocale)}`);
    }
    if (p.ownerUsable)
        opts.push(`OWNER ${ident(admin, p.owner)}`);
    else
        warnings.push(`the restored database is owned by the restoring user, not '${p.owner}' (not a member of that role).`);
    await admin.query(`CREATE DATABASE ${ident(admin, name)} ${opts.join(' ')}`);
    const db = ident(admin, name);
    const follow = [];
    if (p.acl !== null) {
        follow.push(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
        for (const a of p.acl) {
            const to = a.grantee === null ? 'PUBLIC' : ident(admin, a.grantee);
            follow.push(`GRANT ${a.privilege} ON DATABASE ${db} TO ${to}${a.grantable ? ' WITH GRANT OPTION' : ''}`);
        }
    }
    for (const s of p.settings) {
        const eq = s.setting.indexOf('=');
        const set = `SET ${ident(admin, s.setting.slice(0, eq))} = ${literal(admin, s.setting.slice(eq + 1))}`;
        follow.push(s.role === null
            ? `ALTER DATABASE ${db} ${set}`
            : `ALTER ROLE ${ident(admin, s.role)} IN DATABASE ${db} ${set}`);
    }
    if (p.comment !== null)
        follow.push(`COMMENT ON DATABASE ${db} IS ${literal(admin, p.comment)}`);
    for (const sql of follow) {
        try {
            await admin.query(sql);
        }
        catch (err) {
            warnings.push(`${sql.split(' ').slice(0, 4).join(' ')}… failed: ${err.message}`);
        }
    }
    return warnings;
}
const IN_USE = '55006';
/**
 * Renames live -> kept and restored -> live in one short step: new connections to the live
 * database are refused, its sessions ended, then both renames run; if the second fails, the
 * first is undone. The kept database accepts connections again afterwards (for an undo).
 */
async function swapDatabases(admin, live, restored, kept) {
    const L = ident(admin, live);
    const K = ident(admin, kept);
    await admin.query(`ALTER DATABASE ${L} ALLOW_CONNECTIONS false`);
    try {
        for (let attempt = 1;; attempt++) {
            await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [live]);
            try {
                await admin.query(`ALTER DATABASE ${L} RENAME TO ${K}`);
                break;
            }
            catch (err) {
                // a terminated session may take a moment to exit
                if (err.code !== IN_USE || attempt >= 50)
                    throw err;
                await new Promise((r) => setTimeout(r, 100));
            }
        }
    }
    catch (err) {
        await admin.query(`ALTER DATABASE ${L} ALLOW_CONNECTIONS true`).catch(() => undefined);
        throw err;
    }
    try {
        await admin.query(`ALTER DATABASE ${ident(admin, restored)} RENAME TO ${L}`);
    }
    catch (err) {
        await admin.query(`ALTER DATABASE ${K} RENAME TO ${L}`).catch(() => undefined);
        await admin.query(`ALTER DATABASE ${L} ALLOW_CONNECTIONS true`).catch(() => undefined);
        throw err;
    }
    await admin.query(`ALTER DATABASE ${K} ALLOW_CONNECTIONS true`);
}
/** `<db>_before_rollback_<yyyymmddThhmmssZ>` within PostgreSQL's 63-byte name limit. */
function keptDatabaseName(live, stamp) {
    const suffix = `_before_rollback_${stamp.toLowerCase()}`;
    return `${truncateBytes(live, 63 - suffix.length)}${suffix}`;
}
/**
 * keptDatabaseName, numbered `_2`, `_3`… when a rollback in the same second already kept one
 * (undoing a rollback right after it must not fail on the name).
 */
async function unusedKeptName(admin, live, stamp) {
    for (let n = 1;; n++) {
        const name = keptDatabaseName(live, n === 1 ? stamp : `${stamp}_${n}`);
        const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (r.rowCount === 0)
            return name;
    }
}
/** The name the backup is restored under before the swap. */
function restoringDatabaseName(live, random) {
    const suffix = `_rollback_${random}`;
    return `${truncateBytes(live, 63 - suffix.length)}${suffix}`;
}
function truncateBytes(text, max) {
    let out = text;
    while (Buffer.byteLength(out) > max)
        out = out.slice(0, -1);
    return out;
}
/**
 * SQL that empties the schemas a backup contains before an in-place restore, in the same
 * transaction as the restore. Other schemas are dropped whole (CASCADE), with the extensions
 * that live in them. `public` is kept — dropping it would lose PostgreSQL 15's defaults
 * (owner pg_database_owner, its ACL recorded in pg_init_privs, its comment) — so its objects
 * are dropped one by one (partitioned tables first, then other relations, routines, types,
 * operator families, operators, text search configurations and dictionaries, collations,
 * conversions; members of extensions are left to their extension), and its owner, ACL and
 * comment are reset to those defaults for the backup to reapply its own.
 */
function inPlaceCleanSql(schemas) {
    const list = [...new Set(schemas)]
        .filter((s) => s !== 'public')
        .sort()
        .map((s) => `'${s.replace(/'/g, "''")}'`);
    const others = list.length > 0 ? `ARRAY[${list.join(', ')}]::text[]` : `ARRAY[]::text[]`;
    return `SET client_min_messages = warning;
DO $runbook$
DECLARE
  r record;
  pub oid := to_regnamespace('public');
BEGIN
  FOR r IN SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
           WHERE n.nspname = ANY(${others}) OR n.oid = pub LOOP
    IF r.extname <> 'plpgsql' THEN EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname); END IF;
  END LOOP;
  FOR r IN SELECT nspname FROM pg_namespace WHERE nspname = ANY(${others}) LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
  END LOOP;
  IF pub IS NULL THEN
    CREATE SCHEMA public;
    RETURN;
  END IF;
  FOR r IN SELECT c.oid, c.relkind FROM pg_class c
           WHERE c.relnamespace = pub AND c.relkind IN ('p', 'r', 'v', 'm', 'f', 'S') AND NOT c.relispartition
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
           ORDER BY c.relkind = 'p' DESC, c.relkind = 'r' DESC LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = r.oid);
    EXECUTE format('DROP %s IF EXISTS %s CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                     WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
      r.oid::regclass);
  END LOOP;
  FOR r IN SELECT p.oid, p.prokind FROM pg_proc p WHERE p.pronamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_proc WHERE oid = r.oid);
    EXECUTE format('DROP %s IF EXISTS %s CASCADE',
      CASE r.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, r.oid::regprocedure);
  END LOOP;
  FOR r IN SELECT t.oid, t.typtype FROM pg_type t
           WHERE t.typnamespace = pub AND t.typtype IN ('e', 'd', 'r', 'c', 'b')
             AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
             AND NOT EXISTS (SELECT 1 FROM pg_type a WHERE a.typarray = t.oid)
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_type WHERE oid = r.oid);
    EXECUTE format('DROP %s IF EXISTS %s CASCADE',
      CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.oid::regtype);
  END LOOP;
  FOR r IN SELECT f.oid, f.opfname, a.amname FROM pg_opfamily f JOIN pg_am a ON a.oid = f.opfmethod
           WHERE f.opfnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = f.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP OPERATOR FAMILY IF EXISTS public.%I USING %I CASCADE', r.opfname, r.amname);
  END LOOP;
  FOR r IN SELECT o.oid FROM pg_operator o WHERE o.oprnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = o.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_operator WHERE oid = r.oid);
    EXECUTE format('DROP OPERATOR IF EXISTS %s CASCADE', r.oid::regoperator);
  END LOOP;
  FOR r IN SELECT c.oid FROM pg_ts_config c WHERE c.cfgnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE oid = r.oid);
    EXECUTE format('DROP TEXT SEARCH CONFIGURATION IF EXISTS %s CASCADE', r.oid::regconfig);
  END LOOP;
  FOR r IN SELECT t.oid FROM pg_ts_dict t WHERE t.dictnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE oid = r.oid);
    EXECUTE format('DROP TEXT SEARCH DICTIONARY IF EXISTS %s CASCADE', r.oid::regdictionary);
  END LOOP;
  FOR r IN SELECT c.oid FROM pg_collation c WHERE c.collnamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_collation WHERE oid = r.oid);
    EXECUTE format('DROP COLLATION IF EXISTS %s CASCADE', r.oid::regcollation);
  END LOOP;
  FOR r IN SELECT c.conname FROM pg_conversion c WHERE c.connamespace = pub
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP CONVERSION IF EXISTS public.%I', r.conname);
  END LOOP;
  IF to_regrole('pg_database_owner') IS NOT NULL THEN
    ALTER SCHEMA public OWNER TO pg_database_owner;
    COMMENT ON SCHEMA public IS 'standard public schema';
  END IF;
  FOR r IN SELECT DISTINCT a.grantee FROM pg_namespace n, aclexplode(n.nspacl) a
           WHERE n.oid = pub AND a.grantee <> n.nspowner LOOP
    EXECUTE format('REVOKE ALL ON SCHEMA public FROM %s',
      CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.grantee)) END);
  END LOOP;
  FOR r IN SELECT a.grantee, a.privilege_type FROM pg_init_privs i, aclexplode(i.initprivs) a
           WHERE i.classoid = 'pg_namespace'::regclass AND i.objoid = pub
             AND a.grantee <> (SELECT nspowner FROM pg_namespace WHERE oid = pub) LOOP
    EXECUTE format('GRANT %s ON SCHEMA public TO %s', r.privilege_type,
      CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.grantee)) END);
  END LOOP;
END
$runbook$;
RESET client_min_messages;
`;
}


/***/ }),

/***/ 40852:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $R: () => (/* binding */ countSqliteTables),
/* harmony export */   PQ: () => (/* binding */ sqliteLoadArgv),
/* harmony export */   ay: () => (/* binding */ readHeader)
/* harmony export */ });
/* unused harmony exports sqliteDumpArgv, sqliteString, sqlitePragmaPreamble, SqliteSession */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(12286);
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(73713);
/* harmony import */ var _kit_exec_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(29495);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(59757);
/* harmony import */ var _engine_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(25978);
/* harmony import */ var _mysql_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(25660);









/** Pure argv builders for the sqlite3 CLI (plain format). */
function sqliteDumpArgv(tool, snapshotPath) {
    return [tool, '-batch', '-bail', '-readonly', snapshotPath, '.dump'];
}
function sqliteLoadArgv(tool, dbPath) {
    return [tool, '-batch', '-bail', dbPath];
}
/** SQL string literal (VACUUM INTO takes the target as an expression, not a parameter in every version). */
function sqliteString(text) {
    return `'${text.replace(/'/g, "''")}'`;
}
const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;
async function openDb(path, opts) {
    const { DatabaseSync: Db } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 80099, 23));
    return new Db(path, { readOnly: opts.readOnly, timeout: opts.timeoutMs ?? 0 });
}
/** Row counts of every user table (sqlite_* internals and virtual tables left out). */
function countSqliteTables(db) {
    const rows = db
        .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
       AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`)
        .all();
    const counts = {};
    for (const { name } of rows) {
        const r = db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(name)}`).get();
        counts[name] = Number(r.n);
    }
    return counts;
}
function readHeader(db) {
    const get = (p) => Object.values(db.prepare(`PRAGMA ${p}`).get())[0];
    return {
        journal_mode: String(get('journal_mode')),
        user_version: Number(get('user_version')),
        application_id: Number(get('application_id')),
    };
}
/**
 * PRAGMAs written before a plain `.dump` so that loading it restores the header settings
 * (outside the dump's transaction, where journal_mode can change). Only non-defaults.
 */
function sqlitePragmaPreamble(h) {
    const lines = [];
    if (h.journal_mode === 'wal')
        lines.push('PRAGMA journal_mode=WAL;');
    if (h.user_version !== 0)
        lines.push(`PRAGMA user_version=${Math.trunc(h.user_version)};`);
    if (h.application_id !== 0)
        lines.push(`PRAGMA application_id=${Math.trunc(h.application_id)};`);
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
function integrityCheck(db) {
    const rows = db.prepare('PRAGMA integrity_check').all();
    return rows.map((r) => r.integrity_check).join('; ');
}
function removeDbFiles(path) {
    for (const suffix of ['', '-wal', '-shm', '-journal'])
        rmSync(`${path}${suffix}`, { force: true });
    return !existsSync(path);
}
class SqliteSession {
    target;
    db;
    serverVersion;
    connectTimeoutMs;
    engine = 'sqlite';
    database;
    cli;
    constructor(target, db, serverVersion, connectTimeoutMs) {
        this.target = target;
        this.db = db;
        this.serverVersion = serverVersion;
        this.connectTimeoutMs = connectTimeoutMs;
        this.database = target.database;
        this.cli = findOnPath(['sqlite3']);
    }
    plainFormat = false;
    get clientVersion() {
        return this.plainFormat ? 'sqlite3 CLI .dump' : `node:sqlite ${this.serverVersion} VACUUM INTO`;
    }
    static async open(input, target, connectTimeoutMs) {
        if (!existsSync(target.path)) {
            throw new InputError(input, `sqlite database file ${target.path} does not exist.`);
        }
        if (!statSync(target.path).isFile())
            throw new InputError(input, `${target.path} is not a file.`);
        let db;
        try {
            db = await openDb(target.path, { readOnly: true, timeoutMs: connectTimeoutMs });
            db.prepare('PRAGMA schema_version').get();
        }
        catch (err) {
            throw new InputError(input, `${target.path} cannot be opened as a sqlite database: ${errorMessage(err)}`);
        }
        const v = db.prepare('SELECT sqlite_version() AS v').get();
        return new SqliteSession(target, db, v.v, connectTimeoutMs);
    }
    resolvePlan(plan) {
        this.plainFormat = plan.format === 'plain';
        if (this.plainFormat && !this.cli) {
            throw new UserError('format: plain for sqlite needs the sqlite3 command-line tool; install sqlite3 or use format: auto.');
        }
        return { ...plan, compressedBy: 'stream' };
    }
    /**
     * VACUUM INTO writes a consistent copy inside one read transaction, so writers on other
     * connections neither corrupt it nor starve it (the backup API restarts on every write).
     */
    async dump(plan, target, tempDir) {
        if (target.kind !== 'stream')
            throw new Error('sqlite dumps are single files');
        const snapshot = join(tempDir, `snapshot-${randomSuffix()}.sqlite3`);
        try {
            try {
                this.db.exec(`VACUUM INTO ${sqliteString(snapshot)}`);
            }
            catch (err) {
                throw new UserError(`VACUUM INTO failed: ${errorMessage(err)}`);
            }
            const snap = await openDb(snapshot, { readOnly: true });
            let counts;
            try {
                counts = countSqliteTables(snap);
            }
            finally {
                snap.close();
            }
            const header = readHeader(this.db);
            if (plan.format === 'plain') {
                core.info(`Running sqlite3 .dump of the snapshot`);
                const preamble = sqlitePragmaPreamble(header);
                if (preamble !== '')
                    target.sink.write(preamble);
                await execArgv(sqliteDumpArgv(this.cli ?? 'sqlite3', snapshot), {
                    stdout: target.sink,
                    timeoutMs: plan.timeoutMs,
                    label: 'sqlite3 .dump',
                });
            }
            else {
                // VACUUM INTO keeps user_version and application_id but writes a rollback-journal file
                if (header.journal_mode === 'wal') {
                    const copy = await openDb(snapshot, { readOnly: false });
                    try {
                        copy.exec('PRAGMA journal_mode = WAL');
                    }
                    finally {
                        copy.close();
                    }
                }
                await pipeline(createReadStream(snapshot, { highWaterMark: 1024 * 1024 }), target.sink);
            }
            return counts;
        }
        finally {
            removeDbFiles(snapshot);
        }
    }
    /** The backup as a database file: the file itself, or decompressed into tempDir. */
    async materialize(backup, dest) {
        await pipeline(openDecompressed(backup.path, storedAsBackup(backup)), createWriteStream(dest, { flags: 'wx' }));
    }
    async verifyStructure(backup, _tables, tempDir) {
        const { plan } = backup;
        if (plan.format === 'plain') {
            const scan = await scanDecompressed(backup.path, storedAsBackup(backup));
            const tail = scan.tail.trimEnd();
            if (!tail.endsWith('COMMIT;') || tail.includes('ROLLBACK; -- due to errors')) {
                throw new UserError('the sqlite .dump does not end with COMMIT; it is incomplete or hit errors.');
            }
            return {
                checked: `${plan.compression === 'none' ? 'SQL' : `${plan.compression} stream`} read whole, ends with COMMIT`,
                missing: [],
            };
        }
        const file = join(tempDir, `check-${randomSuffix()}.sqlite3`);
        try {
            await this.materialize(backup, file);
            const db = await openDb(file, { readOnly: true });
            try {
                const result = integrityCheck(db);
                if (result !== 'ok')
                    throw new UserError(`PRAGMA integrity_check of the backup: ${result.slice(0, 300)}`);
            }
            finally {
                db.close();
            }
            return {
                checked: `${plan.compression === 'none' ? '' : `${plan.compression} stream read whole, `}PRAGMA integrity_check ok`,
                missing: [],
            };
        }
        finally {
            removeDbFiles(file);
        }
    }
    async verifyRestore(backup, scratch, tempDir) {
        const file = scratch && scratch.engine === 'sqlite'
            ? scratch.path
            : join(tempDir, `restore-${randomSuffix()}.sqlite3`);
        if (existsSync(file)) {
            throw new InputError('verify-database-url', `${file} already exists; name a file that does not exist (backup-db creates it and deletes it).`);
        }
        let removed = false;
        try {
            // the same restore as rollback's (sqlite-restore.ts), so this check proves what it does
            const { restoreSqliteFile } = await __webpack_require__.e(/* import() */ 904).then(__webpack_require__.bind(__webpack_require__, 20523));
            const { tables: counts } = await restoreSqliteFile({ path: backup.path, format: backup.plan.format, stored: storedAsBackup(backup) }, file, backup.plan.timeoutMs);
            removed = removeDbFiles(file);
            return { scratch: scratch ? file : 'a temporary file', tables: counts, dropped: removed };
        }
        finally {
            if (!removed)
                removeDbFiles(file);
        }
    }
    async close() {
        this.db.close();
    }
}


/***/ })

};
