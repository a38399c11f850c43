import { DEFAULT_CONNECT_TIMEOUT_MS, databaseUrlForTool, type DatabaseTarget } from './url.js';
import { effectiveMode, pgTlsEnv, systemBundle, SYSTEM_ROOT } from './tls.js';

/**
 * The environment a migration tool (alembic, django, prisma, a command) gets for the
 * database: DATABASE_URL in the tool's own convention, libpq's variables (psycopg2, psql and
 * Prisma read them, so TLS and the connect-timeout need no code in the project), and the TLS
 * settings once more under engine-neutral names for projects that configure a MySQL driver
 * themselves (PyMySQL and mysqlclient read no environment).
 */
export function databaseEnvForTool(
  t: DatabaseTarget,
  tool: string,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { DATABASE_URL: databaseUrlForTool(t, tool) };
  if (t.engine === 'sqlite') return env;
  const root = t.sslrootcert === SYSTEM_ROOT ? systemBundle() : t.sslrootcert;
  Object.assign(env, {
    DATABASE_SSLMODE: effectiveMode(t),
    DATABASE_SSLROOTCERT: root,
    DATABASE_SSLCERT: t.sslcert,
    DATABASE_SSLKEY: t.sslkey,
  });
  if (t.engine === 'postgres') {
    const seconds = Math.max(
      2,
      Math.ceil((t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000),
    );
    Object.assign(env, pgTlsEnv(t), { PGCONNECT_TIMEOUT: String(seconds) });
  }
  return env;
}
