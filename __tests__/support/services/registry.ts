/**
 * A throwaway Docker registry (distribution 2.x, /usr/bin/docker-registry) with a config of
 * our own (Debian's default one enables auth): filesystem storage in a temp dir, deletes
 * enabled, plain HTTP on 127.0.0.1; optionally htpasswd auth, or any config merged in.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  deepMerge,
  ensureService,
  freePort,
  httpAnswers,
  removeDir,
  runTool,
  startProcess,
  tempDir,
  type ManagedProcess,
  type PlainObject,
} from './common.js';

export interface RegistryOptions {
  /** users and passwords for htpasswd auth (bcrypt); none: no auth (unless `config` adds one) */
  htpasswd?: Record<string, string>;
  /** merged into the generated config, e.g. `{ auth: { token: {...} } }` */
  config?: PlainObject;
  startTimeoutMs?: number;
}

export interface RegistryServer {
  /** '127.0.0.1:<port>', the image-reference form */
  host: string;
  /** 'http://127.0.0.1:<port>' */
  url: string;
  port: number;
  readonly pid: number;
  dir: string;
  /** where the blobs live */
  storageDir: string;
  configFile: string;
  /** the config the registry runs with */
  config: PlainObject;
  logFile: string;
  /** users:passwords of the htpasswd option (empty without) */
  users: Record<string, string>;
  /** stops the registry and removes the temp dir; safe to call twice */
  stop(): Promise<void>;
  /** SIGKILL; the storage stays until stop() */
  kill(): Promise<void>;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryServer> {
  ensureService('registry');
  const dir = tempDir('rb-registry');
  const storageDir = join(dir, 'storage');
  const configFile = join(dir, 'config.yml');
  const logFile = join(dir, 'registry.log');
  const users = options.htpasswd ?? {};
  let proc: ManagedProcess | undefined;
  try {
    let auth: PlainObject | undefined;
    if (Object.keys(users).length > 0) {
      const lines: string[] = [];
      for (const [user, password] of Object.entries(users)) {
        // -i: the password comes on stdin, not argv
        lines.push((await runTool('htpasswd', ['-iBn', user], { input: password })).trim());
      }
      const htpasswdFile = join(dir, 'htpasswd');
      writeFileSync(htpasswdFile, `${lines.join('\n')}\n`, { mode: 0o600 });
      auth = { htpasswd: { realm: 'runbook-test-registry', path: htpasswdFile } };
    }

    let port = 0;
    let config: PlainObject = {};
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      config = deepMerge(
        {
          version: 0.1,
          log: { level: 'info', accesslog: { disabled: true } },
          storage: {
            filesystem: { rootdirectory: storageDir },
            delete: { enabled: true },
            cache: { blobdescriptor: 'inmemory' },
            maintenance: { uploadpurging: { enabled: false } },
          },
          http: {
            addr: `127.0.0.1:${port}`,
            secret: randomBytes(16).toString('hex'),
            headers: { 'X-Content-Type-Options': ['nosniff'] },
          },
          health: { storagedriver: { enabled: false } },
          ...(auth ? { auth } : {}),
        },
        options.config,
      );
      writeFileSync(configFile, stringify(config), { mode: 0o600 });
      proc = startProcess({
        name: 'docker-registry',
        command: '/usr/bin/docker-registry',
        args: ['serve', configFile],
        cwd: dir,
        logFile,
        cleanupDir: dir,
      });
      try {
        await proc.waitReady(
          () => httpAnswers(`http://127.0.0.1:${port}/v2/`, [200, 401]),
          options.startTimeoutMs ?? 30_000,
          `the registry on 127.0.0.1:${port}`,
        );
        break;
      } catch (err) {
        await proc.stop();
        // another worker may have taken the port between freePort() and bind()
        if (attempt >= 3 || !/already in use/i.test(String(err))) throw err;
      }
    }

    const running = proc;
    return {
      host: `127.0.0.1:${port}`,
      url: `http://127.0.0.1:${port}`,
      port,
      pid: running.pid,
      dir,
      storageDir,
      configFile,
      config,
      logFile,
      users,
      async stop() {
        await running.stop();
        await removeDir(dir);
      },
      async kill() {
        await running.kill('SIGKILL');
      },
    };
  } catch (err) {
    await proc?.stop().catch(() => undefined);
    await removeDir(dir).catch(() => undefined);
    throw err;
  }
}
