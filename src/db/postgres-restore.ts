import { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import { execArgv } from '../kit/exec.js';
import { openDecompressed, toolReadsStdin, type StoredAs } from './compression.js';
import type { BackupFormat } from './manifest.js';
import {
  pgConnectionEnv,
  pgRestoreArgv,
  pgRestoreScriptArgv,
  psqlRestoreArgv,
} from './postgres-argv.js';
import { RoleScanner, roleFilter, type RoleRefs } from './postgres-roles.js';
import type { ServerTarget } from './url.js';

/**
 * The one restore of a PostgreSQL backup into a database, used by backup-db's restore check
 * (into a scratch database) and by rollback (into the database that replaces the live one,
 * or in place): what `verify: restore` proves is what rollback does. Owners and grants are
 * restored; statements naming roles the server lacks (or that the restoring user cannot act
 * as) are left out, and those roles are reported.
 */

type Client = pg.Client;

export interface PgArchive {
  /** the backup file or directory */
  path: string;
  format: BackupFormat;
  /** compression and encryption around the archive's bytes */
  stored: StoredAs;
  /** parallel pg_restore workers (directory/custom from a file, not in one transaction) */
  jobs?: number;
}

/**
 * How the restore tool reads the backup: the path itself (pg_restore reads custom and
 * directory archives, compressed inside by pg_dump, directly and can seek) or a stream of the
 * decompressed bytes. This is the only place that decides; every read goes through
 * openDecompressed(). A plain dump is always a stream (psql reads stdin).
 */
export function pgArchiveInput(
  a: PgArchive,
): { kind: 'path'; path: string } | { kind: 'stream'; open: () => Readable } {
  const streamed = a.format === 'plain' || toolReadsStdin(a.stored);
  if (!streamed) return { kind: 'path', path: a.path };
  return { kind: 'stream', open: () => openDecompressed(a.path, a.stored) };
}

/** Roles named by the backup's owner and grant statements. */
export async function scanArchiveRoles(
  binDir: string | undefined,
  a: PgArchive,
  timeoutMs: number,
): Promise<RoleRefs> {
  const scanner = new RoleScanner();
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      scanner.push(chunk);
      cb();
    },
  });
  const input = pgArchiveInput(a);
  if (a.format === 'plain') {
    if (input.kind !== 'stream') throw new Error('plain dumps are read as streams');
    for await (const chunk of input.open()) scanner.push(chunk as Buffer);
    return scanner.end();
  }
  await execArgv(
    pgRestoreScriptArgv(binDir, input.kind === 'path' ? input.path : undefined, {
      schemaOnly: true,
    }),
    {
      stdin: input.kind === 'stream' ? input.open() : undefined,
      stdout: sink,
      timeoutMs,
      label: 'pg_restore --schema-only (roles)',
    },
  );
  return scanner.end();
}

export interface SkippedRoles {
  /** roles named by the backup that do not exist on the server */
  missing: string[];
  /** existing roles that own objects in the backup but the restoring user cannot act as */
  notMember: string[];
}

/** Which of the backup's roles the restore must leave out, and why. */
export async function rolesToSkip(client: Client, refs: RoleRefs): Promise<SkippedRoles> {
  const all = [...new Set([...refs.owners, ...refs.grantees])];
  if (all.length === 0) return { missing: [], notMember: [] };
  const r = await client.query<{ rolname: string; usable: boolean }>(
    `SELECT r.rolname,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
              OR pg_has_role(current_user, r.oid, 'MEMBER') AS usable
     FROM pg_roles r WHERE r.rolname = ANY($1::text[])`,
    [all],
  );
  const found = new Map(r.rows.map((x) => [x.rolname, x.usable]));
  return {
    missing: all.filter((x) => !found.has(x)).sort(),
    notMember: [...refs.owners].filter((x) => found.get(x) === false).sort(),
  };
}

/** The warning for skipped roles, or undefined when none was skipped. */
export function skippedRolesWarning(s: SkippedRoles, user: string): string | undefined {
  const parts: string[] = [];
  if (s.missing.length > 0)
    parts.push(`roles missing on the target server: ${s.missing.join(', ')}`);
  if (s.notMember.length > 0)
    parts.push(`roles '${user}' is not a member of: ${s.notMember.join(', ')}`);
  if (parts.length === 0) return undefined;
  return `restored without the owners and grants of ${parts.join('; ')} — objects they owned now belong to '${user}' and their privileges were not granted (create the roles and restore again to keep them).`;
}

export interface PgRestoreOptions {
  /** a connection to the same server, for the role check */
  client: Client;
  server: ServerTarget;
  database: string;
  archive: PgArchive;
  binDir: string | undefined;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** all or nothing: needed when restoring over a live database */
  singleTransaction: boolean;
  /** SQL run first, in the same transaction (the in-place clean-up) */
  preamble?: string;
  /** application_name of the restore sessions (lets a cancellation find and stop them) */
  appName: string;
  label: string;
}

export interface PgRestoreDone {
  method: string;
  skipped: SkippedRoles;
}

/**
 * Restores the archive into `database`. pg_restore writes straight into the database when
 * nothing must be left out; otherwise its SQL script (or the plain dump) goes through the
 * role filter into psql. The script's end is held back until its producer succeeded, so a
 * failed read never lets psql commit a partial restore.
 */
export async function restorePgArchive(o: PgRestoreOptions): Promise<PgRestoreDone> {
  const refs = await scanArchiveRoles(o.binDir, o.archive, o.timeoutMs);
  const skipped = await rolesToSkip(o.client, refs);
  const skip = new Set([...skipped.missing, ...skipped.notMember]);
  const env = {
    ...pgConnectionEnv(o.server, o.database, o.connectTimeoutMs),
    PGAPPNAME: o.appName,
  };
  const input = pgArchiveInput(o.archive);
  const archiveFormat = o.archive.format !== 'plain';

  if (archiveFormat && skip.size === 0 && o.preamble === undefined) {
    const path = input.kind === 'path' ? input.path : undefined;
    await execArgv(
      pgRestoreArgv(o.binDir, o.database, path, {
        jobs: o.singleTransaction ? undefined : o.archive.jobs,
        singleTransaction: o.singleTransaction,
      }),
      {
        env,
        stdin: input.kind === 'stream' ? input.open() : undefined,
        stdout: 'ignore',
        timeoutMs: o.timeoutMs,
        label: `pg_restore (${o.label})`,
      },
    );
    return { method: 'pg_restore', skipped };
  }

  const filter = roleFilter(skip);
  let produced: Promise<unknown>;
  if (archiveFormat) {
    produced = execArgv(
      pgRestoreScriptArgv(o.binDir, input.kind === 'path' ? input.path : undefined, {
        schemaOnly: false,
      }),
      {
        stdin: input.kind === 'stream' ? input.open() : undefined,
        stdout: filter,
        timeoutMs: o.timeoutMs,
        label: `pg_restore (${o.label})`,
      },
    );
  } else {
    if (input.kind !== 'stream') throw new Error('plain dumps are read as streams');
    const source = input.open();
    produced = new Promise<void>((resolve, reject) => {
      source.once('error', reject);
      filter.once('finish', resolve);
      source.pipe(filter);
    });
  }
  produced.catch(() => filter.destroy());
  const preamble = o.preamble;
  const script = Readable.from(
    (async function* () {
      if (preamble !== undefined) yield Buffer.from(preamble);
      for await (const chunk of filter) yield chunk as Buffer;
      // psql commits at the end of its input: only once the whole script was read
      await produced;
    })(),
  );
  const argv = psqlRestoreArgv(o.binDir, o.database);
  if (!o.singleTransaction) argv.splice(argv.indexOf('--single-transaction'), 1);
  const consumed = execArgv(argv, {
    env,
    stdin: script,
    stdout: 'ignore',
    timeoutMs: o.timeoutMs,
    label: `psql (${o.label})`,
  });
  consumed.catch(() => filter.destroy());
  // the side that failed first is the cause: the other only fails because its pipe was torn
  // down (psql losing its connection leaves pg_restore with a bare "Premature close")
  let cause: { reason: unknown } | undefined;
  const first = (reason: unknown): void => {
    cause ??= { reason };
  };
  produced.catch(first);
  consumed.catch(first);
  // both settle before returning: psql must be gone before the caller drops or swaps anything
  await Promise.allSettled([produced, consumed]);
  if (cause) throw cause.reason;
  return {
    method: archiveFormat ? 'pg_restore | psql (owners/grants of skipped roles left out)' : 'psql',
    skipped,
  };
}
