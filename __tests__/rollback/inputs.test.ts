import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir } from '../support/services/common.js';
import { expectFailure, rollback } from './helpers.js';

const PASSWORD = 'Sup3r:s3cret@/#?';
const TOKEN = 'ghs_rollbacktokenvalue1234567890';
const DB_URL = `postgres://app:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/app`;

const ws = tempDir('rollback-inputs');
mkdirSync(join(ws, 'migrations'));
writeFileSync(join(ws, 'manifest.json'), '{}');
afterAll(async () => {
  await removeDir(ws);
});

type Case = [string, Record<string, string>, string, RegExp];

const image = { targets: 'image', image: '127.0.0.1:1/acme/shop', 'insecure-registry': 'true' };
const migrations = {
  targets: 'migrations',
  tool: 'sql',
  'database-url': DB_URL,
  'previous-state': '{"version":"0001"}',
};
const database = {
  targets: 'database',
  'database-url': DB_URL,
  'backup-manifest': 'manifest.json',
};

const cases: Case[] = [
  ['targets empty', { targets: '' }, 'targets', /is required/],
  [
    'unknown target',
    { targets: 'image, frontend' },
    'targets',
    /"frontend" is not a target; use image, migrations, database/,
  ],
  ['image missing', { targets: 'image' }, 'image', /is required with targets: image/],
  [
    'image with tag',
    { ...image, image: '127.0.0.1:1/acme/shop:v1' },
    'image',
    /includes a tag or digest/,
  ],
  ['bad to-digest', { ...image, 'to-digest': 'sha256:abc' }, 'to-digest', /64 lower-case hex/],
  ['bad promote-tag', { ...image, 'promote-tag': 'bad tag!' }, 'promote-tag', /not a valid tag/],
  [
    'same tags',
    { ...image, 'promote-tag': 'live', 'previous-tag': 'live' },
    'previous-tag',
    /same as promote-tag/,
  ],
  [
    'username without password',
    { ...image, 'registry-username': 'bot' },
    'registry-password',
    /required when registry-username/,
  ],
  [
    'bad insecure-registry',
    { ...image, 'insecure-registry': 'yes' },
    'insecure-registry',
    /not a boolean/,
  ],
  [
    'previous-state missing',
    { ...migrations, 'previous-state': '' },
    'previous-state',
    /is required with targets: migrations/,
  ],
  [
    'previous-state not JSON',
    { ...migrations, 'previous-state': '{version: 1' },
    'previous-state',
    /not a JSON object/,
  ],
  [
    'previous-state an array',
    { ...migrations, 'previous-state': '["0001"]' },
    'previous-state',
    /not a JSON object/,
  ],
  ['unknown tool', { ...migrations, tool: 'flyway' }, 'tool', /not one of: auto, sql/],
  [
    'command without down-command',
    { ...migrations, tool: 'command' },
    'down-command',
    /required with tool: command/,
  ],
  [
    'missing migrations-dir',
    { ...migrations, 'migrations-dir': 'nope' },
    'migrations-dir',
    /does not exist/,
  ],
  [
    'database-url missing for sql',
    { ...migrations, 'database-url': '' },
    'database-url',
    /required for the sql tool/,
  ],
  [
    'no backup named',
    { ...database, 'backup-manifest': '' },
    'backup-manifest',
    /is required with targets: database/,
  ],
  [
    'two backup sources',
    { ...database, 'backup-cache-key': 'k1' },
    'backup-cache-key',
    /and backup-manifest are both set/,
  ],
  [
    'manifest file missing',
    { ...database, 'backup-manifest': 'nope.json' },
    'backup-manifest',
    /does not exist/,
  ],
  [
    'bad database-url',
    { ...database, 'database-url': 'ftp://x/y' },
    'database-url',
    /scheme 'ftp' is not supported/,
  ],
  [
    'run id without token',
    { ...database, 'backup-manifest': '', 'backup-artifact': 'app-1', 'backup-run-id': '42' },
    'github-token',
    /required with backup-run-id/,
  ],
  [
    'bad run id',
    {
      ...database,
      'backup-manifest': '',
      'backup-artifact': 'app-1',
      'backup-run-id': 'last',
      'github-token': TOKEN,
    },
    'backup-run-id',
    /not a workflow run id/,
  ],
  [
    'bad cache key',
    { ...database, 'backup-manifest': '', 'backup-cache-key': 'a,b' },
    'backup-cache-key',
    /contains a comma/,
  ],
  [
    'bad safety-backup',
    { ...database, 'safety-backup': 'sometimes' },
    'safety-backup',
    /not a boolean/,
  ],
  [
    'bad restore-mode',
    { ...database, 'restore-mode': 'replace' },
    'restore-mode',
    /auto, swap, in-place/,
  ],
  [
    'swap on MariaDB',
    {
      ...database,
      'database-url': `mariadb://app:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/app`,
      'restore-mode': 'swap',
    },
    'restore-mode',
    /no RENAME DATABASE/,
  ],
  [
    'in-place on SQLite',
    { ...database, 'database-url': 'sqlite:///tmp/app.db', 'restore-mode': 'in-place' },
    'restore-mode',
    /always restored into a new file/,
  ],
  [
    'bad keep-replaced',
    { ...database, 'keep-replaced': 'later' },
    'keep-replaced',
    /not true, false or a duration such as 7d/,
  ],
  ['bad dry-run', { ...database, 'dry-run': 'maybe' }, 'dry-run', /not a boolean/],
  ['bad timeout', { ...database, timeout: '5 parsecs' }, 'timeout', /not a duration/],
];

describe('bad inputs: one line naming the input, before any side effect', () => {
  test.each(cases)('%s', async (_name, inputs, input, message) => {
    const run = await rollback(
      {
        ...inputs,
        // would leave a file behind if anything ran
        'deploy-command': inputs.targets?.includes('image') ? 'touch deployed' : '',
      },
      [PASSWORD, TOKEN],
      { workspace: ws },
    );
    const line = expectFailure(run, message);
    expect(line.startsWith(`Input '${input}': `)).toBe(true);
    expect(run.outputs['rolled-back']).toBe('[]');
    expect(existsSync(join(ws, 'deployed'))).toBe(false);
    expect(readdirSync(ws).sort()).toEqual(['manifest.json', 'migrations']);
  });
});
