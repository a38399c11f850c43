import { UserError } from '../kit/errors.js';

/**
 * Image references the way Docker reads them (distribution/reference): an optional
 * registry host (with port), a repository path, an optional tag and an optional digest.
 * A first path part without a dot or colon that is not `localhost` is a Docker Hub name.
 */
export interface ImageReference {
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000` */
  registry: string;
  /** `library/nginx`, `acme/shop/web` */
  repository: string;
  tag?: string;
  /** `sha256:` + hex */
  digest?: string;
}

export class InvalidReferenceError extends UserError {
  constructor(text: string, why: string) {
    super(
      `${JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text)} is not a valid image reference: ${why}`,
    );
    this.name = 'InvalidReferenceError';
  }
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME = 255;

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** `sha256:` followed by 64 lower-case hex digits: the only algorithm registries use today. */
export function isSha256Digest(digest: string): boolean {
  return SHA256_DIGEST.test(digest);
}

function looksLikeRegistry(first: string): boolean {
  // docker also takes an upper-case first part for a host: repository paths are lower-case
  return (
    first.includes('.') ||
    first.includes(':') ||
    first === 'localhost' ||
    first !== first.toLowerCase()
  );
}

/** Parses `name[:tag][@digest]`, applying Docker Hub's defaults (`docker.io`, `library/`). */
export function parseReference(text: string): ImageReference {
  const input = text.trim();
  if (input === '') throw new InvalidReferenceError(text, 'it is empty.');
  if (/\s/.test(input)) throw new InvalidReferenceError(text, 'it contains whitespace.');
  if (input.includes('://')) {
    throw new InvalidReferenceError(
      text,
      'leave out the scheme (write registry.example.com/app, not https://...).',
    );
  }

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) {
      throw new InvalidReferenceError(
        text,
        `the digest '${digest}' is not algorithm:hex (sha256: + 64 hex digits).`,
      );
    }
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      throw new InvalidReferenceError(
        text,
        `the tag '${tag}' is not valid (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-').`,
      );
    }
  }
  if (rest.length > MAX_NAME) {
    throw new InvalidReferenceError(text, `the name is longer than ${MAX_NAME} characters.`);
  }

  const slash = rest.indexOf('/');
  let registry = DOCKER_HUB;
  let path = rest;
  if (slash >= 0 && looksLikeRegistry(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(registry)) {
      throw new InvalidReferenceError(text, `'${registry}' is not a valid registry host.`);
    }
  }
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (path === '') throw new InvalidReferenceError(text, 'the repository name is missing.');
  for (const component of path.split('/')) {
    if (component !== component.toLowerCase() && PATH_COMPONENT.test(component.toLowerCase())) {
      throw new InvalidReferenceError(text, 'the repository name must be lower-case.');
    }
    if (!PATH_COMPONENT.test(component)) {
      throw new InvalidReferenceError(
        text,
        `'${component}' is not a valid path component (lower-case letters and digits, separated by '.', '_', '__' or '-').`,
      );
    }
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return {
    registry,
    repository: path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** The host the registry's HTTP API answers on (Docker Hub's API lives elsewhere). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** Fully qualified `registry/repository` (what docker, buildah and skopeo all accept). */
export function repositoryName(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

export function withTag(ref: ImageReference, tag: string): string {
  return `${repositoryName(ref)}:${tag}`;
}

export function withDigest(ref: ImageReference, digest: string): string {
  return `${repositoryName(ref)}@${digest}`;
}

/** True for registries on this machine, where plain http is the usual setup. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
