export const id = 435;
export const ids = [435];
export const modules = {

/***/ 72292:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* unused harmony exports COMPRESSION_LEVELS, compressionExtension, createCompressor, createDecompressor, openDecompressed, scanDecompressed */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(38522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_3__);




/** Levels each codec accepts, and the default when `compression-level` is empty. */
const COMPRESSION_LEVELS = {
    gzip: { min: 1, max: 9, default: 6 },
    zstd: { min: 1, max: 19, default: 3 },
};
function compressionExtension(c) {
    return c === 'gzip' ? '.gz' : c === 'zstd' ? '.zst' : '';
}
/** A streaming compressor (zlib runs on the thread pool, so it overlaps with the dump). */
function createCompressor(c, level) {
    if (c === 'gzip')
        return zlib.createGzip({ level, chunkSize: 256 * 1024 });
    return zlib.createZstdCompress({
        chunkSize: 256 * 1024,
        params: { [zlib.constants.ZSTD_c_compressionLevel]: level },
    });
}
function createDecompressor(c) {
    return c === 'gzip'
        ? zlib.createGunzip({ chunkSize: 256 * 1024 })
        : zlib.createZstdDecompress({ chunkSize: 256 * 1024 });
}
/** The file's bytes, decompressed when the file is a gzip/zstd stream. */
function openDecompressed(path, c) {
    const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
    if (c === 'none')
        return file;
    const d = createDecompressor(c);
    file.on('error', (err) => d.destroy(err));
    return file.pipe(d);
}
/**
 * Reads a whole (possibly compressed) file and returns its decompressed size and last bytes.
 * A truncated or corrupt gzip/zstd stream rejects; the tail lets callers check a dump's
 * completion marker without keeping the dump in memory.
 */
async function scanDecompressed(path, c, tailBytes = 4096) {
    let bytes = 0;
    let tail = Buffer.alloc(0);
    const sink = new Writable({
        write(chunk, _enc, cb) {
            bytes += chunk.length;
            tail = Buffer.concat([tail, chunk]);
            if (tail.length > tailBytes)
                tail = tail.subarray(tail.length - tailBytes);
            cb();
        },
    });
    const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
    if (c === 'none')
        await pipeline(file, sink);
    else
        await pipeline(file, createDecompressor(c), sink);
    return { bytes, tail: tail.toString('utf8') };
}


/***/ }),

/***/ 25978:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* unused harmony exports compareTableCounts, randomSuffix */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);

/** Compares restored row counts with the source's; returns the differences, empty when equal. */
function compareTableCounts(expected, actual) {
    const problems = [];
    for (const [table, rows] of Object.entries(expected)) {
        if (!(table in actual))
            problems.push(`${table}: missing after restore`);
        else if (actual[table] !== rows)
            problems.push(`${table}: ${rows} rows in the source, ${actual[table]} restored`);
    }
    for (const table of Object.keys(actual)) {
        if (!(table in expected))
            problems.push(`${table}: restored but not in the source`);
    }
    return problems;
}
/** A short random suffix for scratch database and temporary file names. */
function randomSuffix() {
    return randomBytes(4).toString('hex');
}


/***/ }),

/***/ 21435:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  connect: () => (/* binding */ connect)
});

// UNUSED EXPORTS: PostgresSession, countPgTables, findClient, pgConnectError

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 16 modules
var lib_core = __webpack_require__(12286);
// EXTERNAL MODULE: ./src/kit/errors.ts
var errors = __webpack_require__(73713);
// EXTERNAL MODULE: ./src/kit/exec.ts
var exec = __webpack_require__(29495);
// EXTERNAL MODULE: ./src/kit/durations.ts
var durations = __webpack_require__(40869);
// EXTERNAL MODULE: ./src/kit/secrets.ts
var secrets = __webpack_require__(14601);
// EXTERNAL MODULE: ./src/db/compression.ts
var compression = __webpack_require__(72292);
// EXTERNAL MODULE: ./src/db/engine.ts
var engine = __webpack_require__(25978);
;// CONCATENATED MODULE: ./src/db/postgres-argv.ts

/** Pure builders of the PostgreSQL tools' argv and environment (unit-tested without a server). */
/** Connection settings go through libpq's environment, so argv never holds a password or host. */
function postgres_argv_pgConnectionEnv(target, database, connectTimeoutMs) {
    return {
        PGHOST: target.host,
        PGPORT: String(target.port),
        PGUSER: target.user || undefined,
        PGPASSWORD: target.password || undefined,
        PGDATABASE: database,
        PGSSLMODE: target.sslmode,
        PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(connectTimeoutMs / 1000))),
        PGAPPNAME: 'runbook-backup-db',
        // a service file or passfile of the runner must not redirect the connection
        PGSERVICE: undefined,
        PGOPTIONS: undefined,
    };
}
function tool(binDir, name) {
    return binDir ? join(binDir, name) : name;
}
/** `--compress` value for pg_dump: a level for gzip (all versions), `zstd:N` (pg_dump 16+). */
function pgCompressArg(plan) {
    if (plan.compressedBy !== 'tool' || plan.compression === 'none')
        return '0';
    if (plan.compression === 'zstd')
        return `zstd:${plan.level ?? 3}`;
    return String(plan.level ?? 6);
}
function postgres_argv_pgDumpArgv(binDir, plan, opts = {}) {
    const argv = [
        tool(binDir, 'pg_dump'),
        `--format=${plan.format === 'plain' ? 'plain' : plan.format}`,
        '--no-password',
    ];
    if (plan.format !== 'plain')
        argv.push(`--compress=${pgCompressArg(plan)}`);
    if (plan.format === 'directory') {
        if (!opts.directory)
            throw new Error('pgDumpArgv: directory format needs a directory');
        if (plan.jobs !== undefined)
            argv.push(`--jobs=${plan.jobs}`);
        argv.push(`--file=${opts.directory}`);
    }
    if (opts.snapshot)
        argv.push(`--snapshot=${opts.snapshot}`);
    argv.push(...plan.extraArgs);
    return argv;
}
/** `pg_restore --list` of a file, a directory, or stdin (path undefined). */
function postgres_argv_pgRestoreListArgv(binDir, path) {
    const argv = [tool(binDir, 'pg_restore'), '--list'];
    if (path !== undefined)
        argv.push(path);
    return argv;
}
/** A conninfo naming only the database: `--dbname` is read as conninfo when it holds `=`. */
function pgDbnameConninfo(database) {
    return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
/** Restores an archive into a database; objects owned by the restoring user, no grants. */
function postgres_argv_pgRestoreArgv(binDir, database, path, opts = {}) {
    const argv = [
        tool(binDir, 'pg_restore'),
        '--no-password',
        '--exit-on-error',
        '--no-owner',
        '--no-privileges',
        `--dbname=${pgDbnameConninfo(database)}`,
    ];
    // parallel restore needs a seekable archive: a file or directory, not stdin
    if (opts.jobs !== undefined && opts.jobs > 1 && path !== undefined)
        argv.push(`--jobs=${opts.jobs}`);
    if (path !== undefined)
        argv.push(path);
    return argv;
}
/** psql reading a plain SQL dump from stdin into a database, stopping at the first error. */
function postgres_argv_psqlRestoreArgv(binDir, database) {
    return [
        tool(binDir, 'psql'),
        '--no-password',
        '--no-psqlrc',
        '--quiet',
        '--set=ON_ERROR_STOP=1',
        '--single-transaction',
        '--output=/dev/null',
        `--dbname=${pgDbnameConninfo(database)}`,
    ];
}
/** Options of extra-args that would fight what backup-db controls. */
const PG_RESERVED = (/* unused pure expression or super */ null && ([
    '-f',
    '--file',
    '-F',
    '--format',
    '-Z',
    '--compress',
    '-j',
    '--jobs',
    '--snapshot',
    '-d',
    '--dbname',
    '-h',
    '--host',
    '-p',
    '--port',
    '-U',
    '--username',
    '-W',
    '--password',
    '-w',
    '--no-password',
]));
/** The first extra argument that backup-db sets itself, or undefined. */
function reservedExtraArg(args, reserved = PG_RESERVED) {
    for (const a of args) {
        const name = a.startsWith('--')
            ? a.split('=')[0]
            : a.startsWith('-')
                ? a.slice(0, 2)
                : undefined;
        if (name !== undefined && reserved.includes(name))
            return name;
    }
    return undefined;
}
/** Version numbers from `pg_dump --version` output: `pg_dump (PostgreSQL) 15.18 (Debian ...)`. */
function postgres_argv_parsePgToolVersion(text) {
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
    if (!m)
        return undefined;
    const first = Number(m[1]);
    const major = first >= 10 ? first : Number(`${m[1]}.${m[2] ?? 0}`);
    return { version: [m[1], m[2], m[3]].filter((x) => x !== undefined).join('.'), major };
}
/** `server_version_num` (150018) to its major version (15; 9.6 for 90624). */
function postgres_argv_pgMajorOfVersionNum(num) {
    return num >= 100000
        ? Math.floor(num / 10000)
        : Number(`${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`);
}
/**
 * The pg_dump to use for a server: the one of the server's major version, else the oldest
 * newer one (pg_dump dumps older servers, never newer). Returns an error text naming both
 * versions when only older clients exist.
 */
function postgres_argv_choosePgClient(serverMajor, serverVersion, candidates) {
    if (candidates.length === 0) {
        return `no pg_dump was found (looked in /usr/lib/postgresql/*/bin and PATH); install the PostgreSQL ${serverMajor} client, e.g. apt-get install postgresql-client-${serverMajor}.`;
    }
    const exact = candidates.find((c) => c.major === serverMajor);
    if (exact)
        return exact;
    const newer = candidates.filter((c) => c.major > serverMajor).sort((a, b) => a.major - b.major);
    if (newer.length > 0)
        return newer[0];
    const best = [...candidates].sort((a, b) => b.major - a.major)[0];
    return `pg_dump ${best.version}${best.binDir ? ` (${best.binDir})` : ''} is older than the server (PostgreSQL ${serverVersion}) and cannot dump it; install the PostgreSQL ${serverMajor} client, e.g. apt-get install postgresql-client-${serverMajor}.`;
}
/** Whether `pg_restore --list` output holds the data entry of a table. */
function postgres_argv_tocHasTableData(listText, schema, table) {
    const needle = ` TABLE DATA ${schema} ${table} `;
    return listText.split('\n').some((line) => !line.startsWith(';') && line.includes(needle));
}

;// CONCATENATED MODULE: ./src/db/postgres.ts










const PG_LIB = '/usr/lib/postgresql';
const PLAIN_MARKER = '-- PostgreSQL database dump complete';
function sslOption(mode) {
    if (mode === 'require' || mode === 'verify-ca')
        return { rejectUnauthorized: false };
    if (mode === 'verify-full')
        return true;
    return false;
}
/** Turns a connection failure into one line naming the input and what to check. */
function pgConnectError(input, target, database, err, timeoutMs) {
    const e = err;
    const where = `${target.host}:${target.port}`;
    const msg = (0,secrets/* redact */.E$)(e.message ?? String(err));
    if (e.code === 'ECONNREFUSED')
        return new errors/* InputError */.dz(input, `cannot connect to PostgreSQL at ${where}: connection refused (is the server running, is the port right?).`);
    if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
        return new errors/* InputError */.dz(input, `host '${target.host}' was not found.`);
    if (e.code === 'ETIMEDOUT' || /timeout/i.test(msg)) {
        return new errors/* InputError */.dz(input, `PostgreSQL at ${where} did not answer within ${(0,durations/* formatDuration */.a)(timeoutMs)} (connect-timeout).`);
    }
    if (e.code === '28P01' || e.code === '28000') {
        return new errors/* InputError */.dz(input, `authentication failed for user '${target.user || '(default)'}' at ${where}: ${msg}`);
    }
    if (e.code === '3D000')
        return new errors/* InputError */.dz(input, `database '${database}' does not exist on ${where}.`);
    return new errors/* InputError */.dz(input, `cannot connect to PostgreSQL at ${where}: ${msg}`);
}
async function connect(input, target, database, timeoutMs) {
    const { default: pgModule } = await __webpack_require__.e(/* import() */ 849).then(__webpack_require__.bind(__webpack_require__, 83849));
    const client = new pgModule.Client({
        host: target.host,
        port: target.port,
        user: target.user || undefined,
        password: target.password || undefined,
        database,
        ssl: sslOption(target.sslmode),
        connectionTimeoutMillis: timeoutMs,
        application_name: 'runbook-backup-db',
    });
    // a server that goes away later must fail the running query, not crash the process
    client.on('error', (err) => lib_core/* debug */.Yz(`postgres connection error: ${(0,secrets/* redact */.E$)(err.message)}`));
    try {
        await client.connect();
    }
    catch (err) {
        await client.end().catch(() => undefined);
        throw pgConnectError(input, target, database, err, timeoutMs);
    }
    return client;
}
async function toolVersion(binDir) {
    const file = binDir ? join(binDir, 'pg_dump') : 'pg_dump';
    try {
        const r = await execArgv([file, '--version'], { timeoutMs: 15_000 });
        const v = parsePgToolVersion(r.stdout);
        return v ? { binDir, ...v } : undefined;
    }
    catch {
        return undefined;
    }
}
/** pg_dump candidates: /usr/lib/postgresql/<major>/bin first (the exact major alone when present), then PATH. */
async function findClient(serverMajor, serverVersion) {
    const dirs = existsSync(PG_LIB)
        ? readdirSync(PG_LIB)
            .map((d) => join(PG_LIB, d, 'bin'))
            .filter((d) => existsSync(join(d, 'pg_dump')))
        : [];
    const exactDir = join(PG_LIB, String(serverMajor), 'bin');
    const candidates = [];
    if (dirs.includes(exactDir)) {
        const exact = await toolVersion(exactDir);
        if (exact)
            candidates.push(exact);
    }
    if (candidates.length === 0) {
        for (const d of dirs) {
            const c = await toolVersion(d);
            if (c)
                candidates.push(c);
        }
        const onPath = await toolVersion(undefined);
        if (onPath)
            candidates.push(onPath);
    }
    const chosen = choosePgClient(serverMajor, serverVersion, candidates);
    if (typeof chosen === 'string')
        throw new UserError(chosen);
    return chosen;
}
const TABLES_SQL = (/* unused pure expression or super */ null && (`
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2`));
/** Exact row counts (count(*)) of every user table, keyed `schema.table`. */
async function countPgTables(client) {
    const refs = (await client.query(TABLES_SQL)).rows;
    const counts = {};
    for (const t of refs) {
        const sql = `SELECT count(*)::bigint AS n FROM ${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`;
        const r = await client.query(sql);
        counts[`${t.schema}.${t.name}`] = Number(r.rows[0].n);
    }
    return { counts, refs };
}
class PostgresSession {
    input;
    target;
    client;
    serverVersion;
    tool;
    connectTimeoutMs;
    engine = 'postgres';
    database;
    tableRefs = [];
    closed = false;
    constructor(input, target, client, serverVersion, tool, connectTimeoutMs) {
        this.input = input;
        this.target = target;
        this.client = client;
        this.serverVersion = serverVersion;
        this.tool = tool;
        this.connectTimeoutMs = connectTimeoutMs;
        this.database = target.database;
    }
    get clientVersion() {
        return `pg_dump ${this.tool.version}`;
    }
    static async open(input, target, connectTimeoutMs) {
        const client = await connect(input, target, target.database, connectTimeoutMs);
        try {
            const r = await client.query(`SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS v`);
            const num = Number(r.rows[0].num);
            const version = r.rows[0].v.split(' ')[0];
            const tool = await findClient(pgMajorOfVersionNum(num), version);
            return new PostgresSession(input, target, client, version, tool, connectTimeoutMs);
        }
        catch (err) {
            await client.end().catch(() => undefined);
            throw err;
        }
    }
    resolvePlan(plan) {
        if (plan.format === 'plain' || plan.compression !== 'zstd')
            return plan;
        // pg_dump learned zstd in 16; older ones get a zstd stream around an uncompressed archive
        if (this.tool.major >= 16)
            return { ...plan, compressedBy: 'tool' };
        if (plan.format === 'directory') {
            throw new InputError('compression', `zstd with format: directory needs pg_dump 16 or newer (found ${this.tool.version}); use gzip or none.`);
        }
        return { ...plan, compressedBy: 'stream' };
    }
    env(database, target = this.target) {
        return {
            ...pgConnectionEnv(target, database, this.connectTimeoutMs),
            PGAPPNAME: 'runbook-backup-db:pg_dump',
        };
    }
    async dump(plan, target) {
        let snapshot;
        try {
            await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
            snapshot = (await this.client.query('SELECT pg_export_snapshot() AS s'))
                .rows[0].s;
        }
        catch (err) {
            // e.g. a standby without snapshot export: counts then come from a separate snapshot
            core.warning(`could not export a snapshot, row counts may differ from the dump: ${redact(String(err))}`);
            await this.client.query('ROLLBACK').catch(() => undefined);
            await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        }
        const argv = pgDumpArgv(this.tool.binDir, plan, {
            snapshot,
            directory: target.kind === 'directory' ? target.path : undefined,
        });
        core.info(`Running ${argv.map((a) => redact(a)).join(' ')}`);
        const counting = countPgTables(this.client);
        counting.catch(() => undefined);
        try {
            await execArgv(argv, {
                env: this.env(this.target.database),
                stdout: target.kind === 'stream' ? target.sink : 'ignore',
                timeoutMs: plan.timeoutMs,
                onStderrLine: (line) => core.info(`pg_dump: ${line}`),
                label: 'pg_dump',
            });
        }
        catch (err) {
            await this.abortCounting();
            throw err;
        }
        let counted;
        try {
            counted = await counting;
        }
        catch (err) {
            throw new UserError(`counting rows failed: ${redact(errorMessage(err))}`);
        }
        await this.client.query('COMMIT').catch(() => undefined);
        this.tableRefs = counted.refs;
        return counted.counts;
    }
    /** The counts may wait on a lock that a failed dump will never see released: cancel them. */
    async abortCounting() {
        this.closed = true;
        const pid = this.client.processID;
        if (pid) {
            try {
                const other = await connect(this.input, this.target, this.target.database, 5000);
                await other.query('SELECT pg_cancel_backend($1)', [pid]).finally(() => other.end());
            }
            catch {
                // the server may be gone, which ends the counts too
            }
        }
        await this.client.end().catch(() => undefined);
    }
    async verifyStructure(backup, tables) {
        const { plan, path } = backup;
        if (plan.format === 'plain') {
            const scan = await scanDecompressed(path, plan.compression);
            if (!scan.tail.includes(PLAIN_MARKER)) {
                throw new UserError(`the plain dump does not end with pg_dump's completion marker; it is incomplete.`);
            }
            return {
                checked: `${plan.compression === 'none' ? 'SQL' : `${plan.compression} stream`} read whole, completion marker present`,
                missing: [],
            };
        }
        const streamed = plan.compressedBy === 'stream' && plan.compression !== 'none';
        const r = await execArgv(pgRestoreListArgv(this.tool.binDir, streamed ? undefined : path), {
            stdin: streamed ? openDecompressed(path, plan.compression) : undefined,
            timeoutMs: plan.timeoutMs,
            label: 'pg_restore --list',
        });
        const entries = r.stdout.split('\n').filter((l) => /^\d+;/.test(l)).length;
        const refs = this.tableRefs.length > 0 ? this.tableRefs : Object.keys(tables).map(splitName);
        const missing = refs
            .filter((t) => !tocHasTableData(r.stdout, t.schema, t.name))
            .map((t) => `${t.schema}.${t.name}`);
        return {
            checked: `pg_restore --list: ${entries} entries, table data for ${refs.length - missing.length} of ${refs.length} tables`,
            missing,
        };
    }
    async verifyRestore(backup, scratch) {
        const server = scratch && scratch.engine === 'postgres' ? scratch : this.target;
        const input = scratch ? 'verify-database-url' : this.input;
        const name = scratch && scratch.engine === 'postgres'
            ? scratch.database
            : `${this.database.slice(0, 40)}_verify_${randomSuffix()}`;
        const admin = server === this.target
            ? this.client
            : await connect(input, server, 'postgres', this.connectTimeoutMs);
        let created = false;
        let dropped = false;
        try {
            const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
            if (exists.rowCount) {
                throw new InputError('verify-database-url', `database '${name}' already exists; name one that does not exist (backup-db creates it, restores into it and drops it).`);
            }
            await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE template0`);
            created = true;
            await this.restoreInto(backup, server, name);
            const scratchClient = await connect(input, server, name, this.connectTimeoutMs);
            let counts;
            try {
                counts = (await countPgTables(scratchClient)).counts;
            }
            finally {
                await scratchClient.end().catch(() => undefined);
            }
            const gone = await this.drop(admin, name);
            dropped = true;
            return { scratch: `database ${name}`, tables: counts, dropped: gone };
        }
        finally {
            if (created && !dropped)
                await this.drop(admin, name).catch((err) => core.warning(`could not drop scratch database ${name}: ${redact(String(err))}`));
            if (admin !== this.client)
                await admin.end().catch(() => undefined);
        }
    }
    async drop(admin, name) {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
        const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        return !left.rowCount;
    }
    async restoreInto(backup, server, name) {
        const { plan, path } = backup;
        const env = pgConnectionEnv(server, name, this.connectTimeoutMs);
        const streamed = plan.compressedBy === 'stream' || plan.format === 'plain';
        const stdin = streamed ? openDecompressed(path, plan.compression) : undefined;
        const argv = plan.format === 'plain'
            ? psqlRestoreArgv(this.tool.binDir, name)
            : pgRestoreArgv(this.tool.binDir, name, stdin ? undefined : path, { jobs: plan.jobs });
        await execArgv(argv, {
            env,
            stdin,
            stdout: 'ignore',
            timeoutMs: plan.timeoutMs,
            label: plan.format === 'plain' ? 'psql (restore check)' : 'pg_restore (restore check)',
        });
    }
    async close() {
        if (this.closed)
            return;
        this.closed = true;
        await this.client.end().catch(() => undefined);
    }
}
function splitName(key) {
    const dot = key.indexOf('.');
    return { schema: key.slice(0, dot), name: key.slice(dot + 1) };
}


/***/ }),

/***/ 29495:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* unused harmony exports ExecError, execArgv */
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(31421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(73713);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(14601);
/* harmony import */ var _durations_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(40869);






class ExecError extends _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo {
    result;
    constructor(message, result) {
        super(message);
        this.name = 'ExecError';
        this.result = result;
    }
}
class LineTail {
    max;
    onLine;
    lines = [];
    partial = '';
    constructor(max, onLine) {
        this.max = max;
        this.onLine = onLine;
    }
    push(chunk) {
        const parts = (this.partial + chunk).split(/\r?\n/);
        this.partial = parts.pop() ?? '';
        for (const p of parts)
            this.add(p);
    }
    end() {
        if (this.partial)
            this.add(this.partial);
        this.partial = '';
    }
    add(line) {
        const clean = redact(line);
        this.onLine?.(clean);
        if (clean.trim() === '')
            return;
        this.lines.push(clean);
        if (this.lines.length > this.max)
            this.lines.shift();
    }
    get() {
        return [...this.lines];
    }
}
/**
 * Runs argv[0] with argv[1..] — never through a shell — and resolves when it exits and
 * its stdout has been fully consumed. Throws an ExecError carrying the redacted stderr
 * tail when the program exits non-zero (unless allowFailure), is killed or times out.
 */
async function execArgv(argv, opts = {}) {
    if (argv.length === 0)
        throw new Error('execArgv: empty argv');
    const [file, ...args] = argv;
    const label = opts.label ?? basename(file);
    const env = {};
    for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) {
        if (v !== undefined)
            env[k] = v;
    }
    const started = Date.now();
    const stdoutMode = opts.stdout ?? 'capture';
    const child = spawn(file, args, {
        cwd: opts.cwd,
        env,
        stdio: [
            opts.stdin === undefined ? 'ignore' : 'pipe',
            stdoutMode === 'inherit' ? 'inherit' : 'pipe',
            'pipe',
        ],
    });
    const tail = new LineTail(opts.stderrTailLines ?? 20, opts.onStderrLine);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk) => tail.push(chunk));
    let captured = '';
    let sinkError;
    let stdinError;
    let stdoutDone = Promise.resolve();
    if (child.stdout) {
        if (stdoutMode === 'capture') {
            child.stdout.setEncoding('utf8');
            child.stdout.on('data', (chunk) => {
                captured += chunk;
            });
            stdoutDone = new Promise((resolve) => child.stdout.on('close', () => resolve()));
        }
        else if (stdoutMode === 'ignore') {
            child.stdout.resume();
        }
        else if (typeof stdoutMode === 'object') {
            // Caught at once: a sink that fails early (disk full) must not become an unhandled
            // rejection, and the child is stopped rather than left blocked on a full pipe.
            stdoutDone = pipeline(child.stdout, stdoutMode).catch((err) => {
                sinkError = err;
                child.kill('SIGTERM');
            });
        }
    }
    if (opts.stdin !== undefined && child.stdin) {
        const stdin = child.stdin;
        stdin.on('error', () => {
            // the child may exit without reading its input; its exit code tells the story
        });
        if (typeof opts.stdin === 'string' || Buffer.isBuffer(opts.stdin)) {
            stdin.end(opts.stdin);
        }
        else {
            // A source that fails mid-stream (a corrupt compressed file) must not leave the child
            // waiting for the rest of its input until the timeout: stop it and report why.
            opts.stdin.once('error', (err) => {
                stdinError = err;
                stdin.destroy();
                child.kill('SIGTERM');
            });
            opts.stdin.pipe(stdin);
        }
    }
    let timedOut = false;
    let killTimer;
    const timer = opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
            killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
        }, opts.timeoutMs)
        : undefined;
    let stopped = false;
    const onAbort = () => {
        stopped = true;
        child.kill('SIGTERM');
        killTimer ??= setTimeout(() => child.kill('SIGKILL'), 5000);
    };
    if (opts.signal?.aborted)
        onAbort();
    else
        opts.signal?.addEventListener('abort', onAbort, { once: true });
    let spawnError;
    const exit = await new Promise((resolve) => {
        child.on('error', (err) => {
            spawnError = err;
            resolve({ code: null, signal: null });
        });
        child.on('close', (code, signal) => resolve({ code, signal }));
    });
    if (timer)
        clearTimeout(timer);
    if (killTimer)
        clearTimeout(killTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    tail.end();
    await stdoutDone;
    const result = {
        exitCode: exit.code ?? -1,
        signal: exit.signal,
        stdout: captured,
        stderrTail: tail.get(),
        durationMs: Date.now() - started,
        timedOut,
    };
    if (spawnError) {
        const why = spawnError.code === 'ENOENT'
            ? `${label} was not found (${file}); is it installed and on PATH?`
            : `${label} could not be started: ${redact(spawnError.message)}`;
        throw new ExecError(why, result);
    }
    if (stopped)
        throw new ExecError(`${label} was stopped: the run was cancelled.`, result);
    if (timedOut) {
        throw new ExecError(`${label} did not finish within ${formatDuration(opts.timeoutMs ?? 0)} and was stopped.${tailText(result)}`, result);
    }
    if (stdinError) {
        const msg = stdinError instanceof Error ? stdinError.message : String(stdinError);
        throw new ExecError(`reading the input of ${label} failed: ${redact(msg)}`, result);
    }
    if (sinkError) {
        const msg = sinkError instanceof Error ? sinkError.message : String(sinkError);
        throw new ExecError(`writing the output of ${label} failed: ${redact(msg)}`, result);
    }
    if (result.exitCode !== 0 && !opts.allowFailure) {
        const how = exit.signal
            ? `was killed by ${exit.signal}`
            : `exited with code ${result.exitCode}`;
        throw new ExecError(`${label} ${how}.${tailText(result)}`, result);
    }
    return result;
}
function tailText(result) {
    if (result.stderrTail.length === 0)
        return '';
    return ` Last output: ${result.stderrTail.slice(-5).join(' | ')}`;
}


/***/ })

};
