export const id = 343;
export const ids = [343];
export const modules = {

/***/ 76774:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   KQ: () => (/* binding */ pgRestoreListArgv),
/* harmony export */   Uc: () => (/* binding */ choosePgClient),
/* harmony export */   V1: () => (/* binding */ pgRestoreScriptArgv),
/* harmony export */   Wo: () => (/* binding */ pgMajorOfVersionNum),
/* harmony export */   aI: () => (/* binding */ pgRestoreArgv),
/* harmony export */   jr: () => (/* binding */ parsePgToolVersion),
/* harmony export */   nw: () => (/* binding */ psqlRestoreArgv),
/* harmony export */   zg: () => (/* binding */ pgConnectionEnv)
/* harmony export */ });
/* unused harmony exports pgCompressArg, pgDumpArgv, pgDbnameConninfo, reservedExtraArg, tocHasTableData */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _tls_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(53467);


/** Pure builders of the PostgreSQL tools' argv and environment (unit-tested without a server). */
/** Connection settings go through libpq's environment, so argv never holds a password or host. */
function pgConnectionEnv(target, database, connectTimeoutMs) {
    return {
        PGHOST: target.host,
        PGPORT: String(target.port),
        PGUSER: target.user || undefined,
        PGPASSWORD: target.password || undefined,
        PGDATABASE: database,
        // sslmode and the certificate files, with the meaning the drivers give them (tls.ts)
        ...(0,_tls_js__WEBPACK_IMPORTED_MODULE_1__/* .pgTlsEnv */ .y0)(target),
        PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(connectTimeoutMs / 1000))),
        PGAPPNAME: 'runbook-backup-db',
        // a service file or passfile of the runner must not redirect the connection
        PGSERVICE: undefined,
        PGOPTIONS: undefined,
    };
}
function tool(binDir, name) {
    return binDir ? (0,node_path__WEBPACK_IMPORTED_MODULE_0__.join)(binDir, name) : name;
}
/** `--compress` value for pg_dump: a level for gzip (all versions), `zstd:N` (pg_dump 16+). */
function pgCompressArg(plan) {
    if (plan.compressedBy !== 'tool' || plan.compression === 'none')
        return '0';
    if (plan.compression === 'zstd')
        return `zstd:${plan.level ?? 3}`;
    return String(plan.level ?? 6);
}
function pgDumpArgv(binDir, plan, opts = {}) {
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
function pgRestoreListArgv(binDir, path) {
    const argv = [tool(binDir, 'pg_restore'), '--list'];
    if (path !== undefined)
        argv.push(path);
    return argv;
}
/** A conninfo naming only the database: `--dbname` is read as conninfo when it holds `=`. */
function pgDbnameConninfo(database) {
    return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
/**
 * Restores an archive into a database with its owners and grants (the restoring user must be
 * able to act as every owner: see postgres-restore.ts, which filters the rest out).
 */
function pgRestoreArgv(binDir, database, path, opts = {}) {
    const argv = [
        tool(binDir, 'pg_restore'),
        '--no-password',
        '--exit-on-error',
        `--dbname=${pgDbnameConninfo(database)}`,
    ];
    if (opts.singleTransaction)
        argv.push('--single-transaction');
    // parallel restore needs a seekable archive: a file or directory, not stdin
    else if (opts.jobs !== undefined && opts.jobs > 1 && path !== undefined)
        argv.push(`--jobs=${opts.jobs}`);
    if (path !== undefined)
        argv.push(path);
    return argv;
}
/** pg_restore writing the archive as a SQL script to stdout (read from `path`, or stdin). */
function pgRestoreScriptArgv(binDir, path, opts) {
    const argv = [tool(binDir, 'pg_restore'), '--file=-'];
    if (opts.schemaOnly)
        argv.push('--schema-only');
    if (path !== undefined)
        argv.push(path);
    return argv;
}
/** psql reading a plain SQL dump from stdin into a database, stopping at the first error. */
function psqlRestoreArgv(binDir, database) {
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
function parsePgToolVersion(text) {
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
    if (!m)
        return undefined;
    const first = Number(m[1]);
    const major = first >= 10 ? first : Number(`${m[1]}.${m[2] ?? 0}`);
    return { version: [m[1], m[2], m[3]].filter((x) => x !== undefined).join('.'), major };
}
/** `server_version_num` (150018) to its major version (15; 9.6 for 90624). */
function pgMajorOfVersionNum(num) {
    return num >= 100000
        ? Math.floor(num / 10000)
        : Number(`${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`);
}
/**
 * The pg_dump to use for a server: the one of the server's major version, else the oldest
 * newer one (pg_dump dumps older servers, never newer). Returns an error text naming both
 * versions when only older clients exist.
 */
function choosePgClient(serverMajor, serverVersion, candidates) {
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
function tocHasTableData(listText, schema, table) {
    const needle = ` TABLE DATA ${schema} ${table} `;
    return listText.split('\n').some((line) => !line.startsWith(';') && line.includes(needle));
}


/***/ }),

/***/ 31571:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  cs: () => (/* binding */ pgArchiveInput),
  ar: () => (/* binding */ restorePgArchive),
  AV: () => (/* binding */ skippedRolesWarning)
});

// UNUSED EXPORTS: rolesToSkip, scanArchiveRoles

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: ./src/kit/exec.ts
var exec = __webpack_require__(29495);
// EXTERNAL MODULE: ./src/db/compression.ts + 1 modules
var compression = __webpack_require__(59757);
// EXTERNAL MODULE: ./src/db/postgres-argv.ts
var postgres_argv = __webpack_require__(76774);
;// CONCATENATED MODULE: ./src/db/postgres-roles.ts

/** Identifiers of a comma list: `"Quoted ""x"""`, bare names (folded to lower case), PUBLIC left out. */
function parseRoleList(text) {
    const out = [];
    let i = 0;
    while (i < text.length) {
        while (i < text.length && /[\s,]/.test(text[i]))
            i++;
        if (i >= text.length)
            break;
        if (text[i] === '"') {
            let name = '';
            i++;
            while (i < text.length) {
                if (text[i] === '"' && text[i + 1] === '"') {
                    name += '"';
                    i += 2;
                }
                else if (text[i] === '"') {
                    i++;
                    break;
                }
                else
                    name += text[i++];
            }
            out.push(name);
        }
        else {
            let word = '';
            while (i < text.length && !/[\s,]/.test(text[i]))
                word += text[i++];
            const lower = word.toLowerCase();
            if (lower !== 'public' && lower !== '')
                out.push(lower);
        }
    }
    return out;
}
const OWNER_TO = /^ALTER [A-Z ]+ .+ OWNER TO (.+);$/;
const DEFAULT_PRIVS = /^ALTER DEFAULT PRIVILEGES FOR ROLE ((?:"(?:[^"]|"")+"|[^\s"]+)) /;
const GRANT = /^GRANT .+ TO (.+?)(?: WITH (?:GRANT|ADMIN) OPTION)?(?: GRANTED BY .+)?;$/;
const REVOKE = /^REVOKE .+ FROM (.+?)(?: GRANTED BY .+)?(?: CASCADE| RESTRICT)?;$/;
/** The role references of one statement line of a pg_dump script. */
function roleRefsOfLine(line) {
    const owner = OWNER_TO.exec(line);
    if (owner)
        return { owners: parseRoleList(owner[1]), grantees: [] };
    let owners = [];
    let rest = line;
    const dp = DEFAULT_PRIVS.exec(line);
    if (dp) {
        owners = parseRoleList(dp[1]);
        rest = line.slice(line.indexOf(' GRANT ') >= 0 ? line.indexOf(' GRANT ') + 1 : 0);
        const rv = line.indexOf(' REVOKE ');
        if (rv >= 0 && !rest.startsWith('GRANT '))
            rest = line.slice(rv + 1);
    }
    const g = GRANT.exec(rest) ?? REVOKE.exec(rest);
    return { owners, grantees: g ? parseRoleList(g[1]) : [] };
}
/** `COPY ... FROM stdin;` starts a data block that runs until a line `\.`. */
const COPY_START = /^COPY .+ FROM stdin;$/;
/**
 * Tells statement lines from the rest of a pg_dump script: COPY data (until `\.`) and the
 * inside of dollar-quoted bodies (a function that runs `GRANT ... TO x;` itself is never
 * read or filtered as a statement).
 */
class LineKinds {
    inCopy = false;
    dollarTag;
    /** Whether `line` (the next line of the script) starts outside COPY data and bodies. */
    isStatement(line) {
        if (this.inCopy) {
            if (line === '\\.')
                this.inCopy = false;
            return false;
        }
        const statement = this.dollarTag === undefined;
        if (statement && COPY_START.test(line)) {
            this.inCopy = true;
            return true;
        }
        for (const m of line.matchAll(/\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/g)) {
            if (this.dollarTag === undefined)
                this.dollarTag = m[0];
            else if (m[0] === this.dollarTag)
                this.dollarTag = undefined;
        }
        return statement;
    }
}
/** Splits chunks into lines and classifies them. */
class ScriptLines {
    partial = '';
    kinds = new LineKinds();
    /** Calls `onLine(line, isStatement)` for every complete line of the chunk. */
    push(chunk, onLine) {
        const parts = (this.partial + chunk).split('\n');
        this.partial = parts.pop() ?? '';
        for (const line of parts)
            onLine(line, this.kinds.isStatement(line));
    }
    end(onLine) {
        if (this.partial !== '')
            onLine(this.partial, this.kinds.isStatement(this.partial));
        this.partial = '';
    }
}
/** Collects the role references of a script fed in chunks. */
class RoleScanner {
    refs = { owners: new Set(), grantees: new Set() };
    lines = new ScriptLines();
    push(chunk) {
        this.lines.push(chunk.toString(), (l, s) => this.read(l, s));
    }
    end() {
        this.lines.end((l, s) => this.read(l, s));
        return this.refs;
    }
    read(line, isStatement) {
        if (!isStatement)
            return;
        const r = roleRefsOfLine(line);
        for (const o of r.owners)
            this.refs.owners.add(o);
        for (const g of r.grantees)
            this.refs.grantees.add(g);
    }
}
/** Whether a statement line names one of `skip` (and so must be left out). */
function namesSkippedRole(line, skip) {
    const r = roleRefsOfLine(line);
    return [...r.owners, ...r.grantees].some((x) => skip.has(x));
}
/**
 * A stream filter over a pg_dump SQL script that drops the statement lines naming a role of
 * `skip` (the objects then belong to the restoring user, the privilege is not granted). COPY
 * data passes through untouched. Works on bytes: a multi-byte character split across chunks
 * is only decoded once its line is complete.
 */
function roleFilter(skip) {
    let partial = Buffer.alloc(0);
    const kinds = new LineKinds();
    const handle = (line, push) => {
        const text = line.toString('utf8');
        if (kinds.isStatement(text) && skip.size > 0 && namesSkippedRole(text, skip))
            return;
        push(line);
    };
    return new external_node_stream_.Transform({
        transform(chunk, _enc, cb) {
            let data = partial.length > 0 ? Buffer.concat([partial, chunk]) : chunk;
            const out = [];
            const push = (b) => {
                out.push(b, NEWLINE);
            };
            let nl = data.indexOf(0x0a);
            while (nl >= 0) {
                handle(data.subarray(0, nl), push);
                data = data.subarray(nl + 1);
                nl = data.indexOf(0x0a);
            }
            partial = Buffer.from(data);
            cb(null, out.length > 0 ? Buffer.concat(out) : undefined);
        },
        flush(cb) {
            const out = [];
            if (partial.length > 0)
                handle(partial, (b) => out.push(b));
            cb(null, out.length > 0 ? Buffer.concat(out) : undefined);
        },
    });
}
const NEWLINE = Buffer.from('\n');

;// CONCATENATED MODULE: ./src/db/postgres-restore.ts





/**
 * How the restore tool reads the backup: the path itself (pg_restore reads custom and
 * directory archives, compressed inside by pg_dump, directly and can seek) or a stream of the
 * decompressed bytes. This is the only place that decides; every read goes through
 * openDecompressed(). A plain dump is always a stream (psql reads stdin).
 */
function pgArchiveInput(a) {
    const streamed = a.format === 'plain' || (0,compression/* toolReadsStdin */.aj)(a.stored);
    if (!streamed)
        return { kind: 'path', path: a.path };
    return { kind: 'stream', open: () => (0,compression/* openDecompressed */.TO)(a.path, a.stored) };
}
/** Roles named by the backup's owner and grant statements. */
async function scanArchiveRoles(binDir, a, timeoutMs) {
    const scanner = new RoleScanner();
    const sink = new external_node_stream_.Writable({
        write(chunk, _enc, cb) {
            scanner.push(chunk);
            cb();
        },
    });
    const input = pgArchiveInput(a);
    if (a.format === 'plain') {
        if (input.kind !== 'stream')
            throw new Error('plain dumps are read as streams');
        for await (const chunk of input.open())
            scanner.push(chunk);
        return scanner.end();
    }
    await (0,exec/* execArgv */.E)((0,postgres_argv/* pgRestoreScriptArgv */.V1)(binDir, input.kind === 'path' ? input.path : undefined, {
        schemaOnly: true,
    }), {
        stdin: input.kind === 'stream' ? input.open() : undefined,
        stdout: sink,
        timeoutMs,
        label: 'pg_restore --schema-only (roles)',
    });
    return scanner.end();
}
/** Which of the backup's roles the restore must leave out, and why. */
async function rolesToSkip(client, refs) {
    const all = [...new Set([...refs.owners, ...refs.grantees])];
    if (all.length === 0)
        return { missing: [], notMember: [] };
    const r = await client.query(`SELECT r.rolname,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
              OR pg_has_role(current_user, r.oid, 'MEMBER') AS usable
     FROM pg_roles r WHERE r.rolname = ANY($1::text[])`, [all]);
    const found = new Map(r.rows.map((x) => [x.rolname, x.usable]));
    return {
        missing: all.filter((x) => !found.has(x)).sort(),
        notMember: [...refs.owners].filter((x) => found.get(x) === false).sort(),
    };
}
/** The warning for skipped roles, or undefined when none was skipped. */
function skippedRolesWarning(s, user) {
    const parts = [];
    if (s.missing.length > 0)
        parts.push(`roles missing on the target server: ${s.missing.join(', ')}`);
    if (s.notMember.length > 0)
        parts.push(`roles '${user}' is not a member of: ${s.notMember.join(', ')}`);
    if (parts.length === 0)
        return undefined;
    return `restored without the owners and grants of ${parts.join('; ')} — objects they owned now belong to '${user}' and their privileges were not granted (create the roles and restore again to keep them).`;
}
/**
 * Restores the archive into `database`. pg_restore writes straight into the database when
 * nothing must be left out; otherwise its SQL script (or the plain dump) goes through the
 * role filter into psql. The script's end is held back until its producer succeeded, so a
 * failed read never lets psql commit a partial restore.
 */
async function restorePgArchive(o) {
    const refs = await scanArchiveRoles(o.binDir, o.archive, o.timeoutMs);
    const skipped = await rolesToSkip(o.client, refs);
    const skip = new Set([...skipped.missing, ...skipped.notMember]);
    const env = {
        ...(0,postgres_argv/* pgConnectionEnv */.zg)(o.server, o.database, o.connectTimeoutMs),
        PGAPPNAME: o.appName,
    };
    const input = pgArchiveInput(o.archive);
    const archiveFormat = o.archive.format !== 'plain';
    if (archiveFormat && skip.size === 0 && o.preamble === undefined) {
        const path = input.kind === 'path' ? input.path : undefined;
        await (0,exec/* execArgv */.E)((0,postgres_argv/* pgRestoreArgv */.aI)(o.binDir, o.database, path, {
            jobs: o.singleTransaction ? undefined : o.archive.jobs,
            singleTransaction: o.singleTransaction,
        }), {
            env,
            stdin: input.kind === 'stream' ? input.open() : undefined,
            stdout: 'ignore',
            timeoutMs: o.timeoutMs,
            label: `pg_restore (${o.label})`,
        });
        return { method: 'pg_restore', skipped };
    }
    const filter = roleFilter(skip);
    let produced;
    if (archiveFormat) {
        produced = (0,exec/* execArgv */.E)((0,postgres_argv/* pgRestoreScriptArgv */.V1)(o.binDir, input.kind === 'path' ? input.path : undefined, {
            schemaOnly: false,
        }), {
            stdin: input.kind === 'stream' ? input.open() : undefined,
            stdout: filter,
            timeoutMs: o.timeoutMs,
            label: `pg_restore (${o.label})`,
        });
    }
    else {
        if (input.kind !== 'stream')
            throw new Error('plain dumps are read as streams');
        const source = input.open();
        produced = new Promise((resolve, reject) => {
            source.once('error', reject);
            filter.once('finish', resolve);
            source.pipe(filter);
        });
    }
    produced.catch(() => filter.destroy());
    const preamble = o.preamble;
    const script = external_node_stream_.Readable.from((async function* () {
        if (preamble !== undefined)
            yield Buffer.from(preamble);
        for await (const chunk of filter)
            yield chunk;
        // psql commits at the end of its input: only once the whole script was read
        await produced;
    })());
    const argv = (0,postgres_argv/* psqlRestoreArgv */.nw)(o.binDir, o.database);
    if (!o.singleTransaction)
        argv.splice(argv.indexOf('--single-transaction'), 1);
    const consumed = (0,exec/* execArgv */.E)(argv, {
        env,
        stdin: script,
        stdout: 'ignore',
        timeoutMs: o.timeoutMs,
        label: `psql (${o.label})`,
    });
    consumed.catch(() => filter.destroy());
    // the side that failed first is the cause: the other only fails because its pipe was torn
    // down (psql losing its connection leaves pg_restore with a bare "Premature close")
    let cause;
    const first = (reason) => {
        cause ??= { reason };
    };
    produced.catch(first);
    consumed.catch(first);
    // both settle before returning: psql must be gone before the caller drops or swaps anything
    await Promise.allSettled([produced, consumed]);
    if (cause)
        throw cause.reason;
    return {
        method: archiveFormat ? 'pg_restore | psql (owners/grants of skipped roles left out)' : 'psql',
        skipped,
    };
}


/***/ }),

/***/ 1343:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $r: () => (/* binding */ findClient),
/* harmony export */   connect: () => (/* binding */ connect)
/* harmony export */ });
/* unused harmony export PostgresSession */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(12286);
/* harmony import */ var _kit_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(73713);
/* harmony import */ var _connection_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(58152);
/* harmony import */ var _kit_exec_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(29495);
/* harmony import */ var _kit_secrets_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(14601);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(59757);
/* harmony import */ var _engine_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(25978);
/* harmony import */ var _postgres_argv_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(76774);
/* harmony import */ var _postgres_restore_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(31571);













const PG_LIB = '/usr/lib/postgresql';
const PLAIN_MARKER = '-- PostgreSQL database dump complete';

/** A pg client of `database` on the target's server, with its TLS settings (connection.ts). */
async function connect(input, target, database, timeoutMs, applicationName = 'runbook-backup-db') {
    return (0,_connection_js__WEBPACK_IMPORTED_MODULE_4__/* .connectPostgres */ .Mq)(input, target, database, timeoutMs, applicationName);
}
async function toolVersion(binDir) {
    const file = binDir ? (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(binDir, 'pg_dump') : 'pg_dump';
    try {
        const r = await (0,_kit_exec_js__WEBPACK_IMPORTED_MODULE_5__/* .execArgv */ .E)([file, '--version'], { timeoutMs: 15_000 });
        const v = (0,_postgres_argv_js__WEBPACK_IMPORTED_MODULE_9__/* .parsePgToolVersion */ .jr)(r.stdout);
        return v ? { binDir, ...v } : undefined;
    }
    catch {
        return undefined;
    }
}
/** pg_dump candidates: /usr/lib/postgresql/<major>/bin first (the exact major alone when present), then PATH. */
async function findClient(serverMajor, serverVersion) {
    const dirs = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(PG_LIB)
        ? (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync)(PG_LIB)
            .map((d) => (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(PG_LIB, d, 'bin'))
            .filter((d) => (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(d, 'pg_dump')))
        : [];
    const exactDir = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(PG_LIB, String(serverMajor), 'bin');
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
    const chosen = (0,_postgres_argv_js__WEBPACK_IMPORTED_MODULE_9__/* .choosePgClient */ .Uc)(serverMajor, serverVersion, candidates);
    if (typeof chosen === 'string')
        throw new _kit_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(chosen);
    return chosen;
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
            const scan = await scanDecompressed(path, storedAsBackup(backup));
            if (!scan.tail.includes(PLAIN_MARKER)) {
                throw new UserError(`the plain dump does not end with pg_dump's completion marker; it is incomplete.`);
            }
            return {
                checked: `${plan.compression === 'none' ? 'SQL' : `${plan.compression} stream`} read whole, completion marker present`,
                missing: [],
            };
        }
        const input = pgArchiveInput(this.archiveOf(backup));
        const r = await execArgv(pgRestoreListArgv(this.tool.binDir, input.kind === 'path' ? input.path : undefined), {
            stdin: input.kind === 'stream' ? input.open() : undefined,
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
            // the same creation and restore as rollback's, so this check proves what rollback does
            if (server === this.target) {
                for (const w of await createDatabaseLike(admin, name, this.database))
                    core.warning(w);
            }
            else {
                await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE template0`);
            }
            created = true;
            const done = await restorePgArchive({
                client: admin,
                server,
                database: name,
                archive: this.archiveOf(backup),
                binDir: this.tool.binDir,
                connectTimeoutMs: this.connectTimeoutMs,
                timeoutMs: backup.plan.timeoutMs,
                singleTransaction: false,
                appName: 'runbook-backup-db:restore-check',
                label: 'restore check',
            });
            const user = (await admin.query('SELECT current_user AS u')).rows[0].u;
            const warning = skippedRolesWarning(done.skipped, user);
            if (warning)
                core.warning(`restore check: ${warning}`);
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
    archiveOf(backup) {
        const { plan } = backup;
        return {
            path: backup.path,
            format: plan.format,
            stored: storedAsBackup(backup),
            jobs: plan.jobs,
        };
    }
    async drop(admin, name) {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
        const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        return !left.rowCount;
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


/***/ })

};
