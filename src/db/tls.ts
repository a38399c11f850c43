import { existsSync, readFileSync } from 'node:fs';
import type { ConnectionOptions, PeerCertificate } from 'node:tls';
import { InputError } from '../kit/errors.js';

/**
 * TLS of a database connection, with libpq's `sslmode` meaning for every engine and every
 * client (the pg and mysql2 drivers, psql/pg_dump/pg_restore, mariadb/mariadb-dump):
 *
 * | mode          | encrypted               | server certificate checked           |
 * |---------------|-------------------------|--------------------------------------|
 * | `disable`     | never                   | —                                    |
 * | `allow`       | only if the server insists (plain first, then TLS) | no        |
 * | `prefer`      | if the server can (TLS first, then plain) | no                 |
 * | `require`     | always                  | no; with a root certificate: the chain (as verify-ca) |
 * | `verify-ca`   | always                  | chain up to the root certificate     |
 * | `verify-full` | always                  | chain, and the host name in the certificate |
 *
 * See docs in actions/backup-db/README.md ("TLS").
 */
export const SSL_MODES = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** MySQL's `ssl-mode` names and the libpq mode each one means here. */
export const MYSQL_SSL_MODES: Record<string, SslMode> = {
  DISABLED: 'disable',
  PREFERRED: 'prefer',
  REQUIRED: 'require',
  VERIFY_CA: 'verify-ca',
  VERIFY_IDENTITY: 'verify-full',
};

/** `sslrootcert=system`: the operating system's CA store (public CAs), as in libpq 16. */
export const SYSTEM_ROOT = 'system';

const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
];

/** The TLS part of a server target: the mode and certificate files (absolute paths). */
export interface TlsSettings {
  sslmode?: SslMode;
  /** the CA that signed the server's certificate; `system` for the OS store */
  sslrootcert?: string;
  /** client certificate and its key, for servers that authenticate clients by certificate */
  sslcert?: string;
  sslkey?: string;
}

/** The mode in force: the one given, else libpq's default `prefer`. */
export function effectiveMode(t: TlsSettings): SslMode {
  const mode = t.sslmode ?? 'prefer';
  // libpq: "if a root CA file exists, the behavior of sslmode=require will be the same as verify-ca"
  if (mode === 'require' && t.sslrootcert) return 'verify-ca';
  return mode;
}

export function isVerifying(mode: SslMode): boolean {
  return mode === 'verify-ca' || mode === 'verify-full';
}

/** Checks what a mode needs (a root certificate to verify against), naming `input`. */
export function checkTls(input: string, t: TlsSettings): void {
  const mode = effectiveMode(t);
  if (isVerifying(mode) && !t.sslrootcert) {
    throw new InputError(
      input,
      `sslmode ${mode} needs the CA certificate to verify the server against: set ssl-root-cert (a path or the PEM text) or ?sslrootcert= in the URL (sslrootcert=system for the public CAs).`,
    );
  }
  if (!!t.sslcert !== !!t.sslkey) {
    throw new InputError(
      input,
      'a client certificate needs its key and the key its certificate: set both ssl-cert and ssl-key (or neither).',
    );
  }
  if (mode === 'disable' && (t.sslrootcert || t.sslcert)) {
    throw new InputError(
      input,
      'sslmode is disable but TLS certificates are set; remove them or choose another sslmode.',
    );
  }
}

/** The OS CA bundle for tools that do not know `system` (libpq before 16, MariaDB). */
export function systemBundle(): string | undefined {
  return SYSTEM_BUNDLES.find((p) => existsSync(p));
}

function rootFile(t: TlsSettings): string | undefined {
  if (!t.sslrootcert) return undefined;
  return t.sslrootcert === SYSTEM_ROOT ? systemBundle() : t.sslrootcert;
}

function read(path: string | undefined): Buffer | undefined {
  return path === undefined ? undefined : readFileSync(path);
}

/**
 * Node TLS options for one attempt. `tls: false` is a plain attempt (disable, and the plain
 * half of allow/prefer).
 */
export function nodeTlsOptions(t: TlsSettings): ConnectionOptions {
  const mode = effectiveMode(t);
  const verify = isVerifying(mode);
  const opts: ConnectionOptions = { rejectUnauthorized: verify };
  // `system`: Node's own CA list, which is what it uses when `ca` is not set
  if (verify && t.sslrootcert && t.sslrootcert !== SYSTEM_ROOT) opts.ca = read(t.sslrootcert);
  if (t.sslcert) opts.cert = read(t.sslcert);
  if (t.sslkey) opts.key = read(t.sslkey);
  // verify-ca checks the chain only; verify-full leaves Node's host name check in place
  if (mode === 'verify-ca') opts.checkServerIdentity = () => undefined;
  return opts;
}

/** The order of attempts a mode makes: true = TLS, false = plain. */
export function attempts(t: TlsSettings): boolean[] {
  const mode = effectiveMode(t);
  if (mode === 'disable') return [false];
  if (mode === 'allow') return [false, true];
  if (mode === 'prefer') return [true, false];
  return [true];
}

/** libpq's environment for the PostgreSQL command-line tools. */
export function pgTlsEnv(t: TlsSettings): Record<string, string | undefined> {
  const mode = effectiveMode(t);
  return {
    PGSSLMODE: mode,
    PGSSLROOTCERT: rootFile(t),
    PGSSLCERT: t.sslcert,
    PGSSLKEY: t.sslkey,
    // a runner's own settings must not change what the URL and inputs said
    PGSSLCRL: undefined,
    PGSSLNEGOTIATION: undefined,
  };
}

/** Which option dialect a MySQL-family command-line tool speaks. */
export type MysqlToolFlavor = 'mariadb' | 'mysql';

/**
 * TLS options for mariadb/mariadb-dump (MariaDB Connector/C) or mysql/mysqldump 8 (Oracle).
 * Paths only: a certificate's content never goes into argv.
 *
 * MariaDB's client has no "require without verification": `--ssl` uses TLS when the server
 * offers it. For `require` the driver's own connection, made first, has already refused a
 * server without TLS.
 */
export function mysqlTlsArgs(t: TlsSettings, flavor: MysqlToolFlavor): string[] {
  const mode = effectiveMode(t);
  const files: string[] = [];
  const root = rootFile(t);
  if (isVerifying(mode) && root) files.push(`--ssl-ca=${root}`);
  if (t.sslcert) files.push(`--ssl-cert=${t.sslcert}`);
  if (t.sslkey) files.push(`--ssl-key=${t.sslkey}`);
  if (flavor === 'mysql') {
    const names: Record<SslMode, string> = {
      disable: 'DISABLED',
      allow: 'PREFERRED',
      prefer: 'PREFERRED',
      require: 'REQUIRED',
      'verify-ca': 'VERIFY_CA',
      'verify-full': 'VERIFY_IDENTITY',
    };
    return [`--ssl-mode=${names[mode]}`, ...files];
  }
  if (mode === 'disable') return ['--skip-ssl'];
  return [
    '--ssl',
    ...files,
    mode === 'verify-full' ? '--ssl-verify-server-cert' : '--skip-ssl-verify-server-cert',
  ];
}

/** mysql2's `ssl` option for a TLS attempt (its own subset of Node's TLS options). */
export function mysqlDriverSsl(t: TlsSettings): {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  verifyIdentity: boolean;
} {
  const o = nodeTlsOptions(t);
  // the host name is checked by connectMysql itself (mysql2 skips it for IP addresses)
  return {
    ca: o.ca as Buffer | undefined,
    cert: o.cert as Buffer | undefined,
    key: o.key as Buffer | undefined,
    rejectUnauthorized: o.rejectUnauthorized ?? false,
    verifyIdentity: false,
  };
}

/** Node's certificate error codes, in words a person fixing the setup recognises. */
const CERT_PROBLEMS: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN:
    'self-signed certificate in the chain: its CA is not the one in sslrootcert',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'unable to verify the first certificate: it is not signed by the CA in sslrootcert',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate is not signed by sslrootcert',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of the server certificate is unknown',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  CERT_NOT_YET_VALID: 'the server certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'host name mismatch',
  CERT_SIGNATURE_FAILURE: 'the server certificate signature is invalid',
};

/** Node's certificate messages (mysql2 replaces the code with its own), same words. */
const CERT_MESSAGES: Array<[RegExp, string]> = [
  [/self[- ]signed certificate in certificate chain/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/self[- ]signed certificate/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/unable to verify the first certificate/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/unable to get local issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/certificate has expired/i, 'CERT_HAS_EXPIRED'],
  [/does not match certificate's altnames/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
];

/** A TLS failure of a connection attempt in words, or undefined when err is not about TLS. */
export function tlsProblem(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string; reason?: string };
  const msg = e.message ?? '';
  let code = e.code ?? '';
  if (!CERT_PROBLEMS[code]) code = CERT_MESSAGES.find(([re]) => re.test(msg))?.[1] ?? code;
  if (CERT_PROBLEMS[code]) {
    const detail = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `: ${e.reason ?? msg}` : '';
    return `server certificate verify failed: ${CERT_PROBLEMS[code]}${detail}`;
  }
  if (/does not support (SSL|secure connection)/i.test(msg))
    return 'the server does not support TLS';
  if (
    /^ERR_SSL_|^ERR_TLS_|^HANDSHAKE_SSL_ERROR$/.test(code) ||
    /SSL routines|tlsv1 alert/i.test(msg)
  )
    return `TLS handshake failed: ${msg}`;
  return undefined;
}

/** What was asked for, for error messages: `sslmode=verify-full, sslrootcert=/path`. */
export function describeTls(t: TlsSettings): string {
  const parts = [`sslmode=${effectiveMode(t)}`];
  if (t.sslrootcert) parts.push(`sslrootcert=${t.sslrootcert}`);
  if (t.sslcert) parts.push(`sslcert=${t.sslcert}`);
  return parts.join(', ');
}

/** Host name check against a peer certificate; returns the problem or undefined. */
export function hostProblem(
  checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined,
  host: string,
  cert: PeerCertificate,
): string | undefined {
  const err = checkServerIdentity(host, cert);
  return err ? `server certificate verify failed: host name mismatch: ${err.message}` : undefined;
}
