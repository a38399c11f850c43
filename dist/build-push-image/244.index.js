export const id = 244;
export const ids = [244];
export const modules = {

/***/ 7244:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  buildAndPush: () => (/* binding */ buildAndPush),
  selectBuilder: () => (/* binding */ selectBuilder)
});

// UNUSED EXPORTS: BuildCancelled

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/kit/errors.ts
var errors = __webpack_require__(3713);
// EXTERNAL MODULE: ./src/kit/exec.ts + 2 modules
var exec = __webpack_require__(6161);
;// CONCATENATED MODULE: ./src/image/builders/types.ts
/** `--flag k=v` pairs, in order. */
function pairFlags(flag, pairs) {
    return pairs.flatMap(([k, v]) => [flag, `${k}=${v}`]);
}

;// CONCATENATED MODULE: ./src/image/builders/buildah.ts




function globalFlags(opts) {
    return opts.storageDriver ? ['--storage-driver', opts.storageDriver] : [];
}
function buildahBuildArgv(spec, iidFile, opts = {}) {
    if (spec.platforms.length > 1)
        throw new Error('buildah builds one platform at a time here');
    const argv = ['buildah', ...globalFlags(opts), 'build', '--file', spec.file];
    if (spec.target)
        argv.push('--target', spec.target);
    if (spec.platforms.length === 1)
        argv.push('--platform', spec.platforms[0]);
    if (opts.isolation)
        argv.push('--isolation', opts.isolation);
    argv.push(...pairFlags('--build-arg', spec.buildArgs));
    argv.push(...pairFlags('--label', spec.labels));
    for (const tag of spec.tags)
        argv.push('--tag', tag);
    // base images may come from the same plain-http registry
    if (spec.insecure)
        argv.push('--tls-verify=false');
    if (opts.authFile)
        argv.push('--authfile', opts.authFile);
    argv.push('--iidfile', iidFile, spec.context);
    return argv;
}
function buildahPushArgv(ref, digestFile, insecure, opts = {}) {
    const argv = ['buildah', ...globalFlags(opts), 'push'];
    if (insecure)
        argv.push('--tls-verify=false');
    if (opts.authFile)
        argv.push('--authfile', opts.authFile);
    argv.push('--digestfile', digestFile, ref, `docker://${ref}`);
    return argv;
}
function buildahBuilder(base = {}) {
    return {
        kind: 'buildah',
        multiPlatform: false,
        async build(spec, ctx) {
            const opts = { ...base, authFile: ctx.authFile };
            const iidFile = (0,external_node_path_.join)(ctx.workDir, 'buildah-iid');
            const started = Date.now();
            await (0,exec/* execArgv */.E)(buildahBuildArgv(spec, iidFile, opts), {
                env: ctx.env,
                stdout: 'inherit',
                onStderrLine: ctx.onLine,
                timeoutMs: ctx.timeoutMs,
                signal: ctx.signal,
                label: 'buildah build',
            });
            const imageId = (await (0,promises_.readFile)(iidFile, 'utf8')).trim();
            let reportedDigest;
            const pushed = [];
            if (spec.push) {
                const digestFile = (0,external_node_path_.join)(ctx.workDir, 'buildah-digest');
                await (0,exec/* execArgv */.E)(buildahPushArgv(spec.tags[0], digestFile, spec.insecure, opts), {
                    env: ctx.env,
                    stdout: 'inherit',
                    onStderrLine: ctx.onLine,
                    timeoutMs: ctx.timeoutMs,
                    signal: ctx.signal,
                    label: 'buildah push',
                });
                reportedDigest = (await (0,promises_.readFile)(digestFile, 'utf8')).trim();
                pushed.push(spec.tags[0]);
            }
            return {
                builder: 'buildah',
                pushed,
                reportedDigest,
                imageId,
                durationMs: Date.now() - started,
            };
        },
    };
}

;// CONCATENATED MODULE: ./src/image/builders/docker.ts




/** `docker buildx build ...`: all tags pushed by buildx itself, several platforms allowed. */
function buildxArgv(spec, metadataFile, docker = 'docker') {
    const argv = [docker, 'buildx', 'build', '--file', spec.file];
    if (spec.target)
        argv.push('--target', spec.target);
    if (spec.platforms.length > 0)
        argv.push('--platform', spec.platforms.join(','));
    argv.push(...pairFlags('--build-arg', spec.buildArgs));
    argv.push(...pairFlags('--label', spec.labels));
    for (const tag of spec.tags)
        argv.push('--tag', tag);
    if (spec.push) {
        // the docker-container driver pushes from BuildKit, which needs to be told about plain http
        argv.push('--output', spec.insecure ? 'type=image,push=true,registry.insecure=true' : 'type=image,push=true');
    }
    else if (spec.platforms.length <= 1) {
        argv.push('--load');
    }
    argv.push('--metadata-file', metadataFile, spec.context);
    return argv;
}
/** `docker build ...` with the classic builder (DOCKER_BUILDKIT=0): one platform at most. */
function classicBuildArgv(spec, iidFile, docker = 'docker') {
    if (spec.platforms.length > 1) {
        throw new Error('the classic docker builder builds one platform at a time');
    }
    const argv = [docker, 'build', '--file', spec.file];
    if (spec.target)
        argv.push('--target', spec.target);
    if (spec.platforms.length === 1)
        argv.push('--platform', spec.platforms[0]);
    argv.push(...pairFlags('--build-arg', spec.buildArgs));
    argv.push(...pairFlags('--label', spec.labels));
    for (const tag of spec.tags)
        argv.push('--tag', tag);
    argv.push('--iidfile', iidFile, spec.context);
    return argv;
}
function dockerPushArgv(ref, docker = 'docker') {
    return [docker, 'push', ref];
}
function dockerBuildxProbeArgv(docker = 'docker') {
    return [docker, 'buildx', 'version'];
}
/** buildx is there when `docker buildx version` works (the plugin may be missing). */
async function hasBuildx(env = {}) {
    const result = await (0,exec/* execArgv */.E)(dockerBuildxProbeArgv(), {
        env,
        allowFailure: true,
        stdout: 'ignore',
        timeoutMs: 30_000,
    }).catch(() => undefined);
    return result?.exitCode === 0;
}
const buildxBuilder = {
    kind: 'buildx',
    multiPlatform: true,
    async build(spec, ctx) {
        const metadataFile = (0,external_node_path_.join)(ctx.workDir, 'buildx-metadata.json');
        const started = Date.now();
        await (0,exec/* execArgv */.E)(buildxArgv(spec, metadataFile), {
            env: ctx.env,
            stdout: 'inherit',
            onStderrLine: ctx.onLine,
            timeoutMs: ctx.timeoutMs,
            signal: ctx.signal,
            label: 'docker buildx build',
        });
        let metadata = {};
        try {
            metadata = JSON.parse(await (0,promises_.readFile)(metadataFile, 'utf8'));
        }
        catch {
            // older buildx versions may not write it; the registry tells the digest anyway
        }
        return {
            builder: 'buildx',
            pushed: spec.push ? [...spec.tags] : [],
            reportedDigest: spec.push ? metadata['containerimage.digest'] : undefined,
            imageId: metadata['containerimage.config.digest'],
            durationMs: Date.now() - started,
        };
    },
};
const classicBuilder = {
    kind: 'classic',
    multiPlatform: false,
    async build(spec, ctx) {
        const iidFile = (0,external_node_path_.join)(ctx.workDir, 'docker-iid');
        const started = Date.now();
        const env = { ...ctx.env, DOCKER_BUILDKIT: '0' };
        await (0,exec/* execArgv */.E)(classicBuildArgv(spec, iidFile), {
            env,
            stdout: 'inherit',
            onStderrLine: ctx.onLine,
            timeoutMs: ctx.timeoutMs,
            signal: ctx.signal,
            label: 'docker build',
        });
        const imageId = (await (0,promises_.readFile)(iidFile, 'utf8')).trim();
        let reportedDigest;
        const pushed = [];
        if (spec.push) {
            // one push; the other tags are added through the registry API by digest
            const result = await (0,exec/* execArgv */.E)(dockerPushArgv(spec.tags[0]), {
                env,
                onStderrLine: ctx.onLine,
                timeoutMs: ctx.timeoutMs,
                signal: ctx.signal,
                label: 'docker push',
            });
            process.stdout.write(result.stdout);
            reportedDigest = /digest: (sha256:[a-f0-9]{64})/.exec(result.stdout)?.[1];
            pushed.push(spec.tags[0]);
        }
        return {
            builder: 'classic',
            pushed,
            reportedDigest,
            imageId,
            durationMs: Date.now() - started,
        };
    },
};

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/image/credentials.ts
var credentials = __webpack_require__(791);
;// CONCATENATED MODULE: ./src/image/docker-login.ts




async function writeTempLogin(dir, registry, creds, env = process.env) {
    const original = (0,credentials/* dockerConfigDir */.kG)(env);
    await (0,promises_.mkdir)(dir, { recursive: true, mode: 0o700 });
    let base = {};
    if ((0,external_node_fs_.existsSync)((0,external_node_path_.join)(original, 'config.json'))) {
        try {
            base = JSON.parse(await (0,promises_.readFile)((0,external_node_path_.join)(original, 'config.json'), 'utf8'));
        }
        catch {
            base = {};
        }
        for (const entry of await (0,promises_.readdir)(original)) {
            if (entry === 'config.json')
                continue;
            await (0,promises_.symlink)((0,external_node_path_.join)(original, entry), (0,external_node_path_.join)(dir, entry)).catch(() => undefined);
        }
    }
    const login = JSON.parse((0,credentials/* dockerConfigJson */.TF)(registry, creds));
    const key = (0,credentials/* normalizeConfigKey */.xA)(Object.keys(login.auths)[0]);
    const auths = {};
    for (const [k, v] of Object.entries(base.auths ?? {}))
        if ((0,credentials/* normalizeConfigKey */.xA)(k) !== key)
            auths[k] = v;
    const credHelpers = {};
    for (const [k, v] of Object.entries(base.credHelpers ?? {}))
        if ((0,credentials/* normalizeConfigKey */.xA)(k) !== key)
            credHelpers[k] = v;
    // a credsStore would be asked before the auths entry for this registry: drop it here
    const { credsStore: _dropped, ...rest } = base;
    const config = { ...rest, auths: { ...auths, ...login.auths }, credHelpers };
    const authFile = (0,external_node_path_.join)(dir, 'config.json');
    await (0,promises_.writeFile)(authFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    return { configDir: dir, authFile };
}

// EXTERNAL MODULE: ./src/image/reference.ts
var reference = __webpack_require__(3564);
;// CONCATENATED MODULE: ./src/image/build-push.ts








/** `docker`: buildx when its plugin answers, else the classic builder; `buildah`: buildah. */
async function selectBuilder(choice, buildah = {}) {
    if (choice === 'buildah')
        return buildahBuilder(buildah);
    return (await hasBuildx()) ? buildxBuilder : classicBuilder;
}
/**
 * Builds once, pushes once, and puts every other tag onto the same digest through the
 * registry API. The digest reported is the registry's, checked for every tag.
 */
async function buildAndPush(req) {
    const started = Date.now();
    const refs = req.tags.map((t) => (0,reference/* withTag */.Rd)(req.image, t));
    const workDir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(req.tempRoot ?? (0,external_node_os_.tmpdir)(), 'build-push-'));
    try {
        const env = {};
        let authFile;
        if (req.credentials) {
            const login = await writeTempLogin((0,external_node_path_.join)(workDir, 'docker-config'), req.image.registry, req.credentials);
            env.DOCKER_CONFIG = login.configDir;
            authFile = login.authFile;
        }
        const outcome = await req.builder.build({ ...req.spec, tags: refs }, {
            workDir,
            env,
            authFile,
            onLine: req.onLine,
            timeoutMs: req.timeoutMs ?? 3_600_000,
            signal: req.signal,
        });
        if (!req.spec.push)
            return { outcome, refs, durationMs: Date.now() - started };
        const client = req.client;
        const repo = req.image.repository;
        const first = await client.getManifest(repo, req.tags[0]);
        if (!first)
            throw new errors/* UserError */.yo(`${refs[0]} is not in the registry after the push.`);
        if (outcome.reportedDigest && outcome.reportedDigest !== first.digest) {
            throw new errors/* UserError */.yo(`${outcome.builder} reported ${outcome.reportedDigest} for ${refs[0]} but the registry holds ${first.digest}.`);
        }
        for (const [i, tag] of req.tags.entries()) {
            if (i === 0)
                continue;
            // a tag is only ever written after its manifest is complete in the registry; a
            // cancelled run stops here, before the next one
            if (req.signal?.aborted)
                throw new BuildCancelled(first.digest);
            if (outcome.pushed.includes(refs[i])) {
                const got = await client.resolve(repo, tag);
                if (got?.digest !== first.digest) {
                    throw new errors/* UserError */.yo(`${refs[i]} points to ${got?.digest ?? 'nothing'}, not to ${first.digest} like ${refs[0]}.`);
                }
            }
            else {
                await client.putManifest(repo, tag, first);
            }
        }
        const config = await client.getImageConfig(repo, first.digest, platformOf(req.spec.platforms[0]));
        return {
            outcome,
            digest: first.digest,
            refs,
            labels: config.labels,
            durationMs: Date.now() - started,
        };
    }
    finally {
        await (0,promises_.rm)(workDir, { recursive: true, force: true });
    }
}
/** The run was cancelled after the image was pushed, before every tag was written. */
class BuildCancelled extends errors/* UserError */.yo {
    digest;
    constructor(digest) {
        super(`cancelled after pushing ${digest}`);
        this.name = 'BuildCancelled';
        this.digest = digest;
    }
}
function platformOf(platform) {
    if (!platform)
        return undefined;
    const [os, architecture] = platform.split('/');
    return { os, architecture };
}


/***/ })

};
