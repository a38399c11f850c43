export const id = 572;
export const ids = [572];
export const modules = {

/***/ 54572:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  fromDeploymentInputs: () => (/* binding */ fromDeploymentInputs)
});

// EXTERNAL MODULE: ./src/kit/errors.ts
var errors = __webpack_require__(73713);
// EXTERNAL MODULE: ./src/kit/inputs.ts
var inputs = __webpack_require__(67127);
// EXTERNAL MODULE: ./src/kit/secrets.ts
var secrets = __webpack_require__(14601);
;// CONCATENATED MODULE: ./src/github/retry.ts
/**
 * When to try a GitHub API request again, and after how long. GitHub asks clients to wait
 * for `retry-after` seconds on a secondary rate limit (403 or 429), until `x-ratelimit-reset`
 * when the primary limit is used up, and to back off on 5xx. Waits are bounded: a wait
 * longer than maxWaitMs is not slept through but reported, so a job never hangs on a limit.
 */
const DEFAULT_RETRY = { retries: 4, baseMs: 1000, maxWaitMs: 120_000 };
function header(r, name) {
    const v = r.headers[name] ?? r.headers[name.toLowerCase()];
    return v === undefined ? undefined : String(v);
}
/** Seconds (or an HTTP date) of a Retry-After header, in ms; undefined when absent or unreadable. */
function retryAfterMs(value, nowMs = Date.now()) {
    if (value === undefined || value.trim() === '')
        return undefined;
    if (/^\d+$/.test(value.trim()))
        return Number(value.trim()) * 1000;
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : Math.max(at - nowMs, 0);
}
/** What to do after attempt number `attempt` (0-based) failed with response r. */
function decide(r, attempt, policy, nowMs = Date.now()) {
    if (attempt >= policy.retries)
        return { retry: false };
    const after = retryAfterMs(header(r, 'retry-after'), nowMs);
    const remaining = header(r, 'x-ratelimit-remaining');
    const reset = header(r, 'x-ratelimit-reset');
    let waitMs;
    let why;
    if (r.status === 429 ||
        (r.status === 403 && (after !== undefined || /secondary rate limit/i.test(r.message)))) {
        why = 'secondary rate limit';
        waitMs = after ?? Math.max(60_000, policy.baseMs * 2 ** attempt);
    }
    else if (r.status === 403 && remaining === '0' && reset !== undefined) {
        why = 'rate limit used up';
        waitMs = Math.max(Number(reset) * 1000 - nowMs, 0) + 1000;
    }
    else if (r.status >= 500 && r.status <= 599) {
        why = `server error ${r.status}`;
        waitMs = after ?? policy.baseMs * 2 ** attempt;
    }
    else {
        return { retry: false };
    }
    if (waitMs > policy.maxWaitMs) {
        return {
            retry: false,
            why: `${why}: GitHub asks to wait ${Math.ceil(waitMs / 1000)}s, longer than the ${Math.ceil(policy.maxWaitMs / 1000)}s this step waits`,
        };
    }
    return { retry: true, waitMs, why };
}

;// CONCATENATED MODULE: ./src/github/client.ts



/** A GitHub API answer that is not a success, after the retries; one line, no token. */
class GitHubApiError extends errors/* UserError */.yo {
    status;
    route;
    constructor(status, route, message) {
        super(`GitHub API ${route} answered ${status}: ${message}`);
        this.status = status;
        this.route = route;
        this.name = 'GitHubApiError';
    }
}
/** The token: the input when given, else GITHUB_TOKEN, else GH_TOKEN (connect masks it). */
function resolveToken(input, env = process.env) {
    const token = input || env.GITHUB_TOKEN || env.GH_TOKEN || '';
    return token === '' ? undefined : token;
}
function cleanUrl(name, value) {
    let url;
    try {
        url = new URL(value);
    }
    catch {
        // the value is not echoed: a malformed URL may still carry a password
        throw new errors/* UserError */.yo(`${name} is not a URL.`);
    }
    if (url.username || url.password) {
        throw new errors/* UserError */.yo(`${name} must not carry credentials (user:password@); the token goes in github-token or GITHUB_TOKEN.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new errors/* UserError */.yo(`${name} must be an http(s) URL, not ${url.protocol}.`);
    }
    return value.replace(/\/+$/, '');
}
/** Where the API is and which repository, from the runner's variables. */
function readTarget(env = process.env) {
    const apiUrl = cleanUrl('GITHUB_API_URL', env.GITHUB_API_URL || 'https://api.github.com');
    const serverUrl = cleanUrl('GITHUB_SERVER_URL', env.GITHUB_SERVER_URL || 'https://github.com');
    const full = env.GITHUB_REPOSITORY ?? '';
    const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full);
    if (!m) {
        throw new errors/* UserError */.yo(`GITHUB_REPOSITORY ${JSON.stringify(full.slice(0, 80))} is not owner/name; set it like the runner does.`);
    }
    return { apiUrl, serverUrl, owner: m[1], repo: m[2] };
}
function runUrl(target, env = process.env) {
    const id = env.GITHUB_RUN_ID;
    if (!id || !/^\d+$/.test(id))
        return undefined;
    const attempt = env.GITHUB_RUN_ATTEMPT;
    const tail = attempt && /^\d+$/.test(attempt) && attempt !== '1' ? `/attempts/${attempt}` : '';
    return `${target.serverUrl}/${target.owner}/${target.repo}/actions/runs/${id}${tail}`;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function failureMessage(err) {
    const data = err.response?.data;
    const fromBody = data && typeof data === 'object' && 'message' in data ? String(data.message) : undefined;
    return (0,secrets/* redact */.E$)((fromBody ?? err.message ?? 'no answer').split('\n')[0]).slice(0, 300);
}
async function connect(opts) {
    const env = opts.env ?? process.env;
    if (opts.mask !== false)
        (0,secrets/* registerSecret */.cl)(opts.token);
    const target = readTarget(env);
    const policy = opts.retry ?? DEFAULT_RETRY;
    const { getOctokit } = await __webpack_require__.e(/* import() */ 351).then(__webpack_require__.bind(__webpack_require__, 61351));
    const silent = () => undefined;
    const octokit = getOctokit(opts.token, {
        baseUrl: target.apiUrl,
        log: { debug: silent, info: silent, warn: silent, error: silent },
    });
    octokit.hook.wrap('request', async (request, options) => {
        const route = `${String(options.method)} ${String(options.url)}`;
        const reconcile = options.request?.reconcile;
        for (let attempt = 0;; attempt++) {
            try {
                return await request(options);
            }
            catch (e) {
                const err = e;
                const status = typeof err.status === 'number' ? err.status : 0;
                const message = failureMessage(err);
                const d = decide({ status, headers: err.response?.headers ?? {}, message }, attempt, policy);
                if (!d.retry) {
                    throw new GitHubApiError(status, route, d.why ? `${message} (${d.why})` : message);
                }
                opts.log?.(`GitHub API ${route}: ${d.why}; retrying in ${Math.ceil(d.waitMs / 1000)}s (${attempt + 1}/${policy.retries})`);
                await sleep(d.waitMs);
                // A POST answered with a 5xx may still have been carried out (a gateway timing out
                // after the write): the caller looks for what it created before it is sent again.
                if (reconcile && status >= 500) {
                    const found = await reconcile();
                    if (found !== undefined) {
                        opts.log?.(`GitHub API ${route}: the first attempt was carried out; not sent again`);
                        return { status: 201, url: String(options.url), headers: {}, data: found };
                    }
                }
            }
        }
    });
    return { ...target, octokit, runUrl: runUrl(target, env) };
}
/** True when err is the API's 404 (the thing asked for does not exist). */
function client_isNotFound(err) {
    return err instanceof GitHubApiError && err.status === 404;
}

// EXTERNAL MODULE: ./src/image/image-list.ts
var image_list = __webpack_require__(41185);
// EXTERNAL MODULE: ./src/image/reference.ts
var reference = __webpack_require__(23564);
;// CONCATENATED MODULE: ./src/github/deployment-payload.ts



/**
 * The payload of a deployment: the facts a rollback needs, written once when the
 * deployment is created (GitHub never lets it change). Only known keys, each checked for
 * its form, and nothing that looks like a secret: the payload is readable by anyone who
 * can read the repository.
 */
const PAYLOAD_KEYS = [
    'images',
    'image',
    'digest',
    'previous-digest',
    'migration-tool',
    'previous-state',
    'backup-sha256',
    'backup-name',
    'backup-artifact-id',
    'backup-run-id',
    'backup-cache-key',
    'run-id',
    'rolled-back-from',
];
const IMAGE_FIELDS = (/* unused pure expression or super */ null && (['name', 'image', 'digest', 'previous-digest']));
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const CHECKS = {
    image: [/^[a-z0-9][a-z0-9._\-/:]{0,254}$/, 'an image name without tag, e.g. ghcr.io/acme/shop'],
    digest: [DIGEST, 'sha256: followed by 64 lower-case hex digits'],
    'previous-digest': [DIGEST, 'sha256: followed by 64 lower-case hex digits'],
    'migration-tool': [
        /^(sql|alembic|django|prisma|command)$/,
        'sql, alembic, django, prisma or command',
    ],
    'backup-sha256': [/^[0-9a-f]{64}$/, '64 lower-case hex digits'],
    'backup-name': [/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'the name output of backup-db'],
    'backup-artifact-id': [/^\d{1,20}$/, 'digits'],
    'backup-run-id': [/^\d{1,20}$/, 'digits'],
    'run-id': [/^\d{1,20}$/, 'digits'],
    'rolled-back-from': [/^\d{1,20}$/, 'digits'],
    'backup-cache-key': [/^[^,\s]{1,512}$/, 'a cache key (no commas or spaces)'],
};
const SECRET_LOOKING = (/* unused pure expression or super */ null && ([
    [/[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i, 'a URL with a password'],
    [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/, 'a GitHub token'],
    [/AGE-SECRET-KEY-1/i, 'an age identity'],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
    [/\b(password|passwd|secret|token|api[_-]?key)\s*[=:]\s*\S/i, 'a password or token assignment'],
    [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key'],
]));
/** The secret-looking thing in text, or undefined. Registered secrets count too. */
function secretLooking(text) {
    if (redact(text) !== text)
        return 'a value registered as a secret';
    return SECRET_LOOKING.find(([re]) => re.test(text))?.[1];
}
/**
 * Checks a payload given as JSON text; returns it with empty values dropped, or the
 * problem (one line naming the key).
 */
function parsePayload(text) {
    let value;
    try {
        value = JSON.parse(text === '' ? '{}' : text);
    }
    catch {
        return { problem: 'is not JSON; give an object such as {"digest": "sha256:…"}.' };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { problem: 'must be a JSON object of rollback facts.' };
    }
    const out = {};
    for (const [key, raw] of Object.entries(value)) {
        if (!PAYLOAD_KEYS.includes(key)) {
            return {
                problem: `key '${key.slice(0, 60)}' is not a rollback fact; known keys: ${PAYLOAD_KEYS.join(', ')}.`,
            };
        }
        if (raw === null || raw === '')
            continue;
        if (key === 'images') {
            const images = checkImages(raw);
            if ('problem' in images)
                return { problem: `'images' ${images.problem}` };
            out.images = JSON.stringify(images.list);
            continue;
        }
        let v;
        if (key === 'previous-state' && typeof raw === 'object')
            v = JSON.stringify(raw);
        else if (typeof raw === 'string' || typeof raw === 'number')
            v = String(raw);
        else
            return { problem: `'${key}' must be a string.` };
        const secret = secretLooking(v);
        if (secret)
            return {
                problem: `'${key}' looks like ${secret}; the payload is readable by everyone with read access, never put secrets in it.`,
            };
        const check = CHECKS[key];
        if (check && !check[0].test(v))
            return { problem: `'${key}' ${JSON.stringify(v.slice(0, 80))} is not ${check[1]}.` };
        if (key === 'previous-state') {
            try {
                const s = JSON.parse(v);
                if (typeof s !== 'object' || s === null || Array.isArray(s))
                    throw new Error('not an object');
            }
            catch {
                return {
                    problem: `'previous-state' must be the previous-state output of migrate (a JSON object).`,
                };
            }
        }
        out[key] = v;
    }
    if (JSON.stringify(out).length > 60_000)
        return { problem: 'is larger than 60 kB; keep only the rollback facts.' };
    return { payload: out };
}
/**
 * `images`: a JSON list (or its text) of {name, image, digest, previous-digest?}; returns the
 * problem without the key's name, or the list with only those fields.
 */
function checkImages(raw) {
    let value = raw;
    if (typeof value === 'string') {
        try {
            value = JSON.parse(value);
        }
        catch {
            value = undefined;
        }
    }
    if (!Array.isArray(value) || value.length === 0) {
        return {
            problem: 'must be a JSON list of {"name", "image", "digest", "previous-digest"} objects, one per image of the release.',
        };
    }
    const secret = secretLooking(JSON.stringify(value));
    if (secret) {
        return {
            problem: `looks like it holds ${secret}; the payload is readable by everyone with read access, never put secrets in it.`,
        };
    }
    const list = [];
    const names = new Set();
    for (const [i, o] of value.entries()) {
        const where = `entry ${i + 1}`;
        if (typeof o !== 'object' || o === null || Array.isArray(o)) {
            return { problem: `${where} is not an object with name, image and digest.` };
        }
        const e = o;
        const unknown = Object.keys(e).find((k) => !IMAGE_FIELDS.includes(k));
        if (unknown !== undefined) {
            return {
                problem: `${where}: field '${unknown.slice(0, 40)}' is unknown; the fields are ${IMAGE_FIELDS.join(', ')}.`,
            };
        }
        if (typeof e.name !== 'string' || !IMAGE_NAME.test(e.name)) {
            return {
                problem: `${where}: name ${JSON.stringify(String(e.name ?? null).slice(0, 60))} is not an image name (lower-case letters, digits and '-', starting with a letter).`,
            };
        }
        const label = `'${e.name}'`;
        if (names.has(e.name))
            return { problem: `${label} is listed twice.` };
        names.add(e.name);
        const image = typeof e.image === 'string' ? e.image : '';
        const imageProblem = imageNameProblem(image);
        if (imageProblem)
            return { problem: `${label}: image ${imageProblem}` };
        const entry = { name: e.name, image, digest: '' };
        for (const field of ['digest', 'previous-digest']) {
            const d = e[field];
            if (d === undefined || d === null || d === '') {
                if (field === 'digest')
                    return { problem: `${label}: digest is required.` };
                continue;
            }
            if (typeof d !== 'string' || !DIGEST.test(d)) {
                return {
                    problem: `${label}: ${field} ${JSON.stringify(String(d).slice(0, 80))} is not sha256: followed by 64 lower-case hex digits.`,
                };
            }
            entry[field] = d;
        }
        list.push(entry);
    }
    return { list };
}
/** The problem with an image name (without tag or digest), or undefined. */
function imageNameProblem(text) {
    const [re, rule] = CHECKS.image;
    if (!re.test(text))
        return `${JSON.stringify(text.slice(0, 80))} is not ${rule}.`;
    try {
        const ref = (0,reference/* parseReference */.F2)(text);
        if (ref.tag !== undefined || ref.digest) {
            return `${JSON.stringify(text)} includes a ${ref.digest ? 'digest' : 'tag'}; give the name only.`;
        }
    }
    catch (err) {
        if (err instanceof reference/* InvalidReferenceError */.x_)
            return err.message;
        throw err;
    }
    return undefined;
}
/**
 * The `images` of a payload read back from GitHub, leniently: entries that are not
 * well-formed are left out (undefined: the payload has no list).
 */
function payloadImages(payload) {
    if (payload.images === undefined)
        return undefined;
    let value;
    try {
        value = JSON.parse(payload.images);
    }
    catch {
        return undefined;
    }
    if (!Array.isArray(value))
        return undefined;
    const out = [];
    for (const o of value) {
        if (typeof o !== 'object' || o === null)
            continue;
        const e = o;
        if (typeof e.name !== 'string' || !image_list/* IMAGE_NAME */.yc.test(e.name))
            continue;
        if (typeof e.image !== 'string' || imageNameProblem(e.image))
            continue;
        if (out.some((x) => x.name === e.name))
            continue;
        const d = (x) => typeof x === 'string' && DIGEST.test(x) ? x : undefined;
        const digest = d(e.digest);
        const previous = d(e['previous-digest']);
        out.push({
            name: e.name,
            image: e.image,
            digest: digest ?? '',
            ...(previous ? { 'previous-digest': previous } : {}),
        });
    }
    return out;
}
/** The payload as sent to GitHub: `images` as a real JSON list, the rest as text. */
function payloadForGitHub(payload) {
    const out = { ...payload };
    if (payload.images !== undefined) {
        try {
            out.images = JSON.parse(payload.images);
        }
        catch {
            // a record is sent as it was read; parsePayload only ever stores valid JSON here
        }
    }
    return out;
}
/** A payload read back from GitHub: only the known keys, as strings. */
function payloadFrom(value) {
    let v = value;
    if (typeof v === 'string') {
        try {
            v = JSON.parse(v);
        }
        catch {
            return {};
        }
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
        return {};
    const out = {};
    for (const key of PAYLOAD_KEYS) {
        const x = v[key];
        if (typeof x === 'string' && x !== '')
            out[key] = x;
        else if (typeof x === 'number')
            out[key] = String(x);
        else if ((key === 'previous-state' || key === 'images') && x && typeof x === 'object')
            out[key] = JSON.stringify(x);
    }
    return out;
}

;// CONCATENATED MODULE: ./src/github/deployments.ts



const FINISH_STATES = (/* unused pure expression or super */ null && (['success', 'failure', 'error', 'inactive']));
function record(d, environment) {
    return {
        id: d.id,
        sha: d.sha,
        ref: d.ref,
        environment: d.environment ?? environment,
        createdAt: d.created_at,
        payload: payloadFrom(d.payload),
    };
}
/** The state that counts: the newest status other than `inactive` (undefined: none yet). */
async function effectiveState(gh, id) {
    // statuses come newest first; the first page almost always answers
    for await (const { data } of gh.octokit.paginate.iterator(gh.octokit.rest.repos.listDeploymentStatuses, {
        owner: gh.owner,
        repo: gh.repo,
        deployment_id: id,
        per_page: 30,
    })) {
        const s = data.find((x) => x.state !== 'inactive');
        if (s)
            return s.state;
    }
    return undefined;
}
/** Deployments of an environment, newest first, read page by page as the caller goes. */
async function* deploymentsOf(gh, environment) {
    for await (const { data } of gh.octokit.paginate.iterator(gh.octokit.rest.repos.listDeployments, {
        owner: gh.owner,
        repo: gh.repo,
        environment,
        per_page: 50,
    })) {
        for (const d of data)
            yield record(d, environment);
    }
}
/** How far back the record is searched for a successful deployment. */
const SCAN_LIMIT = 200;
/** The newest successful deployment of the environment, skipping `except` (undefined: none). */
async function lastSuccess(gh, environment, opts = {}) {
    let seen = 0;
    for await (const d of deploymentsOf(gh, environment)) {
        if (++seen > SCAN_LIMIT)
            break;
        if (d.id === opts.except || (opts.before !== undefined && d.id >= opts.before))
            continue;
        if ((await effectiveState(gh, d.id)) === 'success')
            return d;
    }
    return undefined;
}
async function getDeployment(gh, id) {
    try {
        const { data } = await gh.octokit.rest.repos.getDeployment({
            owner: gh.owner,
            repo: gh.repo,
            deployment_id: id,
        });
        return record(data, '');
    }
    catch (err) {
        if (isNotFound(err))
            throw new UserError(`deployment ${id} does not exist in ${gh.owner}/${gh.repo}.`);
        throw err;
    }
}
async function createDeployment(gh, opts) {
    const since = Date.now() - 60_000;
    const res = await gh.octokit.rest.repos.createDeployment({
        owner: gh.owner,
        repo: gh.repo,
        ref: opts.ref,
        environment: opts.environment,
        task: 'deploy',
        // the release already passed its own checks; merging or waiting for contexts is not ours
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
        payload: payloadForGitHub(opts.payload),
        description: opts.description || undefined,
        // never two records of one release: after a 5xx, a deployment this call created is found
        request: { reconcile: () => findCreated(gh, opts, since) },
    });
    if (res.status !== 201 || !('id' in res.data)) {
        throw new errors/* UserError */.yo(`GitHub did not create the deployment of ${opts.ref} to ${opts.environment} (answer ${res.status}).`);
    }
    return record(res.data, opts.environment);
}
async function setStatus(gh, id, state, opts = {}) {
    await gh.octokit.rest.repos.createDeploymentStatus({
        owner: gh.owner,
        repo: gh.repo,
        deployment_id: id,
        state,
        log_url: gh.runUrl,
        environment_url: opts.environmentUrl || undefined,
        description: opts.description ? opts.description.slice(0, 140) : undefined,
    });
}
/**
 * Resolves `from-deployment`: `last-success` (the newest successful deployment before the
 * newest one) or a deployment id to return to. The image is the good deployment's digest;
 * the migration state and the backup come from the deployment right after it, because
 * that one recorded the state before it migrated and the backup taken just before.
 */
async function resolveRollback(gh, environment, from) {
    const newest = [];
    let good;
    let seen = 0;
    for await (const d of deploymentsOf(gh, environment)) {
        if (++seen > SCAN_LIMIT)
            break;
        if (newest.length > 0) {
            const hit = from === 'last-success' ? (await effectiveState(gh, d.id)) === 'success' : d.id === from;
            if (hit) {
                good = d;
                break;
            }
        }
        newest.push(d);
    }
    if (newest.length === 0)
        throw new errors/* UserError */.yo(`environment ${environment} has no deployments to roll back.`);
    if (!good) {
        throw new errors/* UserError */.yo(from === 'last-success'
            ? `environment ${environment} has no successful deployment before deployment ${newest[0].id}; nothing to return to.`
            : `deployment ${from} is not an earlier deployment of ${environment} (the newest is ${newest[0].id}).`);
    }
    const next = newest[newest.length - 1];
    const p = good.payload;
    const n = next.payload;
    return {
        bad: newest[0],
        good,
        image: p.image ?? n.image,
        toDigest: p.digest ?? n['previous-digest'],
        ...imagesBack(newest[0].payload, p, n),
        migrationTool: n['migration-tool'],
        previousState: n['previous-state'],
        backupSha256: n['backup-sha256'],
        backupName: n['backup-name'],
        backupArtifactId: n['backup-artifact-id'],
        backupRunId: n['backup-run-id'],
        backupCacheKey: n['backup-cache-key'],
    };
}
/**
 * The digest of image `e` recorded in a payload: its entry of `images` by name, or, for a
 * payload written before the release had several images, the single image/digest keys
 * when they name the same image.
 */
function recorded(payload, e, field) {
    const list = payloadImages(payload);
    if (list !== undefined)
        return list.find((x) => x.name === e.name)?.[field] || undefined;
    return payload.image === e.image ? payload[field] : undefined;
}
/**
 * Each image of the bad release goes back to the good deployment's digest for it, else to
 * the previous-digest the next deployment recorded for it (the next one replaced it).
 */
function imagesBack(bad, good, next) {
    const list = payloadImages(bad);
    if (list === undefined || list.length === 0)
        return {};
    const entries = [];
    const leftOut = [];
    for (const e of list) {
        const to = recorded(good, e, 'digest') ?? recorded(next, e, 'previous-digest');
        if (to)
            entries.push({ name: e.name, image: e.image, 'to-digest': to });
        else
            leftOut.push(e.name);
    }
    return {
        ...(entries.length > 0 ? { images: JSON.stringify(entries) } : {}),
        imagesLeftOut: leftOut,
    };
}
/**
 * The deployment a failed createDeployment may have created: same ref (as sha or name),
 * environment, description and payload, created since the call started (a minute of clock
 * skew allowed). Undefined when there is none.
 */
async function findCreated(gh, opts, since) {
    const { data } = await gh.octokit.rest.repos.listDeployments({
        owner: gh.owner,
        repo: gh.repo,
        environment: opts.environment,
        task: 'deploy',
        per_page: 20,
    });
    const want = JSON.stringify(payloadFrom(payloadForGitHub(opts.payload)));
    const found = data.find((d) => (d.sha === opts.ref || d.ref === opts.ref) &&
        Date.parse(d.created_at) >= since &&
        (d.description ?? '') === (opts.description ?? '') &&
        JSON.stringify(payloadFrom(d.payload)) === want);
    return found;
}

;// CONCATENATED MODULE: ./src/github/rollback-facts.ts




const inputVar = (name) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
async function fromDeploymentInputs() {
    const from = (0,inputs/* getString */.AA)('from-deployment');
    if (from === '')
        return undefined;
    if (from !== 'last-success' && !/^\d{1,20}$/.test(from)) {
        throw new errors/* InputError */.dz('from-deployment', `${JSON.stringify(from.slice(0, 40))} is not last-success or a deployment id.`);
    }
    const environment = (0,inputs/* getString */.AA)('environment');
    if (environment === '') {
        throw new errors/* InputError */.dz('environment', 'is required with from-deployment: the GitHub environment whose deployments are read.');
    }
    const tokenInput = (0,inputs/* getString */.AA)('github-token', { secret: true });
    const token = resolveToken(tokenInput);
    if (!token) {
        throw new errors/* InputError */.dz('github-token', 'is required with from-deployment (deployments: read, and deployments: write to record the rollback).');
    }
    const gh = await connect({ token });
    const facts = await resolveRollback(gh, environment, from === 'last-success' ? from : Number(from));
    const filled = [];
    const fill = (name, value) => {
        if (value === undefined || (0,inputs/* getString */.AA)(name) !== '')
            return;
        process.env[inputVar(name)] = value;
        filled.push(name);
    };
    const warnings = [];
    // a release of several images fills `images`, unless an image was named by hand
    const imageGiven = (0,inputs/* getString */.AA)('image') !== '' || (0,inputs/* getString */.AA)('images') !== '';
    if (!imageGiven && facts.imagesLeftOut?.length) {
        const names = facts.imagesLeftOut.map((x) => `'${x}'`).join(', ');
        const one = facts.imagesLeftOut.length === 1;
        warnings.push(`images ${names} of deployment ${facts.bad.id}: deployment ${facts.good.id} has no digest for ${one ? 'it' : 'them'} (added after it), so ${one ? 'it is' : 'they are'} left as deployed; the other images go back.`);
    }
    if (!imageGiven && facts.images !== undefined)
        fill('images', facts.images);
    else if ((0,inputs/* getString */.AA)('images') === '') {
        fill('image', facts.image);
        fill('to-digest', facts.toDigest);
    }
    if (facts.migrationTool && ['', 'auto'].includes((0,inputs/* getString */.AA)('tool'))) {
        process.env[inputVar('tool')] = facts.migrationTool;
        filled.push('tool');
    }
    fill('previous-state', facts.previousState);
    const backupGiven = ['backup-manifest', 'backup-artifact', 'backup-cache-key'].some((n) => (0,inputs/* getString */.AA)(n) !== '');
    if (!backupGiven) {
        if (facts.backupName && facts.backupRunId) {
            fill('backup-artifact', facts.backupName);
            fill('backup-run-id', facts.backupRunId);
            // artifacts of another run are read with the same token
            if (tokenInput === '')
                process.env[inputVar('github-token')] = token;
        }
        else
            fill('backup-cache-key', facts.backupCacheKey);
    }
    return {
        facts,
        filled,
        warnings,
        checkBackup(sha256) {
            if (sha256 && facts.backupSha256 && sha256 !== facts.backupSha256) {
                throw new errors/* UserError */.yo(`the backup found has sha256 ${sha256}, but deployment ${facts.bad.id} recorded ${facts.backupSha256}; refusing to restore a backup the record does not name.`);
            }
        },
        async record(rolledBack) {
            await recordRollback(gh, facts, environment, rolledBack);
        },
    };
}
async function recordRollback(gh, facts, environment, rolledBack) {
    const run = process.env.GITHUB_RUN_ID;
    const what = rolledBack.join(', ') || 'nothing';
    await setStatus(gh, facts.bad.id, 'failure', {
        description: `rolled back (${what}) to deployment ${facts.good.id}${run ? ` by run ${run}` : ''}`,
    });
    const restored = await createDeployment(gh, {
        ref: facts.good.sha,
        environment,
        payload: {
            ...facts.good.payload,
            'rolled-back-from': String(facts.bad.id),
            ...(run && /^\d+$/.test(run) ? { 'run-id': run } : {}),
        },
        description: `rollback of deployment ${facts.bad.id}`,
    });
    await setStatus(gh, restored.id, 'success', {
        description: `restored deployment ${facts.good.id} (${what})`,
    });
}


/***/ })

};
