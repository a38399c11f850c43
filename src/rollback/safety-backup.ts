import { runBackup, compactTimestamp, type BackupResult } from '../db/backup.js';
import type { DumpPlan } from '../db/engine.js';
import { recipientFingerprint } from '../db/encryption.js';
import type { DatabaseTarget } from '../db/url.js';

/**
 * The backup taken just before the restore, so the rollback itself can be undone: the
 * same backup backup-db takes with its defaults (postgres custom, mysql plain SQL, sqlite
 * snapshot; gzip), structurally checked, with its manifest beside it.
 */
export function safetyDumpPlan(
  engine: DatabaseTarget['engine'],
  connectTimeoutMs: number,
  timeoutMs: number,
  encryptTo: string[] = [],
): DumpPlan {
  const format = engine === 'postgres' ? 'custom' : engine === 'mysql' ? 'plain' : 'sqlite';
  return {
    format,
    compression: 'gzip',
    compressedBy: format === 'custom' ? 'tool' : 'stream',
    level: 6,
    jobs: undefined,
    extraArgs: [],
    connectTimeoutMs,
    timeoutMs,
    ...(encryptTo.length > 0 ? { encryptTo } : {}),
  };
}

/**
 * Who the safety backup is encrypted to (actions/rollback/README.md, "The safety backup"):
 * the safety-backup-encrypt-to recipients, else the recipients of decrypt-identity (so whoever
 * can restore the release backup can restore the safety backup), else nobody (unencrypted).
 */
export interface SafetyEncryption {
  /** age1… public keys; empty: the safety backup is not encrypted */
  recipients: string[];
  /** the input the recipients come from */
  from: 'safety-backup-encrypt-to' | 'decrypt-identity' | undefined;
  /**
   * the identities among decrypt-identity that open the safety backup: its structural check
   * then reads the plaintext; without one it checks the age header only (as backup-db does)
   */
  verifyWith: string[] | undefined;
}

/** The public key of each identity, derived by the age library (no secret leaves this function). */
async function recipientsOf(identities: string[]): Promise<string[]> {
  // loaded only here: an unencrypted rollback never loads the age library
  const { identityToRecipient } = await import('age-encryption');
  const out: string[] = [];
  for (const id of identities) out.push(await identityToRecipient(id));
  return out;
}

export async function safetyEncryption(
  encryptTo: string[],
  identities: string[] | undefined,
): Promise<SafetyEncryption> {
  const own = identities ? await recipientsOf(identities) : [];
  if (encryptTo.length > 0) {
    const wanted = new Set(encryptTo);
    const opening = (identities ?? []).filter((_, i) => wanted.has(own[i]));
    return {
      recipients: encryptTo,
      from: 'safety-backup-encrypt-to',
      verifyWith: opening.length > 0 ? opening : undefined,
    };
  }
  if (identities && identities.length > 0) {
    return { recipients: [...new Set(own)], from: 'decrypt-identity', verifyWith: identities };
  }
  return { recipients: [], from: undefined, verifyWith: undefined };
}

/** `age-encrypted to 1 recipient(s) from decrypt-identity: 3f2a…`: fingerprints only, never keys. */
export function describeSafetyEncryption(e: SafetyEncryption): string {
  if (e.recipients.length === 0) return 'unencrypted';
  return `age-encrypted to ${e.recipients.length} recipient(s) from ${e.from}: ${e.recipients.map(recipientFingerprint).join(', ')}`;
}

/** The one warning of a rollback whose safety backup lies on the runner in the clear. */
export function unencryptedSafetyWarning(path: string): string {
  return `the safety backup ${path} is not encrypted: anyone who can read this runner's disk can read the database's data in it. Set safety-backup-encrypt-to (age recipients) or decrypt-identity to encrypt it to age, or safety-backup: false to take none.`;
}

/** `<database>-pre-rollback-<yyyymmddThhmmssZ>`, the database reduced to safe characters. */
export function safetyBackupName(database: string, now: Date): string {
  const base = database.replace(/\.(sqlite3?|db3?)$/i, '');
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '') || 'database';
  return `${safe}-pre-rollback-${compactTimestamp(now)}`;
}

export async function takeSafetyBackup(opts: {
  target: DatabaseTarget;
  outputDir: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  gitSha: string | null;
  runId: string | null;
  /** undefined or no recipients: unencrypted */
  encryption?: SafetyEncryption;
  now?: Date;
}): Promise<BackupResult> {
  const now = opts.now ?? new Date();
  const recipients = opts.encryption?.recipients ?? [];
  return runBackup({
    target: opts.target,
    input: 'database-url',
    // backup-db's own encryption path: age as the last stage, manifest records the recipients
    plan: safetyDumpPlan(opts.target.engine, opts.connectTimeoutMs, opts.timeoutMs, recipients),
    outputDir: opts.outputDir,
    name: safetyBackupName(opts.target.database, now),
    verify: 'list',
    verifyTarget: undefined,
    decryptIdentities: recipients.length > 0 ? opts.encryption?.verifyWith : undefined,
    minSizeBytes: 1,
    gitSha: opts.gitSha,
    runId: opts.runId,
    now,
    // rollback's own cancellation lets the safety backup finish, then stops before the restore
    exitOnSignal: false,
  });
}
