import { errorMessage, isUserError } from '../kit/errors.js';
import { connect, resolveToken, type Env, type GitHub } from './client.js';
import { readEnvironmentsFile, reviewerName, type EnvironmentSpec } from './environments-file.js';
import {
  applyEnvironment,
  describePolicy,
  driftOf,
  listEnvironmentNames,
  planLimitLine,
  readEnvironment,
  repoVisibility,
  resolveReviewers,
  type Drift,
} from './environments.js';

/**
 * `runbook environments apply|check [--file F]`: the environments file made real, or the
 * drift between it and GitHub. Exit codes (docs/environments.md): 0 done / no drift,
 * 1 drift or a GitHub error, 2 bad usage or a bad file, 3 applied but the repository's
 * plan cannot hold required reviewers (use the issue-based sign-off).
 */

export interface CommandIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Env;
}

export const DEFAULT_FILE = '.github/runbook-environments.yml';
const USAGE = `usage: runbook environments apply|check [--file ${DEFAULT_FILE}]`;

interface Parsed {
  command: 'apply' | 'check';
  file: string;
}

function parseArgs(argv: string[]): Parsed | string {
  const [command, ...rest] = argv;
  if (command !== 'apply' && command !== 'check') {
    return command === undefined ? USAGE : `unknown command '${command}'. ${USAGE}`;
  }
  let file = DEFAULT_FILE;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--file' || a === '-f') {
      const v = rest[++i];
      if (!v) return `--file needs a path. ${USAGE}`;
      file = v;
    } else if (a.startsWith('--file=')) file = a.slice('--file='.length);
    else return `unknown option '${a}'. ${USAGE}`;
  }
  return { command, file };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function describeSpec(s: EnvironmentSpec): string {
  const who = s.reviewers.map(reviewerName).join(', ') || 'no reviewers';
  return `${s.name}${s.role ? ` (role ${s.role})` : ''}: ${who}; wait ${s.waitTimerMinutes}m; admins ${s.canAdminsBypass ? 'can' : 'cannot'} bypass; branches ${describePolicy(s.branchPolicy)}`;
}

async function apply(
  gh: GitHub,
  specs: EnvironmentSpec[],
  say: (l: string) => void,
): Promise<number> {
  // every login and team is resolved before the first write: a typo changes nothing
  const ids = await resolveReviewers(
    gh,
    specs.flatMap((s) => s.reviewers),
  );
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

async function check(
  gh: GitHub,
  specs: EnvironmentSpec[],
  file: string,
  say: (l: string) => void,
): Promise<number> {
  const drift: Drift[] = [];
  for (const spec of specs) drift.push(...driftOf(spec, await readEnvironment(gh, spec.name)));
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
  say(
    `drift in ${envs.size} environment(s): ${[...envs].join(', ')}; run runbook environments apply --file ${file}.`,
  );
  return 1;
}

export async function runEnvironmentsCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseArgs(argv);
  const token = resolveToken('', io.env);
  // only the runner understands ::add-mask::; elsewhere the token is kept out of the text here
  const clean = (text: string): string => (token ? text.split(token).join('***') : text);
  const say = (line: string): void => void io.stdout.write(`${clean(line)}\n`);
  const fail = (line: string, code: number): number => {
    io.stderr.write(`error: ${clean(line)}\n`);
    return code;
  };
  if (typeof parsed === 'string') return fail(parsed, 2);
  let specs: EnvironmentSpec[];
  try {
    specs = readEnvironmentsFile(parsed.file).environments;
  } catch (err) {
    return fail(errorMessage(err), 2);
  }
  if (!token)
    return fail(
      'no GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to a token that can administer the repository.',
      2,
    );
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
  } catch (err) {
    return fail(isUserError(err) ? errorMessage(err) : `unexpected: ${errorMessage(err)}`, 1);
  }
}
