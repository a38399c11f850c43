export const id = 374;
export const ids = [374];
export const modules = {

/***/ 78374:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runEnvironmentsCommand: () => (/* binding */ runEnvironmentsCommand)
});

// UNUSED EXPORTS: DEFAULT_FILE

// EXTERNAL MODULE: ./src/kit/errors.ts
var errors = __webpack_require__(73713);
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
function isNotFound(err) {
    return err instanceof GitHubApiError && err.status === 404;
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: ./src/kit/durations.ts
var durations = __webpack_require__(40869);
// EXTERNAL MODULE: ./src/http/yaml-source.ts
var yaml_source = __webpack_require__(811);
;// CONCATENATED MODULE: ./src/github/environments-file.ts




class EnvironmentsFileError extends errors/* UserError */.yo {
    path;
    problems;
    constructor(path, problems) {
        super(problems
            .map((p) => `${path}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`)
            .join('\n'));
        this.path = path;
        this.problems = problems;
        this.name = 'EnvironmentsFileError';
    }
}
function reviewerName(r) {
    return r.kind === 'user' ? r.login : `${r.org}/${r.slug}`;
}
const ROLE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
// GitHub environment names: up to 255 characters, no '/', no control characters or line breaks
const ENV_NAME = /^[^\s/][^/\p{Cc}]{0,254}$/u;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9][A-Za-z0-9_.-]{0,99})$/;
const SETTING_KEYS = [
    'reviewers',
    'wait-timer',
    'prevent-self-review',
    'can-admins-bypass',
    'deployment-branch-policy',
];
const MAX_WAIT_MINUTES = 43_200;
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
class Reader {
    src;
    problems = [];
    constructor(src) {
        this.src = src;
    }
    add(path, message, key = false) {
        this.problems.push({ line: this.src.line(path, { key }), message });
    }
}
function readReviewers(r, value, path) {
    if (value === undefined || value === null)
        return [];
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list)) {
        r.add(path, 'reviewers must be a list of logins and org/team slugs.');
        return [];
    }
    const out = [];
    list.forEach((item, i) => {
        const text = typeof item === 'string' ? item.trim().replace(/^@/, '') : '';
        const team = TEAM.exec(text);
        if (team)
            out.push({ kind: 'team', org: team[1], slug: team[2] });
        else if (LOGIN.test(text))
            out.push({ kind: 'user', login: text });
        else
            r.add([...path, i], `${JSON.stringify(item)} is not a GitHub login or an org/team slug.`);
    });
    if (out.length > 6)
        r.add(path, `${out.length} reviewers; GitHub allows at most 6 users or teams per environment (use a team).`);
    const names = out.map((x) => reviewerName(x).toLowerCase());
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup)
        r.add(path, `reviewer ${dup} is listed twice.`);
    return out;
}
function readBool(r, o, key, path, dflt) {
    const v = o[key];
    if (v === undefined || v === null)
        return dflt;
    if (typeof v !== 'boolean') {
        r.add([...path, key], `${key} must be true or false, not ${JSON.stringify(v)}.`);
        return dflt;
    }
    return v;
}
function readWait(r, v, path) {
    if (v === undefined || v === null)
        return 0;
    let minutes;
    if (typeof v === 'number' && Number.isInteger(v))
        minutes = v;
    else if (typeof v === 'string') {
        const ms = (0,durations/* parseDuration */.E)(v.trim());
        if (ms !== undefined && ms % 60_000 === 0)
            minutes = ms / 60_000;
        else if (ms !== undefined) {
            r.add(path, `wait-timer ${JSON.stringify(v)} is not whole minutes (GitHub counts the wait in minutes).`);
            return 0;
        }
    }
    if (minutes === undefined || minutes < 0 || minutes > MAX_WAIT_MINUTES) {
        r.add(path, `wait-timer ${JSON.stringify(v)} is not a duration from 0m to 30 days (e.g. 0, 15m, 2h).`);
        return 0;
    }
    return minutes;
}
function readPolicy(r, v, path) {
    if (v === undefined || v === null || v === 'all')
        return { kind: 'all' };
    if (v === 'protected-branches')
        return { kind: 'protected-branches' };
    if (Array.isArray(v) &&
        v.length > 0 &&
        v.every((p) => typeof p === 'string' && p.trim() !== '')) {
        return { kind: 'custom', patterns: v.map((p) => p.trim()) };
    }
    r.add(path, `deployment-branch-policy must be all, protected-branches or a list of branch patterns (e.g. [main, 'release/*']), not ${JSON.stringify(v)}.`);
    return { kind: 'all' };
}
function readSpec(r, name, value, path, role) {
    const o = value === null || value === undefined ? {} : value;
    const spec = {
        name,
        role,
        reviewers: [],
        waitTimerMinutes: 0,
        preventSelfReview: true,
        canAdminsBypass: false,
        branchPolicy: { kind: 'all' },
        line: r.src.line(path, { key: true }),
    };
    if (!isObj(o)) {
        r.add(path, `${role ? `role ${role}` : `environment ${name}`} must be a mapping of settings.`);
        return spec;
    }
    const allowed = role ? ['environment', ...SETTING_KEYS] : SETTING_KEYS;
    for (const k of Object.keys(o)) {
        if (!allowed.includes(k))
            r.add([...path, k], `unknown key '${k}'; expected one of: ${allowed.join(', ')}.`, true);
    }
    spec.reviewers = readReviewers(r, o.reviewers, [...path, 'reviewers']);
    spec.waitTimerMinutes = readWait(r, o['wait-timer'], [...path, 'wait-timer']);
    spec.preventSelfReview = readBool(r, o, 'prevent-self-review', path, true);
    spec.canAdminsBypass = readBool(r, o, 'can-admins-bypass', path, false);
    spec.branchPolicy = readPolicy(r, o['deployment-branch-policy'], [
        ...path,
        'deployment-branch-policy',
    ]);
    if (role && spec.reviewers.length === 0) {
        r.add(path, `role ${role} has no reviewers; a sign-off role needs at least one login or org/team.`, true);
    }
    return spec;
}
/** Parses and checks the text of an environments file; throws EnvironmentsFileError. */
function parseEnvironmentsFile(text, path) {
    let src;
    try {
        src = yaml_source/* YamlSource */.r.parse(text);
    }
    catch (err) {
        if (err instanceof yaml_source/* YamlSyntaxError */.n)
            throw new EnvironmentsFileError(path, [{ line: err.line, message: err.message }]);
        throw err;
    }
    const r = new Reader(src);
    const root = src.value;
    const file = { path, roles: new Map(), environments: [] };
    if (!isObj(root)) {
        throw new EnvironmentsFileError(path, [
            { line: 1, message: 'the file must be a mapping with roles: and environments:.' },
        ]);
    }
    for (const k of Object.keys(root)) {
        if (!['version', 'roles', 'environments'].includes(k))
            r.add([k], `unknown key '${k}'; expected version, roles, environments.`, true);
    }
    if (root.version !== undefined && root.version !== 1)
        r.add(['version'], `version ${JSON.stringify(root.version)} is not supported; use 1.`);
    const byName = new Map();
    const claim = (name, what, path) => {
        const before = byName.get(name.toLowerCase());
        if (before)
            r.add(path, `environment ${name} is used by ${before} and by ${what}; one environment per role.`);
        else
            byName.set(name.toLowerCase(), what);
    };
    const roles = root.roles ?? {};
    if (!isObj(roles))
        r.add(['roles'], 'roles must be a mapping of role name to its environment and reviewers.');
    else {
        for (const [role, value] of Object.entries(roles)) {
            const path = ['roles', role];
            if (!ROLE.test(role))
                r.add(path, `role name ${JSON.stringify(role)}: letters, digits, '-' and '_' (at most 40).`, true);
            const envName = isObj(value) && typeof value.environment === 'string' ? value.environment.trim() : '';
            if (envName === '' || !ENV_NAME.test(envName)) {
                r.add(isObj(value) && value.environment !== undefined ? [...path, 'environment'] : path, `role ${role} needs environment: the name of its GitHub environment (no '/').`, value === undefined || !isObj(value) || value.environment === undefined);
                continue;
            }
            claim(envName, `role ${role}`, [...path, 'environment']);
            const spec = readSpec(r, envName, value, path, role);
            file.roles.set(role, spec);
            file.environments.push(spec);
        }
    }
    const envs = root.environments ?? {};
    if (!isObj(envs))
        r.add(['environments'], 'environments must be a mapping of environment name to its settings.');
    else {
        for (const [name, value] of Object.entries(envs)) {
            const path = ['environments', name];
            if (!ENV_NAME.test(name)) {
                r.add(path, `environment name ${JSON.stringify(name)} is not valid (no '/', at most 255 characters).`, true);
                continue;
            }
            claim(name, `environments.${name}`, path);
            file.environments.push(readSpec(r, name, value, path));
        }
    }
    if (file.environments.length === 0 && r.problems.length === 0) {
        r.add([], 'no roles and no environments: nothing to apply.');
    }
    if (r.problems.length > 0)
        throw new EnvironmentsFileError(path, r.problems);
    return file;
}
function readEnvironmentsFile(path) {
    let text;
    try {
        text = (0,external_node_fs_.readFileSync)(path, 'utf8');
    }
    catch (err) {
        const code = err.code;
        throw new errors/* UserError */.yo(`${path}: cannot read the environments file (${code ?? String(err)}).`);
    }
    return parseEnvironmentsFile(text, path);
}

;// CONCATENATED MODULE: ./src/github/environments.ts



const PLAN_LIMIT_HINT = 'use sign-off-mode: issue (actions/sign-off), which collects /approve comments from the approvers listed in the environments file.';
/** True when GitHub refused protection rules because of the plan (422, billing). */
function isPlanLimit(err) {
    return (err instanceof GitHubApiError &&
        err.status === 422 &&
        /billing plan|protected branch gate|protection rule/i.test(err.message));
}
function planLimitLine(gh, visibility) {
    return `${gh.owner}/${gh.repo} is ${visibility}: its plan cannot hold required reviewers or wait timers on environments (GitHub Free/Pro/Team offer them on public repositories only); ${PLAN_LIMIT_HINT}`;
}
/** The repository's visibility (public, private, internal), from GET /repos/{owner}/{repo}. */
async function repoVisibility(gh) {
    const { data } = await gh.octokit.rest.repos.get({ owner: gh.owner, repo: gh.repo });
    return data.visibility ?? (data.private ? 'private' : 'public');
}
function teamName(r, fallbackOrg) {
    const where = `${r?.html_url ?? ''} ${r?.url ?? ''}`;
    const m = /\/orgs\/([^/]+)\/teams\//.exec(where);
    return `${m ? m[1] : fallbackOrg}/${r?.slug ?? '?'}`;
}
function liveFromJson(e, owner, patterns) {
    const rules = e.protection_rules ?? [];
    const reviewersRule = rules.find((r) => r.type === 'required_reviewers');
    const waitRule = rules.find((r) => r.type === 'wait_timer');
    const policy = e.deployment_branch_policy;
    return {
        name: e.name,
        reviewers: (reviewersRule?.reviewers ?? []).map((r) => r.type === 'Team' ? teamName(r.reviewer, owner) : (r.reviewer?.login ?? '?')),
        waitTimerMinutes: waitRule?.wait_timer ?? 0,
        preventSelfReview: reviewersRule?.prevent_self_review ?? false,
        // GitHub's default when the field was never set: administrators may bypass
        canAdminsBypass: e.can_admins_bypass ?? true,
        branchPolicy: !policy
            ? { kind: 'all' }
            : policy.protected_branches
                ? { kind: 'protected-branches' }
                : { kind: 'custom', patterns },
    };
}
/** One environment as it is, or undefined when it does not exist. */
/** The names of every environment of the repository. */
async function listEnvironmentNames(gh) {
    const names = [];
    for (let page = 1; page <= 20; page++) {
        const { data } = await gh.octokit.rest.repos.getAllEnvironments({
            owner: gh.owner,
            repo: gh.repo,
            per_page: 100,
            page,
        });
        const batch = data.environments ?? [];
        names.push(...batch.map((e) => e.name));
        if (batch.length < 100 || names.length >= (data.total_count ?? 0))
            break;
    }
    return names;
}
async function readEnvironment(gh, name) {
    let data;
    try {
        data = (await gh.octokit.rest.repos.getEnvironment({
            owner: gh.owner,
            repo: gh.repo,
            environment_name: name,
        })).data;
    }
    catch (err) {
        if (isNotFound(err))
            return undefined;
        throw err;
    }
    let patterns = [];
    if (data.deployment_branch_policy?.custom_branch_policies) {
        const list = await gh.octokit.paginate(gh.octokit.rest.repos.listDeploymentBranchPolicies, {
            owner: gh.owner,
            repo: gh.repo,
            environment_name: name,
            per_page: 100,
        });
        patterns = list.map((p) => p.name ?? '').filter(Boolean);
    }
    return liveFromJson(data, gh.owner, patterns);
}
function describePolicy(p) {
    return p.kind === 'custom' ? `custom: ${[...p.patterns].sort().join(', ')}` : p.kind;
}
const yes = (b) => (b ? 'true' : 'false');
/** What differs between the file's spec and the live environment (empty: in sync). */
function driftOf(spec, live) {
    const d = (setting, want, have) => ({
        environment: spec.name,
        setting,
        want,
        have,
    });
    if (!live)
        return [d('exists', 'yes', 'no (missing)')];
    const out = [];
    const want = spec.reviewers.map((r) => reviewerName(r).toLowerCase()).sort();
    const have = live.reviewers.map((r) => r.toLowerCase()).sort();
    if (want.join(',') !== have.join(','))
        out.push(d('reviewers', want.join(', ') || '(none)', have.join(', ') || '(none)'));
    if (spec.waitTimerMinutes !== live.waitTimerMinutes)
        out.push(d('wait-timer', `${spec.waitTimerMinutes}m`, `${live.waitTimerMinutes}m`));
    if (spec.reviewers.length > 0 && spec.preventSelfReview !== live.preventSelfReview)
        out.push(d('prevent-self-review', yes(spec.preventSelfReview), yes(live.preventSelfReview)));
    if (spec.canAdminsBypass !== live.canAdminsBypass)
        out.push(d('can-admins-bypass', yes(spec.canAdminsBypass), yes(live.canAdminsBypass)));
    if (describePolicy(spec.branchPolicy) !== describePolicy(live.branchPolicy))
        out.push(d('deployment-branch-policy', describePolicy(spec.branchPolicy), describePolicy(live.branchPolicy)));
    return out;
}
/** The ids of the file's logins and team slugs; an unknown one is a clear error naming it. */
async function resolveReviewers(gh, reviewers) {
    const out = new Map();
    for (const r of reviewers) {
        const key = reviewerName(r).toLowerCase();
        if (out.has(key))
            continue;
        try {
            if (r.kind === 'user') {
                const { data } = await gh.octokit.rest.users.getByUsername({ username: r.login });
                out.set(key, { type: 'User', id: data.id });
            }
            else {
                const { data } = await gh.octokit.rest.teams.getByName({ org: r.org, team_slug: r.slug });
                out.set(key, { type: 'Team', id: data.id });
            }
        }
        catch (err) {
            if (isNotFound(err)) {
                throw new errors/* UserError */.yo(r.kind === 'user'
                    ? `reviewer ${r.login}: no such GitHub user.`
                    : `reviewer ${reviewerName(r)}: no such team (or the token cannot see it: it needs read:org / members: read).`);
            }
            throw err;
        }
    }
    return out;
}
function policyBody(p) {
    if (p.kind === 'all')
        return null;
    return {
        protected_branches: p.kind === 'protected-branches',
        custom_branch_policies: p.kind === 'custom',
    };
}
/**
 * Creates or updates one environment to match its spec. When the plan refuses the
 * protection rules, the environment is still created with what the plan allows and
 * `limited` is true.
 */
async function applyEnvironment(gh, spec, ids) {
    const base = {
        owner: gh.owner,
        repo: gh.repo,
        environment_name: spec.name,
        can_admins_bypass: spec.canAdminsBypass,
        deployment_branch_policy: policyBody(spec.branchPolicy),
    };
    let limited = false;
    try {
        await gh.octokit.rest.repos.createOrUpdateEnvironment({
            ...base,
            wait_timer: spec.waitTimerMinutes,
            prevent_self_review: spec.preventSelfReview,
            reviewers: spec.reviewers.map((r) => ids.get(reviewerName(r).toLowerCase())),
        });
    }
    catch (err) {
        if (!isPlanLimit(err))
            throw err;
        limited = true;
        await gh.octokit.rest.repos.createOrUpdateEnvironment(base);
    }
    if (spec.branchPolicy.kind === 'custom') {
        const existing = await gh.octokit.paginate(gh.octokit.rest.repos.listDeploymentBranchPolicies, {
            owner: gh.owner,
            repo: gh.repo,
            environment_name: spec.name,
            per_page: 100,
        });
        const want = new Set(spec.branchPolicy.patterns);
        for (const p of existing) {
            if (p.id !== undefined && !want.has(p.name ?? '')) {
                await gh.octokit.rest.repos.deleteDeploymentBranchPolicy({
                    owner: gh.owner,
                    repo: gh.repo,
                    environment_name: spec.name,
                    branch_policy_id: p.id,
                });
            }
        }
        const have = new Set(existing.map((p) => p.name));
        for (const name of spec.branchPolicy.patterns) {
            if (!have.has(name)) {
                await gh.octokit.rest.repos.createDeploymentBranchPolicy({
                    owner: gh.owner,
                    repo: gh.repo,
                    environment_name: spec.name,
                    name,
                    type: 'branch',
                });
            }
        }
    }
    return { limited };
}

;// CONCATENATED MODULE: ./src/github/environments-command.ts




const DEFAULT_FILE = '.github/runbook-environments.yml';
const USAGE = `usage: runbook environments apply|check [--file ${DEFAULT_FILE}]`;
function parseArgs(argv) {
    const [command, ...rest] = argv;
    if (command !== 'apply' && command !== 'check') {
        return command === undefined ? USAGE : `unknown command '${command}'. ${USAGE}`;
    }
    let file = DEFAULT_FILE;
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        if (a === '--file' || a === '-f') {
            const v = rest[++i];
            if (!v)
                return `--file needs a path. ${USAGE}`;
            file = v;
        }
        else if (a.startsWith('--file='))
            file = a.slice('--file='.length);
        else
            return `unknown option '${a}'. ${USAGE}`;
    }
    return { command, file };
}
function table(rows) {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    return (rows
        .map((r) => r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd())
        .join('\n') + '\n');
}
function describeSpec(s) {
    const who = s.reviewers.map(reviewerName).join(', ') || 'no reviewers';
    return `${s.name}${s.role ? ` (role ${s.role})` : ''}: ${who}; wait ${s.waitTimerMinutes}m; admins ${s.canAdminsBypass ? 'can' : 'cannot'} bypass; branches ${describePolicy(s.branchPolicy)}`;
}
async function apply(gh, specs, say) {
    // every login and team is resolved before the first write: a typo changes nothing
    const ids = await resolveReviewers(gh, specs.flatMap((s) => s.reviewers));
    let limited = false;
    for (const spec of specs) {
        const r = await applyEnvironment(gh, spec, ids);
        limited ||= r.limited;
        say(`${r.limited ? 'created without reviewers/wait timer' : 'applied'} ${describeSpec(spec)}`);
    }
    if (limited) {
        say(planLimitLine(gh, await repoVisibility(gh)));
        return 3;
    }
    say(`${specs.length} environment(s) match the file.`);
    return 0;
}
async function check(gh, specs, file, say) {
    const drift = [];
    for (const spec of specs)
        drift.push(...driftOf(spec, await readEnvironment(gh, spec.name)));
    // environments on GitHub that the file does not name are not drift (the file may describe
    // only the release's), but a reader should know they exist: a forgotten old-production
    // can still hold secrets and deploy
    const named = new Set(specs.map((s) => s.name.toLowerCase()));
    const others = (await listEnvironmentNames(gh)).filter((n) => !named.has(n.toLowerCase()));
    if (others.length > 0)
        say(`on GitHub but not in ${file} (left as they are): ${others.sort().join(', ')}`);
    if (drift.length === 0) {
        say(`no drift: ${specs.length} environment(s) match ${file}.`);
        return 0;
    }
    const rows = [
        ['ENVIRONMENT', 'SETTING', 'FILE', 'GITHUB'],
        ...drift.map((d) => [d.environment, d.setting, d.want, d.have]),
    ];
    say(table(rows).trimEnd());
    const envs = new Set(drift.map((d) => d.environment));
    const reviewersMissing = drift.some((d) => d.setting === 'reviewers' && d.have === '(none)');
    const visibility = reviewersMissing ? await repoVisibility(gh) : 'public';
    if (visibility !== 'public')
        say(`${planLimitLine(gh, visibility)} (unless the plan is Enterprise)`);
    say(`drift in ${envs.size} environment(s): ${[...envs].join(', ')}; run runbook environments apply --file ${file}.`);
    return 1;
}
async function runEnvironmentsCommand(argv, io) {
    const parsed = parseArgs(argv);
    const token = resolveToken('', io.env);
    // only the runner understands ::add-mask::; elsewhere the token is kept out of the text here
    const clean = (text) => (token ? text.split(token).join('***') : text);
    const say = (line) => void io.stdout.write(`${clean(line)}\n`);
    const fail = (line, code) => {
        io.stderr.write(`error: ${clean(line)}\n`);
        return code;
    };
    if (typeof parsed === 'string')
        return fail(parsed, 2);
    let specs;
    try {
        specs = readEnvironmentsFile(parsed.file).environments;
    }
    catch (err) {
        return fail((0,errors/* errorMessage */.gJ)(err), 2);
    }
    if (!token)
        return fail('no GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to a token that can administer the repository.', 2);
    try {
        const gh = await connect({
            token,
            env: io.env,
            mask: io.env.GITHUB_ACTIONS === 'true',
            log: (l) => void io.stderr.write(`${clean(l)}\n`),
        });
        return parsed.command === 'apply'
            ? await apply(gh, specs, say)
            : await check(gh, specs, parsed.file, say);
    }
    catch (err) {
        return fail((0,errors/* isUserError */.iU)(err) ? (0,errors/* errorMessage */.gJ)(err) : `unexpected: ${(0,errors/* errorMessage */.gJ)(err)}`, 1);
    }
}


/***/ })

};
