import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../kit/errors.js';
import { getDuration, getString } from '../../kit/inputs.js';
import { registerSecret } from '../../kit/secrets.js';
import { checkTls, type TlsSettings } from '../../db/tls.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  certFile,
  parseDatabaseUrl,
  type DatabaseTarget,
} from '../../db/url.js';

/**
 * The database inputs every action that touches a database shares: `database-url` (and
 * backup-db's `verify-database-url`), `connect-timeout`, and the TLS certificate inputs
 * `ssl-root-cert`, `ssl-cert`, `ssl-key`, each a file path or the PEM text itself (from a
 * secret).
 */

/** The TLS certificate inputs and the field of the target each one fills. */
const CERT_INPUTS = [
  ['ssl-root-cert', 'sslrootcert'],
  ['ssl-cert', 'sslcert'],
  ['ssl-key', 'sslkey'],
] as const;

const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]+?-----END [A-Z0-9 ]+-----/;

let pemDir: string | undefined;

/** A private directory for PEM texts, removed when the process ends. */
function privateDir(): string {
  if (pemDir) return pemDir;
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'runbook-tls-'));
  pemDir = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Masks a PEM text line by line: the runner masks a multi-line value only whole. */
function maskPem(text: string): void {
  registerSecret(text);
  for (const line of text.split(/\r?\n/)) {
    const l = line.trim();
    if (l.length >= 8 && !l.startsWith('-----')) registerSecret(l);
  }
}

/**
 * A certificate input: a path (relative to `cwd`) that must exist, or PEM text, which is
 * masked and written to a 0600 file for the command-line tools (they take paths only).
 */
function readCertInput(name: string, cwd: string): string | undefined {
  const value = getString(name);
  if (value === '') return undefined;
  if (value.includes('-----BEGIN')) {
    maskPem(value);
    if (!PEM.test(value)) {
      throw new InputError(
        name,
        'looks like PEM text but has no complete -----BEGIN ...----- / -----END ...----- block.',
      );
    }
    const path = join(privateDir(), `${name}.pem`);
    writeFileSync(path, `${value.trim()}\n`, { mode: 0o600 });
    return path;
  }
  return certFile(name, 'file', value, cwd);
}

/** The certificate inputs, read once (a PEM text becomes one file however often it is used). */
export function readTlsInputs(cwd: string): TlsSettings {
  const tls: TlsSettings = {};
  for (const [name, field] of CERT_INPUTS) {
    const path = readCertInput(name, cwd);
    if (path !== undefined) tls[field] = path;
  }
  return tls;
}

/** Merges the certificate inputs into a parsed target; a file named twice is an error. */
export function withTlsInputs(
  input: string,
  target: DatabaseTarget,
  tls: TlsSettings,
  connectTimeoutMs: number,
): DatabaseTarget {
  if (target.engine === 'sqlite') {
    const given = CERT_INPUTS.find(([, field]) => tls[field] !== undefined);
    if (given)
      throw new InputError(
        given[0],
        `is for PostgreSQL and MySQL/MariaDB; ${input} is a SQLite file.`,
      );
    return target;
  }
  const merged = { ...target, connectTimeoutMs };
  for (const [name, field] of CERT_INPUTS) {
    if (tls[field] === undefined) continue;
    if (target[field] !== undefined) {
      throw new InputError(
        name,
        `and the ${field} parameter of ${input} are both set; name the file one way only.`,
      );
    }
    merged[field] = tls[field];
  }
  checkTls(input, merged);
  return merged;
}

/** `connect-timeout`, with the same default in every action. */
export function readConnectTimeout(): number {
  return getDuration('connect-timeout', { default: `${DEFAULT_CONNECT_TIMEOUT_MS / 1000}s` });
}

/** Parses a database URL input and applies connect-timeout and the certificate inputs. */
export function readDatabaseTarget(
  input: string,
  urlText: string,
  cwd: string,
  tls: TlsSettings,
  connectTimeoutMs: number,
): DatabaseTarget {
  return withTlsInputs(input, parseDatabaseUrl(input, urlText, cwd), tls, connectTimeoutMs);
}
