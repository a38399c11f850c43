import { describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/services/common.js';
import { parseDatabaseUrl, databaseUrlForTool, type ServerTarget } from '../../src/db/url.js';
import {
  attempts,
  checkTls,
  effectiveMode,
  mysqlTlsArgs,
  nodeTlsOptions,
  pgTlsEnv,
  tlsProblem,
} from '../../src/db/tls.js';
import { pgConnectionEnv } from '../../src/db/postgres-argv.js';
import { mysqlClientArgv, mysqlDumpArgv } from '../../src/db/mysql-argv.js';
import { databaseEnvForTool } from '../../src/db/tool-env.js';

const ws = tempDir('tls-unit');
const ca = join(ws, 'ca.crt');
const cert = join(ws, 'client.crt');
const key = join(ws, 'client.key');
for (const f of [ca, cert, key]) writeFileSync(f, 'not read by these tests\n');

const parse = (url: string, cwd = ws): ReturnType<typeof parseDatabaseUrl> =>
  parseDatabaseUrl('database-url', url, cwd);

function server(url: string): ServerTarget {
  const t = parse(url);
  if (t.engine === 'sqlite') throw new Error('not a server URL');
  return t;
}

describe('sslmode in URLs', () => {
  test('postgres: libpq parameter names; relative certificate paths from the working directory', () => {
    const t = server('postgres://u:p@db:5432/app?sslmode=verify-full&sslrootcert=ca.crt');
    expect(t).toMatchObject({ sslmode: 'verify-full', sslrootcert: ca });
    const c = server(`postgres://u@db/app?sslmode=require&sslcert=${cert}&sslkey=${key}`);
    expect(c).toMatchObject({ sslmode: 'require', sslcert: cert, sslkey: key });
  });
  test("mysql: MySQL's ssl-mode names (any case) map to libpq's modes", () => {
    expect(server('mysql://u@db/app?ssl-mode=REQUIRED').sslmode).toBe('require');
    expect(server('mariadb://u@db/app?ssl-mode=verify_identity&ssl-ca=ca.crt')).toMatchObject({
      sslmode: 'verify-full',
      sslrootcert: ca,
    });
    expect(server('mysql://u@db/app?ssl-mode=VERIFY_CA&ssl-ca=ca.crt').sslmode).toBe('verify-ca');
    expect(server('mysql://u@db/app?ssl-mode=DISABLED').sslmode).toBe('disable');
    expect(server('mysql://u@db/app?sslmode=prefer').sslmode).toBe('prefer');
  });
  test.each([
    ['postgres://u@db/app?sslmode=on', /sslmode 'on' is not one of: disable, allow/],
    ['mysql://u@db/app?ssl-mode=yes', /ssl-mode 'yes' is not one of: DISABLED, PREFERRED/],
    ['mysql://u@db/app?sslrootcert=x', /query parameter 'sslrootcert' is not supported/],
    ['postgres://u@db/app?sslrootcert=missing.crt', /sslrootcert .*missing\.crt does not exist/],
    ['mysql://u@db/app?sslmode=require&ssl-mode=DISABLED', /sets both sslmode and ssl-mode/],
  ])('%s is refused naming the input', (url, message) => {
    expect(() => parse(url)).toThrow(message);
    expect(() => parse(url)).toThrow(/^Input 'database-url': /);
  });
  test('verify modes need a root certificate; a client certificate needs its key', () => {
    expect(() =>
      checkTls('database-url', server('postgres://u@db/app?sslmode=verify-full')),
    ).toThrow(/sslmode verify-full needs the CA certificate .* ssl-root-cert/);
    expect(() => checkTls('database-url', server(`postgres://u@db/app?sslcert=${cert}`))).toThrow(
      /set both ssl-cert and ssl-key/,
    );
    expect(() =>
      checkTls('database-url', server('postgres://u@db/app?sslmode=disable&sslrootcert=ca.crt')),
    ).toThrow(/sslmode is disable but TLS certificates are set/);
  });
});

describe("libpq's meaning of each mode", () => {
  test('the order of attempts: allow plain first, prefer TLS first, the rest one way', () => {
    expect(attempts({ sslmode: 'disable' })).toEqual([false]);
    expect(attempts({ sslmode: 'allow' })).toEqual([false, true]);
    expect(attempts({ sslmode: 'prefer' })).toEqual([true, false]);
    expect(attempts({})).toEqual([true, false]);
    expect(attempts({ sslmode: 'require' })).toEqual([true]);
    expect(attempts({ sslmode: 'verify-full', sslrootcert: ca })).toEqual([true]);
  });
  test('require checks nothing, unless a root certificate is given (then as verify-ca)', () => {
    expect(nodeTlsOptions({ sslmode: 'require' }).rejectUnauthorized).toBe(false);
    expect(effectiveMode({ sslmode: 'require', sslrootcert: ca })).toBe('verify-ca');
    const vca = nodeTlsOptions({ sslmode: 'verify-ca', sslrootcert: ca });
    expect(vca.rejectUnauthorized).toBe(true);
    expect(vca.ca?.toString()).toBe('not read by these tests\n');
    // verify-ca: the chain only, no host name check
    expect(vca.checkServerIdentity?.('db', {} as never)).toBeUndefined();
    const vfull = nodeTlsOptions({ sslmode: 'verify-full', sslrootcert: ca });
    expect(vfull.rejectUnauthorized).toBe(true);
    expect(vfull.checkServerIdentity).toBeUndefined();
  });
  test('the PostgreSQL tools get the same mode and files through the environment', () => {
    const t = server(`postgres://u:pw@db/app?sslmode=verify-full&sslrootcert=ca.crt`);
    expect(pgConnectionEnv(t, 'app', 5000)).toMatchObject({
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: ca,
      PGSSLCERT: undefined,
      PGSSLKEY: undefined,
    });
    expect(pgTlsEnv({ sslmode: 'require', sslrootcert: ca }).PGSSLMODE).toBe('verify-ca');
    expect(pgTlsEnv({}).PGSSLMODE).toBe('prefer');
  });
  test('MariaDB and MySQL tools: the same mode in their own options, paths only', () => {
    const full = { sslmode: 'verify-full' as const, sslrootcert: ca, sslcert: cert, sslkey: key };
    expect(mysqlTlsArgs(full, 'mariadb')).toEqual([
      '--ssl',
      `--ssl-ca=${ca}`,
      `--ssl-cert=${cert}`,
      `--ssl-key=${key}`,
      '--ssl-verify-server-cert',
    ]);
    expect(mysqlTlsArgs({ sslmode: 'verify-ca', sslrootcert: ca }, 'mariadb')).toEqual([
      '--ssl',
      `--ssl-ca=${ca}`,
      '--skip-ssl-verify-server-cert',
    ]);
    expect(mysqlTlsArgs({ sslmode: 'disable' }, 'mariadb')).toEqual(['--skip-ssl']);
    expect(mysqlTlsArgs({ sslmode: 'require' }, 'mysql')).toEqual(['--ssl-mode=REQUIRED']);
    expect(mysqlTlsArgs(full, 'mysql')).toEqual([
      '--ssl-mode=VERIFY_IDENTITY',
      `--ssl-ca=${ca}`,
      `--ssl-cert=${cert}`,
      `--ssl-key=${key}`,
    ]);
    const t = server('mysql://root:pw@127.0.0.1:3307/shop?ssl-mode=VERIFY_CA&ssl-ca=ca.crt');
    const plan = {
      format: 'plain' as const,
      compression: 'none' as const,
      compressedBy: 'stream' as const,
      level: undefined,
      jobs: undefined,
      extraArgs: [],
      connectTimeoutMs: 5000,
      timeoutMs: 60_000,
    };
    expect(mysqlDumpArgv('/usr/bin/mariadb-dump', t, plan)).toContain(`--ssl-ca=${ca}`);
    expect(mysqlClientArgv('/usr/bin/mysql-8', t, 'shop', 5000)).toContain('--ssl-mode=VERIFY_CA');
  });
  test('certificate failures in words that name the problem', () => {
    expect(tlsProblem({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'x' })).toMatch(
      /^server certificate verify failed: self-signed certificate in the chain: its CA is not/,
    );
    expect(
      tlsProblem({
        code: 'HANDSHAKE_SSL_ERROR',
        message: 'self-signed certificate in certificate chain',
      }),
    ).toMatch(/self-signed certificate in the chain/);
    expect(
      tlsProblem({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
        reason: 'Host: db. is not in the cert',
        message: "Hostname/IP does not match certificate's altnames",
      }),
    ).toBe('server certificate verify failed: host name mismatch: Host: db. is not in the cert');
    expect(tlsProblem(new Error('The server does not support SSL connections'))).toBe(
      'the server does not support TLS',
    );
    expect(tlsProblem({ code: 'ECONNREFUSED', message: 'refused' })).toBeUndefined();
  });
});

describe('SQLite URLs: both conventions, one file', () => {
  const proj = tempDir('tls-sqlite');
  mkdirSync(join(proj, 'data'));
  writeFileSync(join(proj, 'data', 'app.db'), '');
  test('forms with one meaning in every convention', () => {
    expect(parse(`sqlite:////${proj.slice(1)}/data/app.db`, '/')).toMatchObject({
      path: join(proj, 'data/app.db'),
    });
    expect(parse(`sqlite:${proj}/data/app.db`, '/elsewhere')).toMatchObject({
      path: join(proj, 'data/app.db'),
    });
    expect(parse('sqlite:data/app.db', proj)).toMatchObject({ path: join(proj, 'data/app.db') });
  });
  test('sqlite:///x: settled by which file exists, refused when both could be meant', () => {
    // SQLAlchemy's relative form: <cwd>/data/app.db exists, /data/app.db does not
    expect(parse('sqlite:///data/app.db', proj)).toMatchObject({
      path: join(proj, 'data/app.db'),
    });
    // the form earlier runbook-actions documented as absolute
    expect(parse(`sqlite://${proj}/data/app.db`, '/srv')).toMatchObject({
      path: join(proj, 'data/app.db'),
    });
    // nothing to open or create either way: the documented absolute meaning (then "missing")
    expect(parse('sqlite:///no/such/dir/app.db', proj)).toMatchObject({
      path: '/no/such/dir/app.db',
    });
    // a new file: the directory that exists decides
    expect(parse('sqlite:///data/new.db', proj)).toMatchObject({ path: join(proj, 'data/new.db') });
    const nested = join(proj, proj.slice(1), 'data');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(nested, 'app.db'), '');
    expect(() => parse(`sqlite://${proj}/data/app.db`, proj)).toThrow(
      /is ambiguous: SQLAlchemy reads it as .* \(relative\), earlier runbook-actions as .*both files exist; write sqlite:\/\/\/\//,
    );
  });
  test('every tool gets the absolute path in its own convention', () => {
    const t = parse('sqlite:data/app.db', proj);
    expect(databaseUrlForTool(t, 'alembic')).toBe(`sqlite:///${join(proj, 'data/app.db')}`);
    expect(databaseUrlForTool(t, 'alembic')).toMatch(/^sqlite:\/\/\/\//);
    expect(databaseUrlForTool(t, 'prisma')).toBe(`file:${join(proj, 'data/app.db')}`);
  });
});

describe('the environment of the migration tools', () => {
  test('postgres: the URL as given, libpq variables for TLS and the connect timeout', () => {
    const url = 'postgres://u:pw@db:5432/app?sslmode=verify-full&sslrootcert=ca.crt';
    const t = { ...server(url), connectTimeoutMs: 7000 };
    expect(databaseEnvForTool(t, 'alembic')).toMatchObject({
      DATABASE_URL: url,
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: ca,
      PGCONNECT_TIMEOUT: '7',
      DATABASE_SSLMODE: 'verify-full',
    });
  });
  test("mysql: MySQL's TLS parameters are taken out of DATABASE_URL and passed as variables", () => {
    const t = server('mysql://u:pw@db:3306/app?ssl-mode=VERIFY_CA&ssl-ca=ca.crt');
    const env = databaseEnvForTool(t, 'django');
    expect(env.DATABASE_URL).toBe('mysql://u:pw@db:3306/app');
    expect(env).toMatchObject({ DATABASE_SSLMODE: 'verify-ca', DATABASE_SSLROOTCERT: ca });
  });
});
