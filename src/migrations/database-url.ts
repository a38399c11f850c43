import { parseDatabaseUrl as parseTarget } from '../db/url.js';

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

export { DATABASE_URL_SCHEMES } from '../db/url.js';

/**
 * Parses `postgres://`, `postgresql://`, `mysql://`, `mariadb://` and `sqlite:` URLs
 * (`sqlite:///abs/app.db` is absolute, `sqlite:data/app.db` relative to `cwd`) with the
 * same parser backup-db uses, so both actions name a database the same way (the backup
 * gate compares those names). Throws an InputError naming `input`.
 */
export function parseDatabaseUrl(
  url: string,
  cwd: string = process.cwd(),
  input = 'database-url',
): DatabaseTarget {
  const t = parseTarget(input, url, cwd);
  if (t.engine === 'sqlite') return { engine: 'sqlite', url, database: t.database, path: t.path };
  return {
    engine: t.engine,
    url,
    database: t.database,
    host: t.host,
    port: t.port,
    user: t.user || undefined,
    password: t.password || undefined,
  };
}

/** How a database is named in messages and the summary (never with its password). */
export function describeTarget(t: DatabaseTarget): string {
  if (t.engine === 'sqlite') return `sqlite file ${t.path}`;
  return `${t.engine} database '${t.database}' on ${t.host}:${t.port}`;
}
