import { statSync } from 'node:fs';
import { isAbsolute, resolve, basename, dirname } from 'node:path';
import { InputError } from '../kit/errors.js';
import { registerUrlPassword, redactUrl } from '../kit/secrets.js';
import type { Engine } from './manifest.js';
import { MYSQL_SSL_MODES, SSL_MODES, SYSTEM_ROOT, type SslMode, type TlsSettings } from './tls.js';

/** A database to connect to, parsed from a `database-url` input. Never printed whole. */
export type DatabaseTarget = ServerTarget | SqliteTarget;

export interface ServerTarget extends TlsSettings {
  engine: 'postgres' | 'mysql';
  host: string;
  port: number;
  /** empty: the tool's default (the OS user for libpq) */
  user: string;
  /** empty when the URL has none */
  password: string;
  database: string;
  /** the URL as given (never printed): what the migration tools get as DATABASE_URL */
  url?: string;
  /** the connect-timeout input, for connections opened far from the settings (migrate) */
  connectTimeoutMs?: number;
}

/** connect-timeout's default, the same in every action. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface SqliteTarget {
  engine: 'sqlite';
  /** absolute path of the database file */
  path: string;
  /** the file's base name, the manifest's `database` */
  database: string;
}

export const DATABASE_URL_SCHEMES = [
  'postgres',
  'postgresql',
  'mysql',
  'mariadb',
  'sqlite',
] as const;

const SCHEME_ENGINE: Record<string, Engine> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
};

const ACCEPTED = 'postgres://, postgresql://, mysql://, mariadb:// or sqlite:<path>';

/** The engine a URL names, from its scheme alone (no validation of the rest). */
export function engineOfUrl(input: string, text: string): Engine {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(text.trim());
  if (!m) {
    throw new InputError(
      input,
      `${JSON.stringify(redactUrl(text))} is not a database URL; expected ${ACCEPTED}.`,
    );
  }
  const engine = SCHEME_ENGINE[m[1].toLowerCase()];
  if (!engine) {
    throw new InputError(input, `scheme '${m[1]}' is not supported; use ${ACCEPTED}.`);
  }
  return engine;
}

/**
 * Parses a database URL. `cwd` resolves relative sqlite paths (`sqlite:data/app.db`).
 * The password is registered as a secret before anything else looks at the text.
 */
export function parseDatabaseUrl(input: string, text: string, cwd: string): DatabaseTarget {
  registerUrlPassword(text);
  const value = text.trim();
  const engine = engineOfUrl(input, value);
  if (engine === 'sqlite') return parseSqlite(input, value, cwd);

  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(
      input,
      `${JSON.stringify(redactUrl(value))} is not a valid URL; expected ${engine === 'postgres' ? 'postgres' : 'mysql'}://user:password@host:port/database.`,
    );
  }
  const defaultPort = engine === 'postgres' ? 5432 : 3306;
  let port = defaultPort;
  if (url.port !== '') {
    port = Number(url.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InputError(input, `port '${url.port}' is not a TCP port (1-65535).`);
    }
  }
  const queryHost = url.searchParams.get('host') ?? '';
  const host = decode(input, url.hostname.replace(/^\[|\]$/g, '')) || queryHost;
  if (host === '')
    throw new InputError(
      input,
      'names no host; expected scheme://user:password@host:port/database.',
    );
  const database = decode(input, url.pathname.replace(/^\//, ''));
  if (database === '') {
    throw new InputError(
      input,
      'names no database; add /<database> after the host, e.g. postgres://user@host:5432/app.',
    );
  }
  if (database.includes('/')) {
    throw new InputError(
      input,
      `database name '${database}' contains '/'; the path must be a single database name.`,
    );
  }
  const target: ServerTarget = {
    engine,
    host,
    port,
    user: decode(input, url.username),
    password: decode(input, url.password),
    database,
    url: value,
  };
  // the TLS settings are checked as a whole once the certificate inputs are merged in
  Object.assign(target, parseTlsParams(input, engine, url.searchParams, cwd));
  return target;
}

/** Query parameters of each engine: libpq's names for PostgreSQL, MySQL's for MySQL/MariaDB. */
const PG_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'host', 'application_name'];
const MYSQL_PARAMS = ['ssl-mode', 'sslmode', 'ssl-ca', 'ssl-cert', 'ssl-key'];

/** The TLS query parameters of a MySQL URL, removed from what the migration tools get. */
export const MYSQL_TLS_PARAMS = MYSQL_PARAMS;

function parseTlsParams(
  input: string,
  engine: 'postgres' | 'mysql',
  params: URLSearchParams,
  cwd: string,
): TlsSettings {
  const known = engine === 'postgres' ? PG_PARAMS : MYSQL_PARAMS;
  for (const key of params.keys()) {
    if (!known.includes(key)) {
      throw new InputError(
        input,
        `query parameter '${key}' is not supported; supported: ${known.join(', ')}.`,
      );
    }
  }
  const tls: TlsSettings = {};
  const libpqMode = params.get('sslmode');
  if (libpqMode !== null) {
    if (!(SSL_MODES as readonly string[]).includes(libpqMode)) {
      throw new InputError(input, `sslmode '${libpqMode}' is not one of: ${SSL_MODES.join(', ')}.`);
    }
    tls.sslmode = libpqMode as SslMode;
  }
  const mysqlMode = params.get('ssl-mode');
  if (mysqlMode !== null) {
    const mode = MYSQL_SSL_MODES[mysqlMode.toUpperCase()];
    if (!mode) {
      throw new InputError(
        input,
        `ssl-mode '${mysqlMode}' is not one of: ${Object.keys(MYSQL_SSL_MODES).join(', ')}.`,
      );
    }
    if (tls.sslmode && tls.sslmode !== mode)
      throw new InputError(input, 'sets both sslmode and ssl-mode, differently; keep one.');
    tls.sslmode = mode;
  }
  const files: Array<['sslrootcert' | 'sslcert' | 'sslkey', string]> =
    engine === 'postgres'
      ? [
          ['sslrootcert', 'sslrootcert'],
          ['sslcert', 'sslcert'],
          ['sslkey', 'sslkey'],
        ]
      : [
          ['sslrootcert', 'ssl-ca'],
          ['sslcert', 'ssl-cert'],
          ['sslkey', 'ssl-key'],
        ];
  for (const [field, name] of files) {
    const v = params.get(name);
    if (v === null || v === '') continue;
    if (field === 'sslrootcert' && v === SYSTEM_ROOT) {
      tls.sslrootcert = SYSTEM_ROOT;
      continue;
    }
    tls[field] = certFile(input, name, v, cwd);
  }
  return tls;
}

/** A certificate or key file named in a URL or an input: it must exist before anything runs. */
export function certFile(input: string, what: string, path: string, cwd: string): string {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  if (!isFile(abs)) throw new InputError(input, `${what} ${abs} does not exist or is not a file.`);
  return abs;
}

function decode(input: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InputError(
      input,
      'contains a malformed %-escape; percent-encode reserved characters as %XX.',
    );
  }
}

const SQLITE_FORMS = 'use sqlite:////absolute/path.db (four slashes) or sqlite:relative/path.db';

/**
 * SQLite URLs. Two conventions meet here: SQLAlchemy and dj-database-url read
 * `sqlite:///x` as the relative path x and `sqlite:////x` as /x, while runbook-actions
 * documented `sqlite:///x` as /x. Every form whose meaning is the same in both is taken
 * as is; `sqlite:///x` is settled by the file system (which of /x and <cwd>/x exists, or
 * failing that whose directory does) and refused when both or neither could be meant,
 * so no tool ever opens or creates a different file than the others.
 */
function parseSqlite(input: string, value: string, cwd: string): SqliteTarget {
  const rest = value.slice(value.indexOf(':') + 1).replace(/\?.*$/, '');
  if (/(^|\/):memory:$/.test(rest))
    throw new InputError(input, 'an in-memory sqlite database cannot be backed up or migrated.');
  let path: string;
  if (rest.startsWith('////')) path = `/${rest.replace(/^\/+/, '')}`;
  else if (rest.startsWith('///')) path = ambiguousSqlite(input, rest.slice(3), cwd);
  else if (rest.startsWith('//')) {
    throw new InputError(input, `sqlite URLs have no host; ${SQLITE_FORMS}.`);
  } else path = isAbsolute(rest) ? rest : resolve(cwd, rest);
  if (rest === '' || rest.endsWith('/')) {
    throw new InputError(input, `names no database file; ${SQLITE_FORMS}.`);
  }
  return { engine: 'sqlite', path, database: basename(path) };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function ambiguousSqlite(input: string, tail: string, cwd: string): string {
  if (tail === '' || tail.endsWith('/'))
    throw new InputError(input, `names no database file; ${SQLITE_FORMS}.`);
  const abs = `/${tail}`;
  const rel = resolve(cwd, tail);
  if (abs === rel) return abs;
  const a = isFile(abs);
  const r = isFile(rel);
  if (a !== r) return a ? abs : rel;
  if (!a) {
    const ad = isDir(dirname(abs));
    const rd = isDir(dirname(rel));
    if (ad !== rd) return ad ? abs : rel;
    // nothing could be opened or created either way: the documented meaning, which then
    // fails as a missing file
    if (!ad) return abs;
  }
  throw new InputError(
    input,
    `sqlite:///${tail} is ambiguous: SQLAlchemy reads it as ${rel} (relative), earlier runbook-actions as ${abs}, and ${a ? 'both files exist' : 'either could be created'}; write sqlite:///${abs} for the absolute path or sqlite:${tail} for the relative one.`,
  );
}

/**
 * DATABASE_URL for a migration tool, in its own convention: SQLite as the absolute
 * `sqlite:////abs/app.db` (SQLAlchemy, dj-database-url) or `file:/abs/app.db` (Prisma), so
 * every tool opens the file runbook-actions opened; server URLs as given, minus the MySQL
 * TLS parameters, which SQLAlchemy's and Django's MySQL drivers do not understand (the TLS
 * settings reach every tool through the environment instead).
 */
export function databaseUrlForTool(t: DatabaseTarget, tool: string): string {
  if (t.engine === 'sqlite') return tool === 'prisma' ? `file:${t.path}` : `sqlite:///${t.path}`;
  const text = t.url ?? serverUrl(t);
  if (t.engine !== 'mysql') return text;
  const q = text.indexOf('?');
  if (q < 0) return text;
  const params = new URLSearchParams(text.slice(q + 1));
  for (const k of MYSQL_TLS_PARAMS) params.delete(k);
  const kept = params.toString();
  return kept === '' ? text.slice(0, q) : `${text.slice(0, q)}?${kept}`;
}

function serverUrl(t: ServerTarget): string {
  const auth = t.user
    ? `${encodeURIComponent(t.user)}${t.password ? `:${encodeURIComponent(t.password)}` : ''}@`
    : '';
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.engine}://${auth}${host}:${t.port}/${encodeURIComponent(t.database)}`;
}

/** Where a server target points, for messages: never the password. */
export function describeTarget(t: DatabaseTarget): string {
  if (t.engine === 'sqlite') return `sqlite file ${t.path}`;
  return `${t.engine} database '${t.database}' at ${t.host}:${t.port}`;
}
