import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryCredentials } from './credentials.js';
import { dockerConfigDir, dockerConfigJson, normalizeConfigKey } from './credentials.js';

/**
 * A login for the build tools without `docker login` and without touching the user's
 * docker config: a private copy of the config directory whose config.json carries the
 * registry's credentials. Everything else in the original directory (cli-plugins with
 * buildx, buildx builder instances, contexts) is linked in, so the tools behave the same.
 * The file is also a valid containers auth file for buildah (`--authfile`).
 */
export interface TempLogin {
  /** the DOCKER_CONFIG directory to pass to docker */
  configDir: string;
  /** its config.json (buildah --authfile) */
  authFile: string;
}

interface ConfigBody {
  auths?: Record<string, unknown>;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export async function writeTempLogin(
  dir: string,
  registry: string,
  creds: RegistryCredentials,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TempLogin> {
  const original = dockerConfigDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let base: ConfigBody = {};
  if (existsSync(join(original, 'config.json'))) {
    try {
      base = JSON.parse(await readFile(join(original, 'config.json'), 'utf8')) as ConfigBody;
    } catch {
      base = {};
    }
    for (const entry of await readdir(original)) {
      if (entry === 'config.json') continue;
      await symlink(join(original, entry), join(dir, entry)).catch(() => undefined);
    }
  }
  const login = JSON.parse(dockerConfigJson(registry, creds)) as { auths: Record<string, unknown> };
  const key = normalizeConfigKey(Object.keys(login.auths)[0]);
  const auths: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base.auths ?? {}))
    if (normalizeConfigKey(k) !== key) auths[k] = v;
  const credHelpers: Record<string, string> = {};
  for (const [k, v] of Object.entries(base.credHelpers ?? {}))
    if (normalizeConfigKey(k) !== key) credHelpers[k] = v;
  // a credsStore would be asked before the auths entry for this registry: drop it here
  const { credsStore: _dropped, ...rest } = base;
  const config = { ...rest, auths: { ...auths, ...login.auths }, credHelpers };
  const authFile = join(dir, 'config.json');
  await writeFile(authFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return { configDir: dir, authFile };
}
