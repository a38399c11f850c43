import { isAbsolute, resolve, basename } from 'node:path';
import { InputError } from '../kit/errors.js';
import { registerUrlPassword, redactUrl } from '../kit/secrets.js';
import type { Engine } from './manifest.js';

/** A database to connect to, parsed from a `database-url` input. Never printed whole. */
export type DatabaseTarget = ServerTarget | SqliteTarget;

export interface ServerTarget {
  engine: 'postgres' | 'mysql';
  host: string;
  port: number;
  /** empty: the tool's default (the OS user for libpq) */
  user: string;
  /** empty when the URL has none */
  password: string;
  database: string;
  /** libpq sslmode from `?sslmode=` (postgres only) */
  sslmode?: string;
}

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
  for (const key of url.searchParams.keys()) {
    const known = engine === 'postgres' ? ['sslmode', 'host', 'application_name'] : [];
    if (!known.includes(key)) {
      throw new InputError(
        input,
        `query parameter '${key}' is not supported${known.length ? `; supported: ${known.join(', ')}` : ''}.`,
      );
    }
  }
  const target: ServerTarget = {
    engine,
    host,
    port,
    user: decode(input, url.username),
    password: decode(input, url.password),
    database,
  };
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null) {
    const modes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
    if (!modes.includes(sslmode)) {
      throw new InputError(input, `sslmode '${sslmode}' is not one of: ${modes.join(', ')}.`);
    }
    target.sslmode = sslmode;
  }
  return target;
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

function parseSqlite(input: string, value: string, cwd: string): SqliteTarget {
  let rest = value.slice(value.indexOf(':') + 1);
  if (rest.startsWith('///')) {
    // sqlite:///abs/app.db, and SQLAlchemy's sqlite:////abs/app.db, both mean /abs/app.db
    rest = rest.replace(/^\/+/, '/');
  } else if (rest.startsWith('//')) {
    throw new InputError(
      input,
      `sqlite URLs have no host; use sqlite:///absolute/path.db or sqlite:relative/path.db.`,
    );
  }
  rest = rest.replace(/\?.*$/, '');
  if (rest === '' || rest.endsWith('/')) {
    throw new InputError(
      input,
      'names no database file; use sqlite:///absolute/path.db or sqlite:relative/path.db.',
    );
  }
  if (rest === ':memory:')
    throw new InputError(input, 'an in-memory sqlite database cannot be backed up.');
  const path = isAbsolute(rest) ? rest : resolve(cwd, rest);
  return { engine: 'sqlite', path, database: basename(path) };
}

/** Where a server target points, for messages: never the password. */
export function describeTarget(t: DatabaseTarget): string {
  if (t.engine === 'sqlite') return `sqlite file ${t.path}`;
  return `${t.engine} database '${t.database}' at ${t.host}:${t.port}`;
}
