/**
 * A throwaway Docker daemon: no bridge, no iptables, its own data/exec roots, pidfile, config
 * file and unix socket in a temp dir; registries on 127.0.0.0/8 are insecure (plain HTTP).
 * Storage: overlay2 where the kernel allows it, else vfs (found once per process).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import {
  ensureService,
  removeDir,
  runTool,
  startProcess,
  tempDir,
  type ManagedProcess,
  type ToolOptions,
} from './common.js';

export interface DockerdOptions {
  /** default: overlay2 if it works here, else vfs */
  storageDriver?: string;
  /** extra daemon.json settings */
  daemonConfig?: Record<string, unknown>;
  startTimeoutMs?: number;
}

export interface DockerdServer {
  /** the daemon's unix socket path */
  socket: string;
  /** 'unix://<socket>' */
  host: string;
  /** { DOCKER_HOST } for the docker client */
  env: { DOCKER_HOST: string };
  readonly pid: number;
  dir: string;
  dataRoot: string;
  logFile: string;
  storageDriver: string;
  /** what the daemon reports, e.g. '20.10.24+dfsg1' */
  serverVersion: string;
  /** the docker client binary the fixture found (/usr/local/bin/docker first) */
  dockerBin: string;
  /** runs `docker <args>` against this daemon; resolves with stdout */
  docker(args: string[], options?: ToolOptions): Promise<string>;
  /** stops the daemon (SIGTERM, SIGKILL after 20 s) and removes the temp dir; safe twice */
  stop(): Promise<void>;
}

let workingDriver: string | undefined;

/** The docker CLI: /usr/local/bin/docker if present, else /usr/bin/docker (docker.io). */
export function dockerClient(): string {
  for (const p of ['/usr/local/bin/docker', '/usr/bin/docker']) if (existsSync(p)) return p;
  return 'docker';
}

function dockerdBinary(): string {
  return existsSync('/usr/sbin/dockerd') ? '/usr/sbin/dockerd' : 'dockerd';
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolvePing) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolvePing(res.statusCode === 200));
    });
    req.on('error', () => resolvePing(false));
    req.on('timeout', () => {
      req.destroy();
      resolvePing(false);
    });
    req.end();
  });
}

/** Mount points at or under `dir` (left behind by a killed daemon), deepest first. */
function mountsUnder(dir: string): string[] {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .map((p) => p.replace(/\\040/g, ' '))
      .filter((p) => p === dir || p.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}

async function cleanDir(dir: string): Promise<void> {
  for (const mount of mountsUnder(dir)) {
    try {
      execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  await removeDir(dir);
}

async function launch(
  driver: string,
  options: DockerdOptions,
): Promise<{ proc: ManagedProcess; dir: string; socket: string }> {
  const dir = tempDir('rb-dockerd');
  const socket = join(dir, 'docker.sock');
  const configFile = join(dir, 'daemon.json');
  // an empty config of our own: no mirrors or settings from /etc/docker/daemon.json
  writeFileSync(configFile, JSON.stringify(options.daemonConfig ?? {}));
  const proc = startProcess({
    name: 'dockerd',
    command: dockerdBinary(),
    args: [
      `--config-file=${configFile}`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${join(dir, 'docker.pid')}`,
      `--host=unix://${socket}`,
      `--storage-driver=${driver}`,
      '--insecure-registry=127.0.0.0/8',
    ],
    cwd: dir,
    logFile: join(dir, 'dockerd.log'),
    cleanupDir: dir,
    stopTimeoutMs: 20_000,
  });
  try {
    await proc.waitReady(
      () => ping(socket),
      options.startTimeoutMs ?? 60_000,
      `dockerd (${driver}) on ${socket}`,
    );
  } catch (err) {
    await proc.stop();
    await cleanDir(dir);
    throw err;
  }
  return { proc, dir, socket };
}

export async function startDockerd(options: DockerdOptions = {}): Promise<DockerdServer> {
  ensureService('dockerd');
  let started: { proc: ManagedProcess; dir: string; socket: string } | undefined;
  let driver = options.storageDriver ?? workingDriver ?? 'overlay2';
  try {
    started = await launch(driver, options);
  } catch (err) {
    if (options.storageDriver || workingDriver || driver === 'vfs') throw err;
    driver = 'vfs';
    started = await launch(driver, options);
  }
  if (!options.storageDriver) workingDriver = driver;
  const { proc, dir, socket } = started;
  const host = `unix://${socket}`;
  const dockerBin = dockerClient();
  const docker = (args: string[], toolOptions: ToolOptions = {}): Promise<string> =>
    runTool(dockerBin, args, {
      ...toolOptions,
      env: { ...process.env, ...toolOptions.env, DOCKER_HOST: host },
    });
  try {
    const serverVersion = (await docker(['version', '--format', '{{.Server.Version}}'])).trim();
    return {
      socket,
      host,
      env: { DOCKER_HOST: host },
      pid: proc.pid,
      dir,
      dataRoot: join(dir, 'data'),
      logFile: proc.logFile,
      storageDriver: driver,
      serverVersion,
      dockerBin,
      docker,
      async stop() {
        await proc.stop();
        await cleanDir(dir);
      },
    };
  } catch (err) {
    await proc.stop();
    await cleanDir(dir);
    throw err;
  }
}
