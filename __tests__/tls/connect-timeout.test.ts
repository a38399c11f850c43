import { afterAll, beforeAll, describe, test } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir } from '../support/services/common.js';
import { expectFailure, migrate } from '../migrate/helpers.js';

/**
 * connect-timeout on migrate (it used to be a fixed 15 s): a server that accepts the TCP
 * connection and then says nothing fails the step with the input named, for both engines.
 */

let silent: Server;
let port = 0;
const sockets: Socket[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  port = address.port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  for (const d of dirs) await removeDir(d);
});

function project(): string {
  const ws = tempDir('connect-timeout');
  dirs.push(ws);
  mkdirSync(join(ws, 'migrations'));
  writeFileSync(join(ws, 'migrations', '0001_x.sql'), 'CREATE TABLE x (id int);\n');
  return ws;
}

describe('migrate: connect-timeout', () => {
  test.each([
    ['postgres', 'PostgreSQL'],
    ['mysql', 'MySQL/MariaDB'],
  ])(
    '%s: a server that never answers fails within connect-timeout, naming it',
    async (scheme, name) => {
      const run = await migrate(
        {
          tool: 'sql',
          'database-url': `${scheme}://u:Secret-pw-1@127.0.0.1:${port}/app`,
          'connect-timeout': '2s',
          'require-backup': 'false',
        },
        project(),
        ['Secret-pw-1'],
      );
      expectFailure(
        run,
        new RegExp(
          `^Input 'database-url': ${name.replace('/', '\\/')} at 127\\.0\\.0\\.1:${port} did not answer within 2(\\.0)?s \\(connect-timeout\\)\\.$`,
        ),
      );
    },
  );

  test('a bad connect-timeout is refused naming the input', async () => {
    const run = await migrate(
      {
        tool: 'sql',
        'database-url': `postgres://u@127.0.0.1:${port}/app`,
        'connect-timeout': 'soon',
        'require-backup': 'false',
      },
      project(),
    );
    expectFailure(run, /^Input 'connect-timeout': /);
  });
});
