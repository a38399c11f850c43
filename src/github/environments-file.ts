import { readFileSync } from 'node:fs';
import { UserError } from '../kit/errors.js';
import { parseDuration } from '../kit/durations.js';
import { YamlSource, YamlSyntaxError } from '../http/yaml-source.js';

/**
 * The environments file (.github/runbook-environments.yml, format in docs/environments.md):
 * the sign-off roles, each with its GitHub environment and who may approve it, and the other
 * environments (staging, production, …) with their protection rules. Read and checked
 * whole before anything is sent to GitHub; every problem carries its line.
 */

export type Reviewer =
  { kind: 'user'; login: string } | { kind: 'team'; org: string; slug: string };

export type BranchPolicy =
  { kind: 'all' } | { kind: 'protected-branches' } | { kind: 'custom'; patterns: string[] };

export interface EnvironmentSpec {
  name: string;
  /** the sign-off role this environment stands for */
  role?: string;
  reviewers: Reviewer[];
  waitTimerMinutes: number;
  preventSelfReview: boolean;
  canAdminsBypass: boolean;
  branchPolicy: BranchPolicy;
  line?: number;
}

export interface EnvironmentsFile {
  path: string;
  /** role -> its environment */
  roles: Map<string, EnvironmentSpec>;
  /** every environment, role environments first, in file order */
  environments: EnvironmentSpec[];
}

export interface FileProblem {
  line?: number;
  message: string;
}

export class EnvironmentsFileError extends UserError {
  constructor(
    readonly path: string,
    readonly problems: FileProblem[],
  ) {
    super(
      problems
        .map((p) => `${path}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`)
        .join('\n'),
    );
    this.name = 'EnvironmentsFileError';
  }
}

export function reviewerName(r: Reviewer): string {
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

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

class Reader {
  readonly problems: FileProblem[] = [];
  constructor(readonly src: YamlSource) {}
  add(path: Array<string | number>, message: string, key = false): void {
    this.problems.push({ line: this.src.line(path, { key }), message });
  }
}

function readReviewers(r: Reader, value: unknown, path: Array<string | number>): Reviewer[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) {
    r.add(path, 'reviewers must be a list of logins and org/team slugs.');
    return [];
  }
  const out: Reviewer[] = [];
  list.forEach((item, i) => {
    const text = typeof item === 'string' ? item.trim().replace(/^@/, '') : '';
    const team = TEAM.exec(text);
    if (team) out.push({ kind: 'team', org: team[1], slug: team[2] });
    else if (LOGIN.test(text)) out.push({ kind: 'user', login: text });
    else r.add([...path, i], `${JSON.stringify(item)} is not a GitHub login or an org/team slug.`);
  });
  if (out.length > 6)
    r.add(
      path,
      `${out.length} reviewers; GitHub allows at most 6 users or teams per environment (use a team).`,
    );
  const names = out.map((x) => reviewerName(x).toLowerCase());
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) r.add(path, `reviewer ${dup} is listed twice.`);
  return out;
}

function readBool(
  r: Reader,
  o: Obj,
  key: string,
  path: Array<string | number>,
  dflt: boolean,
): boolean {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') {
    r.add([...path, key], `${key} must be true or false, not ${JSON.stringify(v)}.`);
    return dflt;
  }
  return v;
}

function readWait(r: Reader, v: unknown, path: Array<string | number>): number {
  if (v === undefined || v === null) return 0;
  let minutes: number | undefined;
  if (typeof v === 'number' && Number.isInteger(v)) minutes = v;
  else if (typeof v === 'string') {
    const ms = parseDuration(v.trim());
    if (ms !== undefined && ms % 60_000 === 0) minutes = ms / 60_000;
    else if (ms !== undefined) {
      r.add(
        path,
        `wait-timer ${JSON.stringify(v)} is not whole minutes (GitHub counts the wait in minutes).`,
      );
      return 0;
    }
  }
  if (minutes === undefined || minutes < 0 || minutes > MAX_WAIT_MINUTES) {
    r.add(
      path,
      `wait-timer ${JSON.stringify(v)} is not a duration from 0m to 30 days (e.g. 0, 15m, 2h).`,
    );
    return 0;
  }
  return minutes;
}

function readPolicy(r: Reader, v: unknown, path: Array<string | number>): BranchPolicy {
  if (v === undefined || v === null || v === 'all') return { kind: 'all' };
  if (v === 'protected-branches') return { kind: 'protected-branches' };
  if (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((p) => typeof p === 'string' && p.trim() !== '')
  ) {
    return { kind: 'custom', patterns: v.map((p: string) => p.trim()) };
  }
  r.add(
    path,
    `deployment-branch-policy must be all, protected-branches or a list of branch patterns (e.g. [main, 'release/*']), not ${JSON.stringify(v)}.`,
  );
  return { kind: 'all' };
}

function readSpec(
  r: Reader,
  name: string,
  value: unknown,
  path: Array<string | number>,
  role?: string,
): EnvironmentSpec {
  const o = value === null || value === undefined ? {} : value;
  const spec: EnvironmentSpec = {
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
    r.add(
      path,
      `role ${role} has no reviewers; a sign-off role needs at least one login or org/team.`,
      true,
    );
  }
  return spec;
}

/** Parses and checks the text of an environments file; throws EnvironmentsFileError. */
export function parseEnvironmentsFile(text: string, path: string): EnvironmentsFile {
  let src: YamlSource;
  try {
    src = YamlSource.parse(text);
  } catch (err) {
    if (err instanceof YamlSyntaxError)
      throw new EnvironmentsFileError(path, [{ line: err.line, message: err.message }]);
    throw err;
  }
  const r = new Reader(src);
  const root = src.value;
  const file: EnvironmentsFile = { path, roles: new Map(), environments: [] };
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
  const byName = new Map<string, string>();
  const claim = (name: string, what: string, path: Array<string | number>): void => {
    const before = byName.get(name.toLowerCase());
    if (before)
      r.add(
        path,
        `environment ${name} is used by ${before} and by ${what}; one environment per role.`,
      );
    else byName.set(name.toLowerCase(), what);
  };
  const roles = root.roles ?? {};
  if (!isObj(roles))
    r.add(['roles'], 'roles must be a mapping of role name to its environment and reviewers.');
  else {
    for (const [role, value] of Object.entries(roles)) {
      const path = ['roles', role];
      if (!ROLE.test(role))
        r.add(
          path,
          `role name ${JSON.stringify(role)}: letters, digits, '-' and '_' (at most 40).`,
          true,
        );
      const envName =
        isObj(value) && typeof value.environment === 'string' ? value.environment.trim() : '';
      if (envName === '' || !ENV_NAME.test(envName)) {
        r.add(
          isObj(value) && value.environment !== undefined ? [...path, 'environment'] : path,
          `role ${role} needs environment: the name of its GitHub environment (no '/').`,
          value === undefined || !isObj(value) || value.environment === undefined,
        );
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
        r.add(
          path,
          `environment name ${JSON.stringify(name)} is not valid (no '/', at most 255 characters).`,
          true,
        );
        continue;
      }
      claim(name, `environments.${name}`, path);
      file.environments.push(readSpec(r, name, value, path));
    }
  }
  if (file.environments.length === 0 && r.problems.length === 0) {
    r.add([], 'no roles and no environments: nothing to apply.');
  }
  if (r.problems.length > 0) throw new EnvironmentsFileError(path, r.problems);
  return file;
}

export function readEnvironmentsFile(path: string): EnvironmentsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read the environments file (${code ?? String(err)}).`);
  }
  return parseEnvironmentsFile(text, path);
}
