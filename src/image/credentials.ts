import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError, errorMessage } from '../kit/errors.js';
import { execArgv } from '../kit/exec.js';
import { registerSecret } from '../kit/secrets.js';
import { DOCKER_HUB } from './reference.js';

/** What a registry accepts as a login: a user and password, or an OAuth identity token. */
export interface RegistryCredentials {
  username: string;
  password: string;
  /** a refresh token for the Bearer flow (docker login with an identity provider) */
  identityToken?: string;
  /** where the credentials came from, for the summary: never the values */
  source: string;
}

interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const HUB_KEYS = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);
const HUB_SERVER = 'https://index.docker.io/v1/';

/** `https://host:5000/v1/` -> `host:5000`: how docker config keys compare. */
export function normalizeConfigKey(key: string): string {
  let k = key.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  return k.toLowerCase();
}

function sameRegistry(key: string, registry: string): boolean {
  const k = normalizeConfigKey(key);
  const r = registry.toLowerCase();
  if (r === DOCKER_HUB) return HUB_KEYS.has(k);
  return k === r;
}

/** The docker config directory: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG && env.DOCKER_CONFIG !== ''
    ? env.DOCKER_CONFIG
    : join(homedir(), '.docker');
}

async function readDockerConfig(path: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as DockerConfigFile) : undefined;
  } catch (err) {
    throw new UserError(`the docker config ${path} is not valid JSON: ${errorMessage(err)}`);
  }
}

function fromAuthEntry(
  entry: NonNullable<DockerConfigFile['auths']>[string],
  source: string,
): RegistryCredentials | undefined {
  let username = entry.username ?? '';
  let password = entry.password ?? '';
  if (entry.auth) {
    registerSecret(entry.auth);
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  const identityToken = entry.identitytoken || undefined;
  if (!password && !identityToken) return undefined;
  registerSecret(password);
  registerSecret(identityToken);
  return { username, password, ...(identityToken ? { identityToken } : {}), source };
}

/** Asks `docker-credential-<helper> get`, as docker does; a helper that has nothing gives undefined. */
async function fromHelper(
  helper: string,
  registry: string,
): Promise<RegistryCredentials | undefined> {
  const server = registry === DOCKER_HUB ? HUB_SERVER : registry;
  const program = `docker-credential-${helper}`;
  const result = await execArgv([program, 'get'], {
    stdin: server,
    allowFailure: true,
    timeoutMs: 30_000,
    label: program,
  }).catch(() => undefined);
  if (!result || result.exitCode !== 0) return undefined;
  let parsed: { Username?: string; Secret?: string };
  try {
    parsed = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
  } catch {
    return undefined;
  }
  if (!parsed.Secret) return undefined;
  registerSecret(parsed.Secret);
  const source = `credential helper ${helper}`;
  if (parsed.Username === '<token>')
    return { username: '', password: '', identityToken: parsed.Secret, source };
  return { username: parsed.Username ?? '', password: parsed.Secret, source };
}

/**
 * The credentials docker itself would use for `registry`: a `credHelpers` entry, then the
 * `auths` entry, then the `credsStore`. Undefined when there are none (anonymous access).
 */
export async function credentialsFromDockerConfig(
  registry: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegistryCredentials | undefined> {
  const path = join(dockerConfigDir(env), 'config.json');
  const config = await readDockerConfig(path);
  if (!config) return undefined;
  const helperKey = Object.keys(config.credHelpers ?? {}).find((k) => sameRegistry(k, registry));
  if (helperKey && config.credHelpers) {
    const found = await fromHelper(config.credHelpers[helperKey], registry);
    if (found) return found;
  }
  const authKey = Object.keys(config.auths ?? {}).find((k) => sameRegistry(k, registry));
  if (authKey && config.auths) {
    const found = fromAuthEntry(config.auths[authKey], `docker config ${path}`);
    if (found) return found;
  }
  if (config.credsStore) return fromHelper(config.credsStore, registry);
  return undefined;
}

/** A docker config.json body holding one login, for tools that read credentials from a file. */
export function dockerConfigJson(registry: string, creds: RegistryCredentials): string {
  const key = registry === DOCKER_HUB ? HUB_SERVER : registry;
  const entry = creds.identityToken
    ? { auth: '', identitytoken: creds.identityToken }
    : { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
  return `${JSON.stringify({ auths: { [key]: entry } }, null, 2)}\n`;
}
