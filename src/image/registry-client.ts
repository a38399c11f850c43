import { createHash } from 'node:crypto';
import { UserError } from '../kit/errors.js';
import { redact } from '../kit/secrets.js';
import {
  basicAuthorization,
  fetchBearerToken,
  networkReason,
  parseWwwAuthenticate,
  repositoryScope,
} from './auth.js';
import type { Challenge } from './auth.js';
import type { RegistryCredentials } from './credentials.js';
import { MANIFEST_ACCEPT, isImageManifest, isIndex } from './media-types.js';
import type { Descriptor, ImageConfigBody, ImageManifestBody, IndexBody } from './media-types.js';
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

export class RegistryError extends UserError {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
  }
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function registryErrorText(res: Response): Promise<string> {
  let text: string;
  try {
    text = await res.text();
  } catch {
    return '';
  }
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    const first = body.errors?.[0];
    if (first) return `: ${[first.code, first.message].filter(Boolean).join(' ')}`;
  } catch {
    // not the registry's JSON error format: fall through to the raw text
  }
  const line = text.trim().split('\n')[0] ?? '';
  return line ? `: ${redact(line.slice(0, 200))}` : '';
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
  private scheme: 'basic' | 'bearer' | undefined;
  private bearer: Challenge | undefined;
  private readonly tokens = new Map<string, string>();
  private readonly pendingTokens = new Map<string, Promise<string>>();

  constructor(opts: RegistryClientOptions) {
    this.registry = opts.registry;
    this.insecure = opts.insecure ?? false;
    this.baseUrl = `${this.insecure ? 'http' : 'https'}://${registryApiHost(opts.registry)}`;
    this.credentials = opts.credentials;
    this.push = opts.push ?? false;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.fetchImpl = opts.fetchImpl ?? fetch;
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

  /** Uploads a blob in one request (monolithic upload); returns its digest. */
  async uploadBlob(repository: string, bytes: Buffer): Promise<string> {
    const digest = sha256Digest(bytes);
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
    return digest;
  }

  /** The image config (labels, platform) of a tag or digest; for an index, the given platform's image. */
  async getImageConfig(
    repository: string,
    reference: string,
    platform: { os: string; architecture: string } = { os: 'linux', architecture: 'amd64' },
  ): Promise<ImageConfigResult> {
    let manifest = await this.getManifest(repository, reference);
    if (!manifest) {
      throw new RegistryError(
        `${repository}:${reference} does not exist in registry ${this.registry}.`,
        404,
      );
    }
    if (isIndex(manifest.mediaType)) {
      const index = JSON.parse(manifest.bytes.toString('utf8')) as IndexBody;
      const images = index.manifests.filter((m) => m.platform?.os !== 'unknown');
      const chosen =
        images.find(
          (m) =>
            m.platform?.os === platform.os && m.platform?.architecture === platform.architecture,
        ) ?? images[0];
      if (!chosen) {
        throw new RegistryError(`the index ${repository}@${manifest.digest} lists no image.`);
      }
      manifest = await this.getManifest(repository, chosen.digest);
      if (!manifest) {
        throw new RegistryError(
          `${repository}@${chosen.digest} (listed in the index) is missing.`,
          404,
        );
      }
    }
    if (!isImageManifest(manifest.mediaType)) {
      throw new RegistryError(
        `${repository}:${reference} is a ${manifest.mediaType}, not an image manifest.`,
      );
    }
    const body = JSON.parse(manifest.bytes.toString('utf8')) as ImageManifestBody;
    const config = JSON.parse(
      (await this.getBlob(repository, body.config.digest)).toString('utf8'),
    ) as ImageConfigBody;
    return { manifestDigest: manifest.digest, config, labels: config.config?.Labels ?? {} };
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
   * Sends a request, answering one 401 challenge (Basic or Bearer) and retrying once.
   * Parallel requests that meet the same challenge share one token request.
   */
  private async send(
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
      try {
        res = await this.fetchImpl(url, {
          method,
          headers,
          body: init.body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        throw new RegistryError(this.unreachable(err));
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
      });
      this.pendingTokens.set(scope, pending);
      pending.then(
        () => this.pendingTokens.delete(scope),
        () => this.pendingTokens.delete(scope),
      );
    }
    this.tokens.set(scope, await pending);
  }

  private unreachable(err: unknown): string {
    const reason = networkReason(err);
    const hint =
      !this.insecure && /EPROTO|wrong version number|ssl|tls/i.test(reason)
        ? ' The registry may speak plain http: set insecure-registry: true for a loopback or test registry.'
        : '';
    return `registry ${this.registry} could not be reached at ${this.baseUrl}: ${redact(reason)}.${hint}`;
  }

  private async expectOk(res: Response, what: string): Promise<void> {
    if (res.ok) return;
    const detail = await registryErrorText(res);
    if (res.status === 401) {
      const how = this.credentials
        ? `the registry rejected the credentials (${this.credentials.source})`
        : 'the registry requires a login; set registry-username and registry-password or log in with docker login';
      throw new RegistryError(`${what} failed: ${how} (HTTP 401${detail}).`, 401);
    }
    if (res.status === 403) {
      throw new RegistryError(
        `${what} failed: access denied by registry ${this.registry} (HTTP 403${detail}).`,
        403,
      );
    }
    throw new RegistryError(
      `${what} failed: registry ${this.registry} answered HTTP ${res.status}${detail}.`,
      res.status,
    );
  }
}

function mediaTypeOf(contentType: string | null): string | undefined {
  if (!contentType) return undefined;
  const value = contentType.split(';')[0].trim();
  return value === '' ? undefined : value;
}
