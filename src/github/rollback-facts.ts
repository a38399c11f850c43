import { InputError, UserError } from '../kit/errors.js';
import { getString } from '../kit/inputs.js';
import { connect, resolveToken, type GitHub } from './client.js';
import { createDeployment, resolveRollback, setStatus, type RollbackFacts } from './deployments.js';

/**
 * Rollback's `from-deployment`: the facts of the deployment record fill the rollback inputs
 * left empty (an input given by hand always wins), the backup fetched is checked against
 * the sha256 the record holds, and once the rollback is done the bad deployment is marked
 * `failure` and the restored version recorded as a new deployment.
 */

export interface FromDeployment {
  facts: RollbackFacts;
  /** the inputs filled from the record, for the log */
  filled: string[];
  /** what the record could not fill, one line each (for core.warning) */
  warnings: string[];
  /** throws when the backup about to be restored is not the one the record names */
  checkBackup(sha256: string | undefined): void;
  /** marks the bad deployment failure and records the restored one (after a real rollback) */
  record(rolledBack: string[]): Promise<void>;
}

const inputVar = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

export async function fromDeploymentInputs(): Promise<FromDeployment | undefined> {
  const from = getString('from-deployment');
  if (from === '') return undefined;
  if (from !== 'last-success' && !/^\d{1,20}$/.test(from)) {
    throw new InputError(
      'from-deployment',
      `${JSON.stringify(from.slice(0, 40))} is not last-success or a deployment id.`,
    );
  }
  const environment = getString('environment');
  if (environment === '') {
    throw new InputError(
      'environment',
      'is required with from-deployment: the GitHub environment whose deployments are read.',
    );
  }
  const tokenInput = getString('github-token', { secret: true });
  const token = resolveToken(tokenInput);
  if (!token) {
    throw new InputError(
      'github-token',
      'is required with from-deployment (deployments: read, and deployments: write to record the rollback).',
    );
  }
  const gh = await connect({ token });
  const facts = await resolveRollback(
    gh,
    environment,
    from === 'last-success' ? from : Number(from),
  );
  const filled: string[] = [];
  const fill = (name: string, value: string | undefined): void => {
    if (value === undefined || getString(name) !== '') return;
    process.env[inputVar(name)] = value;
    filled.push(name);
  };
  const warnings: string[] = [];
  // a release of several images fills `images`, unless an image was named by hand
  const imageGiven = getString('image') !== '' || getString('images') !== '';
  if (!imageGiven && facts.imagesLeftOut?.length) {
    const names = facts.imagesLeftOut.map((x) => `'${x}'`).join(', ');
    const one = facts.imagesLeftOut.length === 1;
    warnings.push(
      `images ${names} of deployment ${facts.bad.id}: deployment ${facts.good.id} has no digest for ${one ? 'it' : 'them'} (added after it), so ${one ? 'it is' : 'they are'} left as deployed; the other images go back.`,
    );
  }
  if (!imageGiven && facts.images !== undefined) fill('images', facts.images);
  else if (getString('images') === '') {
    fill('image', facts.image);
    fill('to-digest', facts.toDigest);
  }
  if (facts.migrationTool && ['', 'auto'].includes(getString('tool'))) {
    process.env[inputVar('tool')] = facts.migrationTool;
    filled.push('tool');
  }
  fill('previous-state', facts.previousState);
  const backupGiven = ['backup-manifest', 'backup-artifact', 'backup-cache-key'].some(
    (n) => getString(n) !== '',
  );
  if (!backupGiven) {
    if (facts.backupName && facts.backupRunId) {
      fill('backup-artifact', facts.backupName);
      fill('backup-run-id', facts.backupRunId);
      // artifacts of another run are read with the same token
      if (tokenInput === '') process.env[inputVar('github-token')] = token;
    } else fill('backup-cache-key', facts.backupCacheKey);
  }
  return {
    facts,
    filled,
    warnings,
    checkBackup(sha256) {
      if (sha256 && facts.backupSha256 && sha256 !== facts.backupSha256) {
        throw new UserError(
          `the backup found has sha256 ${sha256}, but deployment ${facts.bad.id} recorded ${facts.backupSha256}; refusing to restore a backup the record does not name.`,
        );
      }
    },
    async record(rolledBack) {
      await recordRollback(gh, facts, environment, rolledBack);
    },
  };
}

async function recordRollback(
  gh: GitHub,
  facts: RollbackFacts,
  environment: string,
  rolledBack: string[],
): Promise<void> {
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
