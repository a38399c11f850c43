export const id = 229;
export const ids = [229];
export const modules = {

/***/ 72292:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TO: () => (/* binding */ openDecompressed)
/* harmony export */ });
/* unused harmony exports COMPRESSION_LEVELS, compressionExtension, createCompressor, createDecompressor, scanDecompressed */
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
        ? node_zlib__WEBPACK_IMPORTED_MODULE_3__.createGunzip({ chunkSize: 256 * 1024 })
        : node_zlib__WEBPACK_IMPORTED_MODULE_3__.createZstdDecompress({ chunkSize: 256 * 1024 });
}
/** The file's bytes, decompressed when the file is a gzip/zstd stream. */
function openDecompressed(path, c) {
    const file = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createReadStream)(path, { highWaterMark: 1024 * 1024 });
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

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ randomSuffix),
/* harmony export */   W: () => (/* binding */ compareTableCounts)
/* harmony export */ });
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
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex');
}


/***/ }),

/***/ 29495:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ execArgv)
/* harmony export */ });
/* unused harmony export ExecError */
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
        const clean = (0,_secrets_js__WEBPACK_IMPORTED_MODULE_4__/* .redact */ .E$)(line);
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
    const label = opts.label ?? (0,node_path__WEBPACK_IMPORTED_MODULE_2__.basename)(file);
    const env = {};
    for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) {
        if (v !== undefined)
            env[k] = v;
    }
    const started = Date.now();
    const stdoutMode = opts.stdout ?? 'capture';
    const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(file, args, {
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
            stdoutDone = (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_1__.pipeline)(child.stdout, stdoutMode).catch((err) => {
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
            : `${label} could not be started: ${(0,_secrets_js__WEBPACK_IMPORTED_MODULE_4__/* .redact */ .E$)(spawnError.message)}`;
        throw new ExecError(why, result);
    }
    if (stopped)
        throw new ExecError(`${label} was stopped: the run was cancelled.`, result);
    if (timedOut) {
        throw new ExecError(`${label} did not finish within ${(0,_durations_js__WEBPACK_IMPORTED_MODULE_5__/* .formatDuration */ .a)(opts.timeoutMs ?? 0)} and was stopped.${tailText(result)}`, result);
    }
    if (stdinError) {
        const msg = stdinError instanceof Error ? stdinError.message : String(stdinError);
        throw new ExecError(`reading the input of ${label} failed: ${(0,_secrets_js__WEBPACK_IMPORTED_MODULE_4__/* .redact */ .E$)(msg)}`, result);
    }
    if (sinkError) {
        const msg = sinkError instanceof Error ? sinkError.message : String(sinkError);
        throw new ExecError(`writing the output of ${label} failed: ${(0,_secrets_js__WEBPACK_IMPORTED_MODULE_4__/* .redact */ .E$)(msg)}`, result);
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
