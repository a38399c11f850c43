import { describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { parseDatabaseUrl, engineOfUrl } from '../../src/db/url.js';
import {
  choosePgClient,
  parsePgToolVersion,
  pgConnectionEnv,
  pgDumpArgv,
  pgMajorOfVersionNum,
  pgRestoreArgv,
  pgRestoreListArgv,
  psqlRestoreArgv,
  reservedExtraArg,
  tocHasTableData,
  pgDbnameConninfo,
} from '../../src/db/postgres-argv.js';
import {
  MYSQL_RESERVED,
  mysqlClientArgv,
  mysqlDumpArgv,
  mysqlDumpHasMarker,
  mysqlEnv,
  parseMysqlToolVersion,
} from '../../src/db/mysql-argv.js';
import { sqliteDumpArgv, sqliteLoadArgv, sqliteString } from '../../src/db/sqlite.js';
import { backupFileName, compactTimestamp, defaultBackupName } from '../../src/db/backup.js';
import { compareTableCounts, type DumpPlan } from '../../src/db/engine.js';
import { createCompressor, scanDecompressed } from '../../src/db/compression.js';
import { HashCounter, sha256Directory, sha256File } from '../../src/db/manifest-hash.js';
import { compressedBy, parseManifest } from '../../src/db/manifest.js';
import { resolveFormat } from '../../src/actions/backup-db/settings.js';
import { cacheKeyProblem } from '../../src/storage/cache.js';
import type { ServerTarget } from '../../src/db/url.js';
import { scratchDir } from '../support/run-action.js';

const plan = (over: Partial<DumpPlan> = {}): DumpPlan => ({
  format: 'custom',
  compression: 'gzip',
  compressedBy: 'tool',
  level: 6,
  jobs: undefined,
  extraArgs: [],
  connectTimeoutMs: 10_000,
  timeoutMs: 60_000,
  ...over,
});

const pgTarget: ServerTarget = {
  engine: 'postgres',
  host: 'db.internal',
  port: 5433,
  user: 'app',
  password: 'p@ss:w/rd',
  database: 'shop',
};

describe('database URLs', () => {
  test('postgres URL with an encoded password, port and sslmode', () => {
    const t = parseDatabaseUrl(
      'database-url',
      'postgresql://app:p%40ss%3Aw%2Frd@db.internal:5433/shop?sslmode=require',
      '/ws',
    );
    expect(t).toEqual({
      ...pgTarget,
      sslmode: 'require',
      url: 'postgresql://app:p%40ss%3Aw%2Frd@db.internal:5433/shop?sslmode=require',
    });
  });

  test('mysql and mariadb schemes are one engine with port 3306 by default', () => {
    const t = parseDatabaseUrl('database-url', 'mariadb://root:x@127.0.0.1/app', '/ws');
    expect(t).toMatchObject({
      engine: 'mysql',
      port: 3306,
      database: 'app',
      user: 'root',
      password: 'x',
    });
    expect(engineOfUrl('database-url', 'mysql://h/db')).toBe('mysql');
  });

  test('sqlite absolute and relative paths', () => {
    expect(parseDatabaseUrl('database-url', 'sqlite:////abs/app.db', '/ws')).toEqual({
      engine: 'sqlite',
      path: '/abs/app.db',
      database: 'app.db',
    });
    expect(parseDatabaseUrl('database-url', 'sqlite:data/app.db', '/ws')).toEqual({
      engine: 'sqlite',
      path: '/ws/data/app.db',
      database: 'app.db',
    });
  });

  test.each([
    ['oracle://u:p@h/db', /Input 'database-url': scheme 'oracle' is not supported/],
    ['not a url', /is not a database URL/],
    ['postgres://u:p@h:99999/db', /not a valid URL|not a TCP port/],
    ['postgres://u:p@h:5432', /names no database/],
    ['postgres://u:p@h/db?foo=1', /query parameter 'foo' is not supported/],
    ['postgres://u:p@h/db?sslmode=bogus', /sslmode 'bogus'/],
    ['sqlite://host/app.db', /sqlite URLs have no host/],
    ['sqlite:', /names no database file/],
  ])('%s is refused with the input named', (url, message) => {
    expect(() => parseDatabaseUrl('database-url', url, '/ws')).toThrow(message);
  });

  test('the password of a malformed URL is not quoted in the error', () => {
    let msg = '';
    try {
      parseDatabaseUrl('database-url', 'postgres://u:s3cretpw@h:notaport/db', '/ws');
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/Input 'database-url'/);
    expect(msg).not.toContain('s3cretpw');
  });
});

describe('postgres argv', () => {
  test('connection settings go through the environment, never argv', () => {
    const env = pgConnectionEnv(pgTarget, 'shop', 10_000);
    expect(env).toMatchObject({
      PGHOST: 'db.internal',
      PGPORT: '5433',
      PGUSER: 'app',
      PGPASSWORD: 'p@ss:w/rd',
      PGDATABASE: 'shop',
      PGCONNECT_TIMEOUT: '10',
    });
    const argv = pgDumpArgv('/usr/lib/postgresql/15/bin', plan(), { snapshot: '00000003-1' });
    expect(argv.join(' ')).not.toContain('p@ss');
    expect(argv).toEqual([
      '/usr/lib/postgresql/15/bin/pg_dump',
      '--format=custom',
      '--no-password',
      '--compress=6',
      '--snapshot=00000003-1',
    ]);
  });

  test('custom with a zstd stream around it dumps uncompressed; pg 16 zstd is internal', () => {
    expect(
      pgDumpArgv(undefined, plan({ compression: 'zstd', compressedBy: 'stream', level: 5 })),
    ).toContain('--compress=0');
    expect(
      pgDumpArgv(undefined, plan({ compression: 'zstd', compressedBy: 'tool', level: 5 })),
    ).toContain('--compress=zstd:5');
    expect(pgDumpArgv(undefined, plan({ compression: 'none', level: undefined }))).toContain(
      '--compress=0',
    );
  });

  test('plain has no --compress; directory has jobs and a file; extra args go last', () => {
    expect(
      pgDumpArgv(
        '/b',
        plan({ format: 'plain', compressedBy: 'stream', extraArgs: ['--schema=app'] }),
      ),
    ).toEqual(['/b/pg_dump', '--format=plain', '--no-password', '--schema=app']);
    expect(
      pgDumpArgv('/b', plan({ format: 'directory', jobs: 4 }), { directory: '/out/x.dir' }),
    ).toEqual([
      '/b/pg_dump',
      '--format=directory',
      '--no-password',
      '--compress=6',
      '--jobs=4',
      '--file=/out/x.dir',
    ]);
  });

  test('restore tools name the scratch database as conninfo; owners and grants are restored', () => {
    expect(pgRestoreListArgv('/b', '/x.dump')).toEqual(['/b/pg_restore', '--list', '/x.dump']);
    expect(pgRestoreListArgv('/b', undefined)).toEqual(['/b/pg_restore', '--list']);
    expect(pgRestoreArgv('/b', "we'ird", '/x.dir', { jobs: 3 })).toEqual([
      '/b/pg_restore',
      '--no-password',
      '--exit-on-error',
      "--dbname=dbname='we\\'ird'",
      '--jobs=3',
      '/x.dir',
    ]);
    expect(pgRestoreArgv('/b', 'd', undefined, { jobs: 3 })).not.toContain('--jobs=3');
    expect(psqlRestoreArgv(undefined, 'd')).toContain('--set=ON_ERROR_STOP=1');
    expect(pgDbnameConninfo('a\\b')).toBe("dbname='a\\\\b'");
  });

  test('extra args that backup-db controls are refused', () => {
    expect(reservedExtraArg(['--schema=x', '--file=/tmp/x'])).toBe('--file');
    expect(reservedExtraArg(['-Fp'])).toBe('-F');
    expect(reservedExtraArg(['--exclude-table=audit'])).toBeUndefined();
  });

  test('versions and the client choice', () => {
    expect(parsePgToolVersion('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)')).toEqual({
      version: '15.18',
      major: 15,
    });
    expect(parsePgToolVersion('pg_dump (PostgreSQL) 9.6.24')).toEqual({
      version: '9.6.24',
      major: 9.6,
    });
    expect(pgMajorOfVersionNum(150018)).toBe(15);
    expect(pgMajorOfVersionNum(90624)).toBe(9.6);
    const c15 = { binDir: '/usr/lib/postgresql/15/bin', version: '15.18', major: 15 };
    const c17 = { binDir: '/usr/lib/postgresql/17/bin', version: '17.2', major: 17 };
    expect(choosePgClient(15, '15.4', [c17, c15])).toBe(c15);
    expect(choosePgClient(14, '14.1', [c17, c15])).toBe(c15);
    const err = choosePgClient(16, '16.4', [c15]);
    expect(err).toBe(
      'pg_dump 15.18 (/usr/lib/postgresql/15/bin) is older than the server (PostgreSQL 16.4) and cannot dump it; install the PostgreSQL 16 client, e.g. apt-get install postgresql-client-16.',
    );
    expect(choosePgClient(16, '16.4', [])).toMatch(/no pg_dump was found/);
  });

  test('TOC table data lookup', () => {
    const toc =
      ';\n; Archive created\n215; 1259 16390 TABLE public items postgres\n3340; 0 16390 TABLE DATA public items postgres\n3341; 0 16399 TABLE DATA sales order lines postgres\n';
    expect(tocHasTableData(toc, 'public', 'items')).toBe(true);
    expect(tocHasTableData(toc, 'sales', 'order lines')).toBe(true);
    expect(tocHasTableData(toc, 'public', 'other')).toBe(false);
  });
});

describe('mysql argv', () => {
  const t: ServerTarget = {
    engine: 'mysql',
    host: '127.0.0.1',
    port: 3307,
    user: 'root',
    password: 'pw-secret',
    database: 'shop',
  };
  test('dump: one consistent transaction, routines and triggers, password only in MYSQL_PWD', () => {
    const argv = mysqlDumpArgv(
      '/usr/bin/mariadb-dump',
      t,
      plan({ format: 'plain', extraArgs: ['--ignore-table=shop.audit'] }),
    );
    expect(argv).toEqual([
      '/usr/bin/mariadb-dump',
      '--no-defaults',
      '--protocol=TCP',
      '--host=127.0.0.1',
      '--port=3307',
      '--user=root',
      // sslmode prefer (the default): TLS when the server offers it, unverified
      '--ssl',
      '--skip-ssl-verify-server-cert',
      '--single-transaction',
      '--quick',
      '--routines',
      '--triggers',
      '--hex-blob',
      '--no-tablespaces',
      '--default-character-set=utf8mb4',
      '--ignore-table=shop.audit',
      'shop',
    ]);
    expect(argv.join(' ')).not.toContain('pw-secret');
    expect(mysqlEnv(t).MYSQL_PWD).toBe('pw-secret');
    expect(mysqlClientArgv('/usr/bin/mariadb', t, 'scratch', 5000)).toEqual([
      '/usr/bin/mariadb',
      '--no-defaults',
      '--protocol=TCP',
      '--host=127.0.0.1',
      '--port=3307',
      '--user=root',
      '--ssl',
      '--skip-ssl-verify-server-cert',
      '--connect-timeout=5',
      '--batch',
      '--default-character-set=utf8mb4',
      'scratch',
    ]);
  });
  test('versions, markers and reserved options', () => {
    expect(
      parseMysqlToolVersion(
        'mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)',
      ),
    ).toBe('10.11.19-MariaDB');
    expect(parseMysqlToolVersion('mysqldump  Ver 8.0.36 for Linux on x86_64')).toBe('8.0.36');
    expect(mysqlDumpHasMarker(['--skip-comments'])).toBe(false);
    expect(mysqlDumpHasMarker([])).toBe(true);
    expect(reservedExtraArg(['--result-file=/x'], MYSQL_RESERVED)).toBe('--result-file');
    expect(reservedExtraArg(['-psecret'], MYSQL_RESERVED)).toBe('-p');
  });
});

describe('sqlite argv', () => {
  test('dump and load commands', () => {
    expect(sqliteDumpArgv('sqlite3', '/t/s.db')).toEqual([
      'sqlite3',
      '-batch',
      '-bail',
      '-readonly',
      '/t/s.db',
      '.dump',
    ]);
    expect(sqliteLoadArgv('sqlite3', '/t/r.db')).toEqual(['sqlite3', '-batch', '-bail', '/t/r.db']);
    expect(sqliteString("/tmp/o'brien.db")).toBe("'/tmp/o''brien.db'");
  });
});

describe('names and formats', () => {
  const now = new Date('2026-11-22T01:49:07.123Z');
  test('default names', () => {
    expect(compactTimestamp(now)).toBe('20261122T014907Z');
    expect(defaultBackupName('postgres', 'shop', now)).toBe('shop-20261122T014907Z');
    expect(defaultBackupName('sqlite', 'app.db', now)).toBe('app-20261122T014907Z');
    expect(defaultBackupName('mysql', 'my shop/€', now)).toBe('my-shop-20261122T014907Z');
  });
  test('file names by format and compression', () => {
    expect(backupFileName('n', 'postgres', plan())).toBe('n.dump');
    expect(
      backupFileName('n', 'postgres', plan({ compression: 'zstd', compressedBy: 'stream' })),
    ).toBe('n.dump.zst');
    expect(backupFileName('n', 'postgres', plan({ format: 'directory' }))).toBe('n.dir');
    expect(backupFileName('n', 'mysql', plan({ format: 'plain', compressedBy: 'stream' }))).toBe(
      'n.sql.gz',
    );
    expect(
      backupFileName(
        'n',
        'sqlite',
        plan({ format: 'sqlite', compression: 'none', compressedBy: 'stream' }),
      ),
    ).toBe('n.sqlite3');
  });
  test('format per engine', () => {
    expect(resolveFormat('postgres', 'auto')).toBe('custom');
    expect(resolveFormat('mysql', 'auto')).toBe('plain');
    expect(resolveFormat('sqlite', 'auto')).toBe('sqlite');
    expect(() => resolveFormat('mysql', 'directory')).toThrow(
      "Input 'format': 'directory' is for PostgreSQL only",
    );
    expect(() => resolveFormat('sqlite', 'custom')).toThrow(/Input 'format'/);
  });
  test('cache keys', () => {
    expect(cacheKeyProblem('a,b')).toMatch(/comma/);
    expect(cacheKeyProblem('x'.repeat(513))).toMatch(/512/);
    expect(cacheKeyProblem('runbook-db-backup-shop')).toBeUndefined();
  });
});

describe('row count comparison', () => {
  test('differences are named', () => {
    expect(compareTableCounts({ a: 1, b: 2 }, { a: 1, b: 2 })).toEqual([]);
    expect(compareTableCounts({ a: 1, b: 2 }, { a: 1, b: 3, c: 0 })).toEqual([
      'b: 2 rows in the source, 3 restored',
      'c: restored but not in the source',
    ]);
    expect(compareTableCounts({ a: 1 }, {})).toEqual(['a: missing after restore']);
  });
});

describe('streams, hashes and the manifest', () => {
  const dir = scratchDir('backup-lib-');
  const data = Buffer.from(
    'INSERT INTO t VALUES (1);\n'.repeat(10_000) + '-- PostgreSQL database dump complete\n',
  );

  test.each(['gzip', 'zstd'] as const)('%s round trip, hashed on the fly', async (codec) => {
    const out = join(dir, `x.${codec}`);
    const hasher = new HashCounter();
    await pipeline(
      Readable.from([data]),
      createCompressor(codec, 3),
      hasher,
      createWriteStream(out),
    );
    const bytes = readFileSync(out);
    expect(hasher.hash.digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(hasher.bytes).toBe(bytes.length);
    const plain = codec === 'gzip' ? gunzipSync(bytes) : zstdDecompressSync(bytes);
    expect(plain.equals(data)).toBe(true);
    const scan = await scanDecompressed(out, codec);
    expect(scan.bytes).toBe(data.length);
    expect(scan.tail.endsWith('-- PostgreSQL database dump complete\n')).toBe(true);
    expect((await sha256File(out)).sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  test('a truncated gzip stream fails the stream test', async () => {
    const out = join(dir, 'cut.gz');
    await pipeline(Readable.from([data]), createCompressor('gzip', 6), createWriteStream(out));
    const bytes = readFileSync(out);
    writeFileSync(out, bytes.subarray(0, bytes.length - 20));
    await expect(scanDecompressed(out, 'gzip')).rejects.toThrow();
  });

  test('directory digest covers names and contents', async () => {
    const d = join(dir, 'dump.dir');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'toc.dat'), 'toc');
    writeFileSync(join(d, 'sub', '3001.dat.gz'), 'data');
    const a = await sha256Directory(d);
    const expected = createHash('sha256')
      .update(
        `${createHash('sha256').update('data').digest('hex')}  sub/3001.dat.gz\n${createHash('sha256').update('toc').digest('hex')}  toc.dat\n`,
      )
      .digest('hex');
    expect(a).toEqual({ sha256: expected, bytes: 7, files: 2 });
    writeFileSync(join(d, 'toc.dat'), 'tod');
    expect((await sha256Directory(d)).sha256).not.toBe(a.sha256);
  });

  test('manifest: compressed_by defaults by format', () => {
    expect(compressedBy({ format: 'custom', compression: 'gzip' })).toBe('tool');
    expect(compressedBy({ format: 'plain', compression: 'gzip' })).toBe('stream');
    expect(compressedBy({ format: 'custom', compression: 'zstd', compressed_by: 'stream' })).toBe(
      'stream',
    );
    const m = parseManifest(
      JSON.stringify({
        version: 1,
        engine: 'postgres',
        database: 'shop',
        server_version: '15.18',
        client_version: 'pg_dump 15.18',
        format: 'custom',
        compression: 'gzip',
        compressed_by: 'tool',
        file: 'shop.dump',
        size_bytes: 10,
        sha256: 'a'.repeat(64),
        created_at: '2026-11-22T01:49:07.000Z',
        git_sha: null,
        run_id: null,
        tables: { 'public.t': 1 },
      }),
    );
    expect(m.compressed_by).toBe('tool');
  });
});
