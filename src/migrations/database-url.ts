import { isAbsolute, basename, resolve } from 'node:path';
import { registerUrlPassword } from '../kit/secrets.js';

export type DbEngine = 'postgres' | 'mysql' | 'sqlite';

/** A parsed database URL. The password is kept only for drivers, never printed. */
export interface DatabaseTarget {
  engine: DbEngine;
  /** the URL exactly as given (exported to tools as DATABASE_URL) */
  url: string;
  /** database name; for sqlite the file's base name (as in the backup manifest) */
  database: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  /** sqlite: absolute path of the database file */
  path?: string;
}

export const DATABASE_URL_SCHEMES = [
  'postgres',
  'postgresql',
  'mysql',
  'mariadb',
  'sqlite',
] as const;

/**
 * Parses `postgres://`, `postgresql://`, `mysql://`, `mariadb://` and `sqlite:` URLs
 * (`sqlite:///abs/app.db` is absolute, `sqlite:data/app.db` relative to `cwd`).
 * Throws a plain Error describing the problem; the caller names the input.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  registerUrlPassword(url);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme)
    throw new Error('is not a database URL; expected postgres://, mysql://, mariadb:// or sqlite:');
  if (scheme === 'sqlite') {
    let rest = url.slice('sqlite:'.length);
    rest = rest.split('?')[0];
    if (rest.startsWith('//')) rest = rest.slice(2);
    // sqlite:////abs/app.db (SQLAlchemy's absolute form) and sqlite:///abs/app.db both mean /abs/app.db
    while (rest.startsWith('//')) rest = rest.slice(1);
    rest = decodeURIComponent(rest);
    if (rest === '' || rest === '/')
      throw new Error('has no database file path; use sqlite:///abs/app.db or sqlite:data/app.db');
    const path = isAbsolute(rest) ? rest : resolve(cwd, rest);
    return { engine: 'sqlite', url, database: basename(path), path };
  }
  let engine: DbEngine;
  if (scheme === 'postgres' || scheme === 'postgresql') engine = 'postgres';
  else if (scheme === 'mysql' || scheme === 'mariadb') engine = 'mysql';
  else
    throw new Error(
      `scheme '${scheme}' is not supported; use postgres://, postgresql://, mysql://, mariadb:// or sqlite:`,
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      'is not a valid URL; expected e.g. postgres://user:password@host:5432/database',
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new Error(
      'does not name a database; expected e.g. postgres://user:password@host:5432/database',
    );
  }
  const defaultPort = engine === 'postgres' ? 5432 : 3306;
  return {
    engine,
    url,
    database,
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : defaultPort,
    user: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}

/** How a database is named in messages and the summary (never with its password). */
export function describeTarget(t: DatabaseTarget): string {
  if (t.engine === 'sqlite') return `sqlite file ${t.path}`;
  return `${t.engine} database '${t.database}' on ${t.host}:${t.port}`;
}
