import { createHash } from 'node:crypto';
import * as core from '@actions/core';
import { defaultRetryPolicy, withRetries } from '../kit/retry.js';
import type { RetryEnvironment, RetryPolicy } from '../kit/retry.js';
import { redact } from '../kit/secrets.js';
import {
  RegistryError,
  asRegistryError,
  responseError,
  retryReasonOf,
  unreachableMessage,
  withAttempts,
} from './registry-errors.js';
import {
  basicAuthorization,
  fetchBearerToken,
  networkReason,
  parseWwwAuthenticate,
  repositoryScope,
} from './auth.js';
import type { Challenge } from './auth.js';
import type { RegistryCredentials } from './credentials.js';
import { readImageConfig } from './image-config.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import type { Descriptor, ImageConfigBody } from './media-types.js';
import { isSha256Digest, registryApiHost } from './reference.js';

export interface RegistryClientOptions {
  /** the registry as written in the image reference: `ghcr.io`, `127.0.0.1:5000`, `docker.io` */
  registry: string;
  /** plain http instead of https (loopback and test registries) */
  insecure?: boolean;
  credentials?: RegistryCredentials;
  /** ask for pull and push access from the first token on, saving a token round trip before writes */
  push?: boolean;
  /** per request; default 30 s */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** retries of idempotent calls; default defaultRetryPolicy() */
  retry?: RetryPolicy;
  /** how retries wait and log (tests make them fast); log defaults to the step log */
  retryEnv?: Omit<RetryEnvironment, 'signal'>;
  /** cancellation: requests in flight are aborted, no retry starts */
  signal?: AbortSignal;
}

/** A manifest exactly as the registry stores it: the bytes are what the digest is of. */
export interface Manifest {
  digest: string;
  mediaType: string;
  size: number;
  bytes: Buffer;
}

export interface ImageConfigResult {
  /** the image manifest the config belongs to (the platform's, for an index) */
  manifestDigest: string;
  config: ImageConfigBody;
  labels: Record<string, string>;
}

export { RegistryError };

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * A client of the registry HTTP API v2 (the OCI distribution spec). It follows the auth
 * challenge the registry sends: none, Basic, or Bearer tokens from the challenge's realm.
 * Everything is addressed by digest and no image is ever pulled whole.
 */
export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  private readonly insecure: boolean;
  private readonly credentials: RegistryCredentials | undefined;
  private readonly push: boolean;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly retryEnv: RetryEnvironment;
  private readonly signal: AbortSignal | undefined;
  private scheme: 'basic' | 'bearer' | undefined;
  private bearer: Challenge | undefined;
  private readonly tokens = new Map<string, string>();
  private readonly pendingTokens = new Map<string, Promise<string>>();
  /** how many attempts a response took, for the error message when it is still a failure */
  private readonly attempts = new WeakMap<Response, number>();

  constructor(opts: RegistryClientOptions) {
    this.registry = opts.registry;
    this.insecure = opts.insecure ?? false;
    this.baseUrl = `${this.insecure ? 'http' : 'https'}://${registryApiHost(opts.registry)}`;
    this.credentials = opts.credentials;
    this.push = opts.push ?? false;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.retry = opts.retry ?? defaultRetryPolicy();
    this.signal = opts.signal;
    this.retryEnv = {
      log: (line) => core.info(line),
      ...opts.retryEnv,
      signal: opts.signal,
    };
  }

  /** The manifest's descriptor, or undefined when the tag or digest does not exist. */
  async resolve(repository: string, reference: string): Promise<Descriptor | undefined> {
    const res = await this.send('HEAD', repository, `manifests/${reference}`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) return undefined;
    await this.expectOk(res, `resolving ${repository}:${reference}`);
    const digest = res.headers.get('docker-content-digest');
    const mediaType = mediaTypeOf(res.headers.get('content-type'));
    const size = Number(res.headers.get('content-length') ?? '0');
    if (digest && mediaType) return { digest, mediaType, size };
    // some registries leave the digest out of HEAD answers: read the manifest instead
    const manifest = await this.getManifest(repository, reference);
    return (
      manifest && { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size }
    );
  }

  /** The manifest's exact bytes and media type, or undefined when it does not exist. */
  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const res = await this.send('GET', repository, `manifests/${reference}`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    await this.expectOk(res, `reading the manifest ${repository}:${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (isSha256Digest(reference) && digest !== reference) {
      throw new RegistryError(
        `registry ${this.registry} sent a manifest for ${reference} whose digest is ${digest}.`,
      );
    }
    let mediaType = mediaTypeOf(res.headers.get('content-type'));
    if (!mediaType || mediaType === 'application/json') {
      mediaType =
        (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? mediaType;
    }
    if (!mediaType) {
      throw new RegistryError(
        `registry ${this.registry} sent the manifest ${reference} without a media type.`,
      );
    }
    return { digest, mediaType, size: bytes.length, bytes };
  }

  /** Stores a manifest under `reference` byte for byte; returns its digest. */
  async putManifest(
    repository: string,
    reference: string,
    manifest: Pick<Manifest, 'bytes' | 'mediaType'>,
  ): Promise<string> {
    const res = await this.send('PUT', repository, `manifests/${reference}`, {
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
      write: true,
    });
    await this.expectOk(res, `writing ${repository}:${reference}`);
    await res.body?.cancel();
    const expected = sha256Digest(manifest.bytes);
    const stored = res.headers.get('docker-content-digest');
    if (stored && stored !== expected) {
      throw new RegistryError(
        `registry ${this.registry} stored ${repository}:${reference} as ${stored}, expected ${expected}.`,
      );
    }
    return expected;
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const res = await this.send('HEAD', repository, `blobs/${digest}`, {});
    if (res.status === 404) return false;
    await this.expectOk(res, `checking the blob ${digest} in ${repository}`);
    return true;
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const res = await this.send('GET', repository, `blobs/${digest}`, {});
    await this.expectOk(res, `reading the blob ${digest} of ${repository}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (sha256Digest(bytes) !== digest) {
      throw new RegistryError(
        `registry ${this.registry} sent a blob for ${digest} with other content.`,
      );
    }
    return bytes;
  }

  /**
   * Uploads a blob in one request (monolithic upload); returns its digest. A blob is
   * content-addressed, so a failed upload is repeated from a fresh session (POST, then PUT):
   * a half-written session is never resumed, and the registry discards the abandoned one.
   */
  async uploadBlob(repository: string, bytes: Buffer): Promise<string> {
    const digest = sha256Digest(bytes);
    const what = `the upload of blob ${digest.slice(0, 19)}… to /v2/${repository}/blobs/uploads/`;
    let attempts = 1;
    try {
      await withRetries(
        this.retry,
        async (n) => {
          attempts = n;
          await this.uploadOnce(repository, bytes, digest);
          return true;
        },
        { ...this.retryEnv, who: 'registry', what, classify: retryReasonOf },
      );
    } catch (err) {
      throw withAttempts(asRegistryError(err, what), attempts);
    }
    return digest;
  }

  private async uploadOnce(repository: string, bytes: Buffer, digest: string): Promise<void> {
    const start = await this.send('POST', repository, 'blobs/uploads/', {
      write: true,
      headers: { 'content-length': '0' },
    });
    await this.expectOk(start, `starting a blob upload to ${repository}`);
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (!location) {
      throw new RegistryError(`registry ${this.registry} started an upload without a Location.`);
    }
    const url = new URL(location, this.baseUrl);
    url.searchParams.set('digest', digest);
    const res = await this.send('PUT', repository, url, {
      write: true,
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    await this.expectOk(res, `uploading a blob to ${repository}`);
    await res.body?.cancel();
  }

  /** The image config (labels, platform) of a tag or digest; for an index, the given platform's image. */
  async getImageConfig(
    repository: string,
    reference: string,
    platform: { os: string; architecture: string } = { os: 'linux', architecture: 'amd64' },
  ): Promise<ImageConfigResult> {
    return readImageConfig(this, repository, reference, platform);
  }

  private scopeFor(repository: string, write: boolean): string {
    return repositoryScope(repository, write || this.push ? ['pull', 'push'] : ['pull']);
  }

  private authorization(scope: string): string | undefined {
    if (this.scheme === 'basic' && this.credentials) return basicAuthorization(this.credentials);
    if (this.scheme === 'bearer') {
      const token = this.tokens.get(scope);
      if (token) return `Bearer ${token}`;
    }
    return undefined;
  }

  /**
   * Sends a request; reads and manifest PUTs (idempotent: the same bytes under the same
   * name) are retried on network errors and retryable statuses. A PUT to an upload session
   * or a POST is sent once: uploadBlob restarts the whole upload instead.
   */
  private async send(
    method: string,
    repository: string,
    path: string | URL,
    init: { headers?: Record<string, string>; body?: Buffer; write?: boolean },
  ): Promise<Response> {
    const idempotent =
      method === 'GET' || method === 'HEAD' || (method === 'PUT' && typeof path === 'string');
    if (!idempotent) return this.sendOnce(method, repository, path, init);
    const shown = typeof path === 'string' ? `/v2/${repository}/${path}` : path.pathname;
    const what = `${method} ${shown}`;
    let attempts = 1;
    try {
      const { value } = await withRetries(
        this.retry,
        (n) => {
          attempts = n;
          return this.sendOnce(method, repository, path, init);
        },
        {
          ...this.retryEnv,
          who: 'registry',
          what,
          classify: retryReasonOf,
          discard: (res) => res.body?.cancel(),
        },
      );
      if (attempts > 1) this.attempts.set(value, attempts);
      return value;
    } catch (err) {
      throw withAttempts(asRegistryError(err, what), attempts);
    }
  }

  /**
   * One request, answering one 401 challenge (Basic or Bearer) and sending it again.
   * Parallel requests that meet the same challenge share one token request.
   */
  private async sendOnce(
    method: string,
    repository: string,
    path: string | URL,
    init: { headers?: Record<string, string>; body?: Buffer; write?: boolean },
  ): Promise<Response> {
    const url = typeof path === 'string' ? `${this.baseUrl}/v2/${repository}/${path}` : path;
    const scope = this.scopeFor(repository, init.write ?? false);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { 'user-agent': 'runbook-actions', ...init.headers };
      if (this.scheme === 'bearer' && !this.tokens.has(scope)) await this.fetchToken(scope);
      const auth = this.authorization(scope);
      if (auth) headers.authorization = auth;
      let res: Response;
      const timeout = AbortSignal.timeout(this.timeoutMs);
      try {
        res = await this.fetchImpl(url, {
          method,
          headers,
          body: init.body,
          signal: this.signal ? AbortSignal.any([timeout, this.signal]) : timeout,
        });
      } catch (err) {
        if (this.signal?.aborted) {
          throw new RegistryError(`${method} ${String(url)} was cancelled.`);
        }
        const reason = timeout.aborted ? 'timed out' : redact(networkReason(err));
        throw new RegistryError(this.unreachable(reason), undefined, reason);
      }
      if (res.status !== 401 || attempt > 0) return res;
      const challenges = parseWwwAuthenticate(res.headers.get('www-authenticate') ?? '');
      const bearer = challenges.find((c) => c.scheme === 'bearer');
      const basic = challenges.find((c) => c.scheme === 'basic');
      if (bearer) {
        await res.body?.cancel();
        if (!bearer.params.realm) {
          throw new RegistryError(
            `registry ${this.registry} sent a Bearer challenge without a realm.`,
          );
        }
        this.scheme = 'bearer';
        this.bearer = bearer;
        // a token we sent was refused (expired or too narrow): ask for a new one
        if (auth) this.tokens.delete(scope);
      } else if (basic) {
        if (!this.credentials || auth) return res;
        await res.body?.cancel();
        this.scheme = 'basic';
      } else {
        await res.body?.cancel();
        throw new RegistryError(
          `registry ${this.registry} asks for authentication it does not describe (WWW-Authenticate: ${challenges.map((c) => c.scheme).join(', ') || 'none'}).`,
          401,
        );
      }
    }
  }

  /** One token request per scope, shared by the requests that need it at the same time. */
  private async fetchToken(scope: string): Promise<void> {
    if (!this.bearer) return;
    let pending = this.pendingTokens.get(scope);
    if (!pending) {
      pending = fetchBearerToken({
        realm: this.bearer.params.realm,
        service: this.bearer.params.service,
        scopes: [scope],
        credentials: this.credentials,
        timeoutMs: this.timeoutMs,
        fetchImpl: this.fetchImpl,
        registry: this.registry,
        retry: this.retry,
        retryEnv: this.retryEnv,
      });
      this.pendingTokens.set(scope, pending);
      pending.then(
        () => this.pendingTokens.delete(scope),
        () => this.pendingTokens.delete(scope),
      );
    }
    this.tokens.set(scope, await pending);
  }

  private unreachable(reason: string): string {
    return unreachableMessage(this.registry, this.baseUrl, this.insecure, reason);
  }

  private async expectOk(res: Response, what: string): Promise<void> {
    if (res.ok) return;
    throw await responseError(res, what, {
      registry: this.registry,
      credentials: this.credentials,
      attempts: this.attempts.get(res),
    });
  }
}

function mediaTypeOf(contentType: string | null): string | undefined {
  if (!contentType) return undefined;
  const value = contentType.split(';')[0].trim();
  return value === '' ? undefined : value;
}
