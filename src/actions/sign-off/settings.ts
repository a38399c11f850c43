import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../../kit/errors.js';
import { getDuration, getEnum, getString, splitList } from '../../kit/inputs.js';
import { resolveToken } from '../../github/client.js';

/** Every input of the sign-off action, read and checked before GitHub is called. */

export type Mode = 'preflight' | 'issue';

export interface Settings {
  mode: Mode;
  token: string;
  environments: string[];
  environmentsFile: string;
  roles: string[];
  title: string;
  evidence: string;
  timeoutMs: number;
  intervalMs: number;
  sha: string;
  excluded: string[];
}

/** A JSON list (as the deploy workflow passes it) or a newline/comma list. */
export function readNameList(name: string): string[] {
  const text = getString(name);
  if (!text.startsWith('[')) return splitList(text);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InputError(
      name,
      'starts with [ but is not a JSON list; give a JSON list of names or a comma list.',
    );
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.trim() !== '')) {
    throw new InputError(name, 'must be a JSON list of names, e.g. ["sign-off-qa", "production"].');
  }
  return v.map((x: string) => x.trim());
}

export function readSettings(): Settings {
  const token = resolveToken(getString('github-token', { secret: true }));
  if (!token) {
    throw new InputError(
      'github-token',
      'is empty and neither GITHUB_TOKEN nor GH_TOKEN is set; pass ${{ github.token }}.',
    );
  }
  const mode = getEnum<Mode>('mode', ['preflight', 'issue']);
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const sha = process.env.GITHUB_SHA ?? '';
  const s: Settings = {
    mode,
    token,
    environments: [],
    environmentsFile: '',
    roles: [],
    title: '',
    evidence: '',
    timeoutMs: 0,
    intervalMs: 0,
    sha,
    excluded: [process.env.GITHUB_ACTOR, process.env.GITHUB_TRIGGERING_ACTOR].filter(
      (x, i, all): x is string => Boolean(x) && all.indexOf(x) === i,
    ),
  };
  if (mode === 'preflight') {
    s.environments = readNameList('environments');
    if (s.environments.length === 0) {
      throw new InputError(
        'environments',
        'is required with mode: preflight: the sign-off environments and production.',
      );
    }
    return s;
  }
  const file = getString('environments-file', { default: '.github/runbook-environments.yml' });
  s.environmentsFile = isAbsolute(file) ? file : resolve(workspace, file);
  s.roles = readNameList('roles');
  s.title = getString('title') || `Release ${sha.slice(0, 7) || 'unknown'} sign-off`;
  if (s.title.length > 256)
    throw new InputError('title', `is ${s.title.length} characters; keep it under 256.`);
  s.evidence = getString('evidence');
  // GitHub cancels a job after 6h on hosted runners and a workflow after 35 days
  s.timeoutMs = getDuration('timeout', { default: '24h', max: 35 * 24 * 3600_000 });
  s.intervalMs = getDuration('poll-interval', { default: '30s' });
  return s;
}
