import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../../kit/errors.js';
import { parseDuration } from '../../kit/durations.js';
import { getBoolean, getDuration, getEnum, getList, getString } from '../../kit/inputs.js';
import { registerUrlPassword } from '../../kit/secrets.js';
import type { RegistryCredentials } from '../../image/credentials.js';
import { isSha256Digest, isValidTag } from '../../image/reference.js';
import { parseImageList } from '../../image/image-list.js';
import type { ImageRollbackOptions } from '../../rollback/image.js';
import type { DatabaseTarget } from '../../db/url.js';
import type { RestoreMode } from '../../db/live-restore.js';
import type { TlsSettings } from '../../db/tls.js';
import {
  readConnectTimeout,
  readDatabaseTarget,
  readTlsInputs,
} from '../shared/database-settings.js';
import { readMigrationTool, readMigrationToolPlace } from '../shared/migration-tool-settings.js';
import { readDecryptIdentity, readEncryptTo } from '../shared/encryption-settings.js';
import { readImageName, readRegistryCredentials } from '../shared/registry-settings.js';
import type { MigrationState, ToolName } from '../../migrations/types.js';
import { LAYOUTS, type Layout } from '../../migrations/sql/layouts.js';
import { cacheKeyProblem } from '../../storage/cache.js';
import type { BackupSource } from '../../rollback/backup-source.js';
import { orderTargets, TARGETS, type Target } from '../../rollback/plan.js';
import type { FromDeployment } from '../../github/rollback-facts.js';

/** Every input of rollback, read and checked once, before anything is touched. */
export interface Settings {
  targets: Target[];
  dryRun: boolean;
  workspace: string;
  runnerTemp: string;
  timeoutMs: number;
  image?: ImageSettings;
  migrations?: MigrationSettings;
  database?: DatabaseSettings;
}

export interface ImageSettings {
  /** the images in list order: one entry without a name for the `image` input */
  entries: ImageRollbackOptions[];
  /** given by the `images` input: outputs and deploy-command variables are keyed by name */
  list: boolean;
  promoteTag: string;
  previousTag: string;
  credentials?: RegistryCredentials;
  insecure: boolean;
  deployCommand?: string;
}

export interface MigrationSettings {
  tool: ToolName;
  detected: boolean;
  previousState: MigrationState;
  previousStateText: string;
  database?: DatabaseTarget;
  workingDirectory: string;
  migrationsDir: string;
  migrationsTable: string;
  /** sql tool: how the files are named (migrate's `layout`) */
  layout: Layout | 'auto';
  python: string;
  djangoSettings?: string;
  downCommand?: string;
  statusCommand?: string;
  lockWaitMs: number;
}

export interface DatabaseSettings {
  target: DatabaseTarget;
  source: BackupSource;
  safetyBackup: boolean;
  safetyBackupDir: string;
  /** safety-backup-encrypt-to: age recipients; empty: those of decrypt-identity (if any) */
  safetyEncryptTo: string[];
  connectTimeoutMs: number;
  restoreMode: RestoreMode;
  keepReplaced: boolean;
  /** keep-replaced: <duration>: copies kept by earlier rollbacks are dropped once older */
  keptMaxAgeMs?: number;
  /** decrypt-identity: age secret keys for an encrypted backup (checked against it before any change) */
  decryptIdentities?: string[];
}

const RESTORE_MODES = ['auto', 'swap', 'in-place'] as const;

const TAG_RULE = "letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'";

function optional(name: string): string | undefined {
  const v = getString(name);
  return v === '' ? undefined : v;
}

function readTargets(): Target[] {
  const items = getList('targets');
  if (items.length === 0) {
    throw new InputError('targets', `is required: a comma list of ${TARGETS.join(', ')}.`);
  }
  const ordered = orderTargets(items);
  if ('unknown' in ordered) {
    throw new InputError(
      'targets',
      `${JSON.stringify(ordered.unknown.slice(0, 40))} is not a target; use ${TARGETS.join(', ')} (comma list).`,
    );
  }
  return ordered;
}

function readTag(name: string, fallback: string): string {
  const value = getString(name, { default: fallback });
  if (!isValidTag(value)) {
    throw new InputError(
      name,
      `${JSON.stringify(value.slice(0, 80))} is not a valid tag (${TAG_RULE}).`,
    );
  }
  return value;
}

function readImage(): ImageSettings {
  const listText = getString('images');
  if (listText !== '' && getString('image') !== '') {
    throw new InputError(
      'images',
      'and image are both set; give one image in image, or every image of the release in images.',
    );
  }
  const promoteTag = readTag('promote-tag', 'latest');
  const previousTag = readTag('previous-tag', 'previous');
  const toDigest = optional('to-digest');
  if (toDigest !== undefined && listText !== '') {
    throw new InputError(
      'to-digest',
      'must be empty with images; give each entry of images its own to-digest.',
    );
  }
  if (toDigest !== undefined && !isSha256Digest(toDigest)) {
    throw new InputError(
      'to-digest',
      `${JSON.stringify(toDigest.slice(0, 80))} is not sha256: followed by 64 lower-case hex digits.`,
    );
  }
  const shared = {
    promoteTag,
    previousTag,
    credentials: readRegistryCredentials(),
    insecure: getBoolean('insecure-registry', { default: false }),
  };
  let entries: ImageRollbackOptions[];
  if (listText !== '') {
    entries = parseImageList('images', listText, {
      digestField: 'to-digest',
      digestRequired: false,
    }).map((e) => ({ ...shared, name: e.name, image: e.image, toDigest: e.digest }));
  } else {
    const { image } = readImageName({
      missing:
        'is required with targets: image; the image name without a tag, e.g. ghcr.io/acme/shop (or several images in images).',
      withTagOrDigest: (text) =>
        `${JSON.stringify(text)} includes a tag or digest; give the name only (the digest goes in to-digest).`,
    });
    entries = [{ ...shared, image, toDigest }];
  }
  if (entries.some((e) => e.toDigest === undefined) && promoteTag === previousTag) {
    throw new InputError(
      'previous-tag',
      `is the same as promote-tag ('${promoteTag}'); the previous image has a tag of its own.`,
    );
  }
  return {
    ...shared,
    entries,
    list: listText !== '',
    deployCommand: optional('deploy-command'),
  };
}

interface ConnectionInputs {
  tls: TlsSettings;
  connectTimeoutMs: number;
}

function readMigrations(
  workspace: string,
  urlText: string,
  connection: ConnectionInputs,
): MigrationSettings {
  const { tool, detected, workingDirectory } = readMigrationTool(workspace);
  if (tool === 'prisma') {
    throw new InputError(
      'tool',
      'prisma migrations cannot be reverted (Prisma Migrate has no down migrations); restore the backup instead with targets: database and backup-manifest.',
    );
  }
  const stateText = getString('previous-state');
  if (stateText === '') {
    throw new InputError(
      'previous-state',
      'is required with targets: migrations; pass the previous-state output of migrate.',
    );
  }
  let previousState: MigrationState;
  try {
    const v: unknown = JSON.parse(stateText);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    previousState = v as MigrationState;
  } catch {
    throw new InputError(
      'previous-state',
      'is not a JSON object; pass the previous-state output of migrate unchanged.',
    );
  }
  const { database, migrationsDir, migrationsTable } = readMigrationToolPlace(
    tool,
    workingDirectory,
    urlText,
    connection,
  );
  const downCommand = optional('down-command');
  if (tool === 'command' && !downCommand) {
    throw new InputError(
      'down-command',
      'is required with tool: command; it reverts to RUNBOOK_PREVIOUS_STATE.',
    );
  }
  return {
    tool,
    detected,
    previousState,
    previousStateText: stateText,
    database,
    workingDirectory,
    migrationsDir,
    migrationsTable,
    layout: getEnum('layout', ['auto', ...LAYOUTS] as const, { default: 'auto' }),
    python: getString('python', { default: 'python3' }),
    djangoSettings: optional('django-settings'),
    downCommand,
    statusCommand: optional('status-command'),
    lockWaitMs: getDuration('lock-wait', { default: '60s', allowZero: true }),
  };
}

function readDatabase(
  workspace: string,
  runnerTemp: string,
  urlText: string,
  connection: ConnectionInputs,
): DatabaseSettings {
  if (urlText === '') throw new InputError('database-url', 'is required with targets: database.');
  const target = readDatabaseTarget(
    'database-url',
    urlText,
    workspace,
    connection.tls,
    connection.connectTimeoutMs,
  );
  const manifest = optional('backup-manifest');
  const artifact = optional('backup-artifact');
  const cacheKey = optional('backup-cache-key');
  const given = [
    manifest && 'backup-manifest',
    artifact && 'backup-artifact',
    cacheKey && 'backup-cache-key',
  ].filter((x): x is string => typeof x === 'string');
  if (given.length === 0) {
    throw new InputError(
      'backup-manifest',
      'is required with targets: database (or backup-artifact, or backup-cache-key): the backup to restore.',
    );
  }
  if (given.length > 1) {
    throw new InputError(given[1], `and ${given[0]} are both set; name the backup one way only.`);
  }
  let source: BackupSource;
  if (manifest !== undefined) {
    const path = isAbsolute(manifest) ? manifest : resolve(workspace, manifest);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new InputError('backup-manifest', `${path} does not exist or is not a file.`);
    }
    source = { kind: 'manifest', path };
  } else if (artifact !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(artifact)) {
      throw new InputError(
        'backup-artifact',
        `${JSON.stringify(artifact.slice(0, 80))} is not a backup name (the name output of backup-db).`,
      );
    }
    const runId = optional('backup-run-id');
    if (runId === undefined) source = { kind: 'artifact', name: artifact };
    else {
      if (!/^\d+$/.test(runId))
        throw new InputError(
          'backup-run-id',
          `${JSON.stringify(runId.slice(0, 40))} is not a workflow run id (digits).`,
        );
      const token = getString('github-token', { secret: true });
      if (token === '')
        throw new InputError(
          'github-token',
          'is required with backup-run-id (artifacts of another run need a token with actions: read).',
        );
      const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
      if (!owner || !repo)
        throw new InputError(
          'backup-run-id',
          'needs GITHUB_REPOSITORY (owner/name) to find the run.',
        );
      source = {
        kind: 'artifact',
        name: artifact,
        findBy: {
          token,
          workflowRunId: Number(runId),
          repositoryOwner: owner,
          repositoryName: repo,
        },
      };
    }
  } else {
    const problem = cacheKeyProblem(cacheKey as string);
    if (problem) throw new InputError('backup-cache-key', problem);
    source = { kind: 'cache', key: cacheKey as string };
  }
  const dirInput = getString('safety-backup-dir');
  const safetyBackupDir =
    dirInput === ''
      ? join(runnerTemp, 'db-backups')
      : isAbsolute(dirInput)
        ? dirInput
        : resolve(workspace, dirInput);
  if (existsSync(safetyBackupDir) && !statSync(safetyBackupDir).isDirectory()) {
    throw new InputError('safety-backup-dir', `${safetyBackupDir} is a file, not a directory.`);
  }
  // checked even with safety-backup: false, so a typo does not wait for the day it is used
  const safetyEncryptTo = readEncryptTo('safety-backup-encrypt-to');
  const restoreMode = getEnum('restore-mode', RESTORE_MODES, { default: 'auto' });
  if (restoreMode === 'swap' && target.engine === 'mysql') {
    throw new InputError(
      'restore-mode',
      'swap is not possible on MySQL/MariaDB (no RENAME DATABASE); use auto or in-place.',
    );
  }
  if (restoreMode === 'in-place' && target.engine === 'sqlite') {
    throw new InputError(
      'restore-mode',
      'SQLite is always restored into a new file renamed over the database; use auto or swap.',
    );
  }
  return {
    target,
    source,
    restoreMode,
    ...readKeepReplaced(),
    safetyBackup: getBoolean('safety-backup', { default: true }),
    safetyBackupDir,
    safetyEncryptTo,
    connectTimeoutMs: connection.connectTimeoutMs,
    decryptIdentities: readDecryptIdentity(),
  };
}

export function readSettings(): Settings {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const runnerTemp = process.env.RUNNER_TEMP || tmpdir();
  // secrets are masked before any input error can print anything
  const urlText = getString('database-url');
  registerUrlPassword(urlText);
  getString('registry-password', { secret: true });
  getString('github-token', { secret: true });
  getString('decrypt-identity', { secret: true });

  const targets = readTargets();
  const dryRun = getBoolean('dry-run', { default: false });
  const timeoutMs = getDuration('timeout', { default: '1h' });
  const settings: Settings = { targets, dryRun, workspace, runnerTemp, timeoutMs };
  if (targets.includes('image')) settings.image = readImage();
  const needsDatabase = targets.includes('migrations') || targets.includes('database');
  const connection: ConnectionInputs = needsDatabase
    ? { tls: readTlsInputs(workspace), connectTimeoutMs: readConnectTimeout() }
    : { tls: {}, connectTimeoutMs: 0 };
  if (targets.includes('migrations'))
    settings.migrations = readMigrations(workspace, urlText, connection);
  if (targets.includes('database'))
    settings.database = readDatabase(workspace, runnerTemp, urlText, connection);
  return settings;
}

// ---- from-deployment: rollback facts from the GitHub deployment record (docs/environments.md) ----

/**
 * Runs before readSettings: with from-deployment set, fills the rollback inputs left empty
 * from the deployment record. The GitHub client is loaded only then.
 */
export async function readFromDeployment(): Promise<FromDeployment | undefined> {
  if (getString('from-deployment') === '') return undefined;
  const { fromDeploymentInputs } = await import('../../github/rollback-facts.js');
  return fromDeploymentInputs();
}

/** keep-replaced: true, false, or how long the copies earlier rollbacks kept may stay. */
function readKeepReplaced(): { keepReplaced: boolean; keptMaxAgeMs?: number } {
  const text = getString('keep-replaced', { default: 'true' }).trim();
  if (text === 'true') return { keepReplaced: true };
  if (text === 'false') return { keepReplaced: false };
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new InputError(
      'keep-replaced',
      `${JSON.stringify(text.slice(0, 40))} is not true, false or a duration such as 7d (keep the replaced database, and drop the ones earlier rollbacks kept once older than that).`,
    );
  }
  return { keepReplaced: true, keptMaxAgeMs: ms };
}
