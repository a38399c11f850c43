import { InputError } from '../../kit/errors.js';
import { getEnum, getString, parseUrlText } from '../../kit/inputs.js';
import { resolveToken } from '../../github/client.js';
import { parsePayload, type Payload } from '../../github/deployment-payload.js';
import { FINISH_STATES, type FinishState } from '../../github/deployments.js';

/** Every input of the deployment action, read and checked before GitHub is called. */

export type Mode = 'guard' | 'start' | 'finish';

export interface Settings {
  mode: Mode;
  token: string;
  environment: string;
  ref: string;
  environmentUrl?: string;
  payload: Payload;
  deploymentId?: number;
  state?: FinishState;
  description?: string;
  branch?: string;
  runId?: number;
}

const SHA = /^[0-9a-f]{40}$/;

function readToken(): string {
  const token = resolveToken(getString('github-token', { secret: true }));
  if (!token) {
    throw new InputError(
      'github-token',
      'is empty and neither GITHUB_TOKEN nor GH_TOKEN is set; pass ${{ github.token }} with deployments: write.',
    );
  }
  return token;
}

function readEnvironment(mode: Mode): string {
  const env = getString('environment');
  if (env === '' && mode !== 'finish')
    throw new InputError('environment', `is required with mode: ${mode}.`);
  if (env.length > 255 || [...env].some((c) => c.charCodeAt(0) < 32))
    throw new InputError('environment', 'is not a GitHub environment name.');
  return env;
}

function readBranch(): string | undefined {
  const given = getString('branch');
  if (given !== '') return given;
  // only a branch push has a head to compare; tags and pull requests skip the branch rule
  const ref = process.env.GITHUB_REF ?? '';
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

export function readSettings(): Settings {
  const token = readToken();
  const mode = getEnum<Mode>('mode', ['guard', 'start', 'finish']);
  const environment = readEnvironment(mode);
  const ref = getString('ref', { default: process.env.GITHUB_SHA ?? '' });
  if (mode !== 'finish' && ref === '')
    throw new InputError('ref', 'is empty and GITHUB_SHA is not set; give the commit to deploy.');
  if (mode === 'guard' && !SHA.test(ref))
    throw new InputError(
      'ref',
      `${JSON.stringify(ref.slice(0, 60))} is not a full commit sha (40 hex digits); the guard compares commits.`,
    );
  const urlText = getString('environment-url');
  // checked as a URL, kept as written (GitHub shows it as given)
  if (urlText !== '') parseUrlText('environment-url', urlText, ['https', 'http']);
  const environmentUrl = urlText === '' ? undefined : urlText;
  const description = getString('description') || undefined;
  if (description && description.length > 140)
    throw new InputError(
      'description',
      `is ${description.length} characters; GitHub keeps 140 at most.`,
    );
  const s: Settings = { mode, token, environment, ref, environmentUrl, description, payload: {} };
  const runId = process.env.GITHUB_RUN_ID;
  if (runId && /^\d+$/.test(runId)) s.runId = Number(runId);
  if (mode === 'start') {
    const parsed = parsePayload(getString('payload', { default: '{}' }));
    if ('problem' in parsed) throw new InputError('payload', parsed.problem);
    s.payload = parsed.payload;
    if (s.runId !== undefined && !s.payload['run-id']) s.payload['run-id'] = String(s.runId);
  }
  if (mode === 'finish') {
    const id = getString('deployment-id');
    if (!/^\d{1,20}$/.test(id))
      throw new InputError(
        'deployment-id',
        id === ''
          ? 'is required with mode: finish (the deployment-id output of mode: start).'
          : `${JSON.stringify(id.slice(0, 40))} is not a deployment id (digits).`,
      );
    s.deploymentId = Number(id);
    s.state = getEnum<FinishState>('state', FINISH_STATES);
  }
  if (mode === 'guard') s.branch = readBranch();
  return s;
}
