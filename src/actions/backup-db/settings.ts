import { existsSync, statSync } from 'node:fs';
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../../kit/errors.js';
import {
  getDuration,
  getEnum,
  getInteger,
  getList,
  getRequired,
  getSize,
  getString,
} from '../../kit/inputs.js';
import { registerUrlPassword } from '../../kit/secrets.js';
import type { BackupOptions, VerifyLevel } from '../../db/backup.js';
import { COMPRESSION_LEVELS } from '../../db/compression.js';
import type { BackupFormat, Compression, Engine } from '../../db/manifest.js';
import { MYSQL_RESERVED } from '../../db/mysql-argv.js';
import { reservedExtraArg } from '../../db/postgres-argv.js';
import type { DatabaseTarget } from '../../db/url.js';
import {
  readConnectTimeout,
  readDatabaseTarget,
  readTlsInputs,
} from '../shared/database-settings.js';
import { cacheKeyProblem } from '../../storage/cache.js';
import { readDecryptIdentity, readEncryptTo } from '../shared/encryption-settings.js';

export type Upload = 'artifact' | 'cache' | 'none';

/** Every input of backup-db, read and checked once, before anything touches a database or disk. */
export interface Settings {
  backup: BackupOptions;
  upload: Upload;
  /** how `upload: auto` was decided, for the summary */
  uploadReason: string;
  retentionDays: number | undefined;
  /** undefined: `runbook-db-backup-<name>` */
  cacheKey: string | undefined;
}

const FORMATS = ['auto', 'plain', 'custom', 'directory'] as const;
const COMPRESSIONS = ['auto', 'gzip', 'zstd', 'none'] as const;
const VERIFY = ['list', 'checksum', 'restore'] as const;
const UPLOADS = ['auto', 'artifact', 'cache', 'none'] as const;

/** The format a request resolves to on an engine, or the reason it cannot. */
export function resolveFormat(engine: Engine, format: (typeof FORMATS)[number]): BackupFormat {
  if (engine === 'postgres') return format === 'auto' ? 'custom' : format;
  if (engine === 'mysql') {
    if (format === 'auto' || format === 'plain') return 'plain';
    throw new InputError(
      'format',
      `'${format}' is for PostgreSQL only; MySQL/MariaDB backups are plain SQL (use auto or plain).`,
    );
  }
  if (format === 'auto') return 'sqlite';
  if (format === 'plain') return 'plain';
  throw new InputError(
    'format',
    `'${format}' is for PostgreSQL only; SQLite backups are a binary snapshot (auto) or SQL (plain).`,
  );
}

function workspace(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd();
}

/** output-dir must be a directory, or creatable: its nearest existing ancestor a directory. */
function checkOutputDir(dir: string): void {
  let p = dir;
  for (;;) {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      isDir = undefined;
    }
    if (isDir === true) return;
    if (isDir === false) {
      throw new InputError(
        'output-dir',
        p === dir
          ? `${dir} is a file, not a directory.`
          : `${dir} cannot be created: ${p} is a file, not a directory.`,
      );
    }
    const parent = dirname(p);
    if (parent === p) return;
    p = parent;
  }
}

function sameDatabase(a: DatabaseTarget, b: DatabaseTarget): boolean {
  if (a.engine === 'sqlite' || b.engine === 'sqlite') {
    return a.engine === 'sqlite' && b.engine === 'sqlite' && a.path === b.path;
  }
  const local = (h: string): string =>
    ['localhost', '127.0.0.1', '::1'].includes(h) ? 'loopback' : h;
  return local(a.host) === local(b.host) && a.port === b.port && a.database === b.database;
}

export function readSettings(): Settings {
  const cwd = workspace();
  const urlText = getRequired('database-url');
  registerUrlPassword(urlText);
  const verifyUrlText = getString('verify-database-url');
  registerUrlPassword(verifyUrlText);
  // masked before any other input can fail and print
  const decryptIdentities = readDecryptIdentity();
  const connectTimeoutMs = readConnectTimeout();
  const tls = readTlsInputs(cwd);
  const target = readDatabaseTarget('database-url', urlText, cwd, tls, connectTimeoutMs);
  const engine = target.engine;

  const format = resolveFormat(engine, getEnum('format', FORMATS, { default: 'auto' }));
  const encryptTo = readEncryptTo();
  if (encryptTo.length > 0 && format === 'directory') {
    throw new InputError(
      'encrypt-to',
      'cannot encrypt format: directory (a directory of files; age encrypts one stream); use format custom (or auto) or plain.',
    );
  }
  const requested = getEnum('compression', COMPRESSIONS, { default: 'auto' });
  const compression: Compression = requested === 'auto' ? 'gzip' : requested;
  const levelText = getString('compression-level');
  let level: number | undefined;
  if (compression === 'none') {
    if (levelText !== '')
      throw new InputError(
        'compression-level',
        `is set but compression is none; leave it empty or choose gzip or zstd.`,
      );
  } else {
    const range = COMPRESSION_LEVELS[compression];
    level = getInteger('compression-level', {
      min: range.min,
      max: range.max,
      default: range.default,
    });
  }
  const jobs = getInteger('jobs', { min: 1, max: 64 });
  if (jobs !== undefined && format !== 'directory') {
    throw new InputError(
      'jobs',
      `applies only to format: directory (PostgreSQL parallel dump); the format here is ${format}.`,
    );
  }

  const extraArgs = getList('extra-args', { newlineOnly: true });
  if (extraArgs.length > 0) {
    if (engine === 'sqlite')
      throw new InputError('extra-args', 'is not supported for SQLite backups.');
    const reserved =
      engine === 'postgres'
        ? reservedExtraArg(extraArgs)
        : reservedExtraArg(extraArgs, MYSQL_RESERVED);
    if (reserved)
      throw new InputError(
        'extra-args',
        `'${reserved}' is set by backup-db itself (from database-url, format, compression or jobs); remove it.`,
      );
  }

  const outputInput = getString('output-dir');
  const outputDir =
    outputInput === ''
      ? join(process.env.RUNNER_TEMP || tmpdir(), 'db-backups')
      : isAbsolute(outputInput)
        ? outputInput
        : resolve(cwd, outputInput);
  checkOutputDir(outputDir);

  const nameInput = getString('name');
  if (nameInput !== '' && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(nameInput)) {
    throw new InputError(
      'name',
      `${JSON.stringify(nameInput)} may hold only letters, digits, '.', '_' and '-' (up to 200, starting with a letter or digit).`,
    );
  }

  const verify: VerifyLevel = getEnum('verify', VERIFY, { default: 'list' });
  if (encryptTo.length > 0 && !decryptIdentities && verify === 'restore') {
    throw new InputError(
      'decrypt-identity',
      'is required for verify: restore of an encrypted backup (encrypt-to is set): the restore reads the plaintext. Set it, or use verify: checksum or list (which check the age header and the sha256 without the key).',
    );
  }
  if (decryptIdentities && encryptTo.length === 0) {
    core.warning(
      'decrypt-identity is used only with encrypt-to (the backup is not encrypted); it is ignored.',
    );
  }
  let verifyTarget: DatabaseTarget | undefined;
  if (verifyUrlText !== '') {
    // the certificate inputs apply to the scratch server too (usually the same server)
    verifyTarget = readDatabaseTarget(
      'verify-database-url',
      verifyUrlText,
      cwd,
      tls,
      connectTimeoutMs,
    );
    if (verifyTarget.engine !== engine) {
      throw new InputError(
        'verify-database-url',
        `is a ${verifyTarget.engine} URL but database-url is ${engine}; the scratch must be the same engine.`,
      );
    }
    if (sameDatabase(target, verifyTarget)) {
      throw new InputError(
        'verify-database-url',
        'names the database being backed up; it must name a scratch database that does not exist yet.',
      );
    }
    if (verifyTarget.engine === 'sqlite') {
      if (existsSync(verifyTarget.path))
        throw new InputError(
          'verify-database-url',
          `${verifyTarget.path} already exists; name a file that does not exist (backup-db creates and deletes it).`,
        );
    }
  }

  if (verifyTarget && verify !== 'restore') {
    core.warning(
      `verify-database-url is used only with verify: restore (verify is ${verify}); it is ignored.`,
    );
  }

  const minSizeBytes = getSize('min-size', { default: '1' });
  const timeoutMs = getDuration('timeout', { default: '6h' });

  const uploadInput = getEnum('upload', UPLOADS, { default: 'auto' });
  const inActions =
    process.env.GITHUB_ACTIONS === 'true' &&
    !!process.env.ACTIONS_RUNTIME_TOKEN &&
    !!process.env.ACTIONS_RESULTS_URL;
  let upload: Upload;
  let uploadReason: string;
  if (uploadInput === 'auto') {
    upload = inActions ? 'artifact' : 'none';
    uploadReason = inActions ? 'auto: inside GitHub Actions' : 'auto: not inside GitHub Actions';
  } else {
    upload = uploadInput;
    uploadReason = uploadInput;
    if (upload !== 'none' && !inActions) {
      throw new InputError(
        'upload',
        `'${upload}' needs the GitHub Actions runtime (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set); use none outside Actions.`,
      );
    }
  }
  const retentionDays = getInteger('retention-days', { min: 1, max: 90 });
  const cacheKeyInput = getString('cache-key');
  if (cacheKeyInput !== '') {
    const problem = cacheKeyProblem(cacheKeyInput);
    if (problem) throw new InputError('cache-key', problem);
  }

  return {
    backup: {
      target,
      input: 'database-url',
      plan: {
        format,
        compression,
        compressedBy: format === 'custom' || format === 'directory' ? 'tool' : 'stream',
        level,
        jobs,
        extraArgs,
        connectTimeoutMs,
        timeoutMs,
        encryptTo,
      },
      outputDir,
      name: nameInput === '' ? undefined : nameInput,
      verify,
      verifyTarget,
      decryptIdentities: encryptTo.length > 0 ? decryptIdentities : undefined,
      minSizeBytes,
      gitSha: process.env.GITHUB_SHA || null,
      runId: process.env.GITHUB_RUN_ID || null,
    },
    upload,
    uploadReason,
    retentionDays,
    cacheKey: cacheKeyInput === '' ? undefined : cacheKeyInput,
  };
}
