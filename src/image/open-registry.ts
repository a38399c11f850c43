import type { RegistryCredentials } from './credentials.js';
import { credentialsFromDockerConfig } from './credentials.js';
import type { ImageReference } from './reference.js';
import { RegistryClient } from './registry-client.js';

export interface OpenedRegistry {
  client: RegistryClient;
  /** the credentials in use (given, or found in the docker config); undefined: anonymous */
  credentials: RegistryCredentials | undefined;
  /** for the summary: where the login came from, never the values */
  credentialSource: string;
}

/**
 * A client for the image's registry with the login docker would use: the given
 * credentials, else the docker config's, else anonymous. `push`: the client will write
 * (tag moves), so its tokens ask for pull and push at once.
 */
export async function openRegistry(
  image: Pick<ImageReference, 'registry'>,
  opts: {
    credentials?: RegistryCredentials;
    insecure: boolean;
    push?: boolean;
    env?: NodeJS.ProcessEnv;
    /** a cancelled run: requests in flight are aborted and no retry starts */
    signal?: AbortSignal;
    /**
     * after a cancellation: the runner kills the step a few seconds after the signal, so the
     * client waits 3 s at most per request and never retries
     */
    quick?: boolean;
  },
): Promise<OpenedRegistry> {
  const credentials =
    opts.credentials ?? (await credentialsFromDockerConfig(image.registry, opts.env));
  const client = new RegistryClient({
    registry: image.registry,
    insecure: opts.insecure,
    credentials,
    push: opts.push ?? true,
    signal: opts.signal,
    ...(opts.quick
      ? {
          timeoutMs: 3000,
          retry: { attempts: 1, maxElapsedMs: 0, baseDelayMs: 0, maxDelayMs: 0 },
        }
      : {}),
  });
  return { client, credentials, credentialSource: credentials?.source ?? 'anonymous' };
}
