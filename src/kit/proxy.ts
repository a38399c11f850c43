/**
 * Proxy support for every HTTP client of the actions. Node's global fetch ignores
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY unless told otherwise, so self-hosted runners behind a
 * corporate proxy could not reach a registry, Prometheus or the app. When one of those
 * variables is set, undici's EnvHttpProxyAgent becomes the global dispatcher: Node's own
 * fetch picks it up too, since undici registers it under the symbol Node's bundled undici
 * reads. undici is loaded only then, so start-up without a proxy costs nothing.
 *
 * NO_PROXY follows undici's rules: comma- or space-separated host names, `host:port`,
 * `.domain` / `*.domain` for subdomains and `*` for everything. `localhost` and 127.0.0.1 are
 * not exempt by themselves: list them in NO_PROXY to reach loopback services directly.
 */
import { UserError } from './errors.js';
import { redact, registerSecret } from './secrets.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

/** The proxy variables that are set (names only: their values may carry credentials). */
export function proxyVariablesSet(env: NodeJS.ProcessEnv = process.env): string[] {
  return PROXY_VARIABLES.filter((name) => (env[name] ?? '').trim() !== '');
}

let installed = false;

/**
 * Routes fetch through the proxies named in the environment; returns whether it did.
 * A proxy URL that undici cannot use is the environment's error, reported as such.
 */
export async function useEnvironmentProxy(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (installed) return true;
  const set = proxyVariablesSet(env);
  if (set.length === 0) return false;
  // a proxy URL may carry a password (http://user:secret@proxy:3128): never print it
  for (const name of set) {
    try {
      const password = decodeURIComponent(new URL(env[name] ?? '').password);
      if (password) registerSecret(password);
    } catch {
      // not a URL: undici says so below
    }
  }
  const { EnvHttpProxyAgent, setGlobalDispatcher } = await import('undici');
  let agent: InstanceType<typeof EnvHttpProxyAgent>;
  try {
    agent = new EnvHttpProxyAgent();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserError(`the proxy in ${set.join(' / ')} cannot be used: ${redact(reason)}`);
  }
  setGlobalDispatcher(agent);
  installed = true;
  return true;
}
