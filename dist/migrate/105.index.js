export const id = 105;
export const ids = [105];
export const modules = {

/***/ 38158:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ce: () => (/* binding */ compactTimestamp)
/* harmony export */ });
/* unused harmony exports defaultBackupName, backupFileName, openSession, runBackup */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(12286);
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(73713);
/* harmony import */ var _kit_secrets_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(14601);
/* harmony import */ var _kit_sizes_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(98402);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(72292);
/* harmony import */ var _encryption_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(44980);
/* harmony import */ var _engine_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(25978);
/* harmony import */ var _manifest_hash_js__WEBPACK_IMPORTED_MODULE_12__ = __webpack_require__(50506);
/* harmony import */ var _mysql_js__WEBPACK_IMPORTED_MODULE_13__ = __webpack_require__(25660);
/* harmony import */ var _postgres_js__WEBPACK_IMPORTED_MODULE_14__ = __webpack_require__(1343);
/* harmony import */ var _sqlite_js__WEBPACK_IMPORTED_MODULE_15__ = __webpack_require__(40852);

















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
/* harmony import */ var _kit_exec_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(20913);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(72292);
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
