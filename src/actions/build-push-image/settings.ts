import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../../kit/errors.js';
import { getBoolean, getEnum, getList, getString } from '../../kit/inputs.js';
import type { RegistryCredentials } from '../../image/credentials.js';
import { parsePairs } from '../../image/labels.js';
import type { ImageReference } from '../../image/reference.js';
import { isSha256Digest, isValidTag } from '../../image/reference.js';
import { readImageName, readRegistryCredentials } from '../shared/registry-settings.js';

/** Every input of build-push-image, read once and checked before anything happens. */
export interface Settings {
  image: ImageReference;
  /** the text of the `image` input, for messages */
  imageText: string;
  tags: string[];
  /** true when `tags` was set (not the sha-<7> default) */
  tagsGiven: boolean;
  /** set: promote this digest, no build */
  digest?: string;
  promoteTag?: string;
  previousTag: string;
  credentials?: RegistryCredentials;
  insecure: boolean;
  build?: BuildSettings;
}

export interface BuildSettings {
  context: string;
  file: string;
  buildArgs: Array<[string, string]>;
  labels: Array<[string, string]>;
  target?: string;
  platforms: string[];
  builder: 'docker' | 'buildah';
  push: boolean;
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TAG_RULE = "letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'";

export function readTag(name: string, value: string): string {
  if (!isValidTag(value)) {
    throw new InputError(name, `${JSON.stringify(value)} is not a valid tag (${TAG_RULE}).`);
  }
  return value;
}

function readTags(): { tags: string[]; given: boolean } {
  const given = getList('tags');
  if (given.length > 0) {
    const tags = [...new Set(given.map((t) => readTag('tags', t)))];
    return { tags, given: true };
  }
  const sha = process.env.GITHUB_SHA ?? '';
  if (!/^[0-9a-f]{7,}$/i.test(sha)) {
    throw new InputError(
      'tags',
      'is empty and GITHUB_SHA is not a commit SHA, so the default sha-<7> cannot be made; set tags.',
    );
  }
  return { tags: [`sha-${sha.slice(0, 7).toLowerCase()}`], given: false };
}

function readPairs(name: string, what: string, check?: RegExp): Array<[string, string]> {
  const { pairs, bad } = parsePairs(getList(name, { newlineOnly: true }));
  if (bad !== undefined) {
    throw new InputError(
      name,
      `${JSON.stringify(bad.slice(0, 80))} is not ${what}=value; write one KEY=value per line.`,
    );
  }
  for (const [k] of pairs) {
    if (check && !check.test(k)) {
      throw new InputError(name, `${JSON.stringify(k)} is not a valid ${what} name.`);
    }
  }
  return pairs;
}

function readBuild(workspace: string): BuildSettings {
  const contextText = getString('context', { default: '.' });
  const context = resolve(workspace, contextText);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new InputError(
      'context',
      `${JSON.stringify(contextText)} is not a directory (resolved to ${context}).`,
    );
  }
  // like compose's `dockerfile`: relative to the context
  const fileText = getString('file', { default: 'Dockerfile' });
  const file = isAbsolute(fileText) ? fileText : resolve(context, fileText);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new InputError(
      'file',
      `${JSON.stringify(fileText)} does not exist (looked for ${file}; relative paths start at the context).`,
    );
  }
  const platforms = getList('platforms');
  for (const p of platforms) {
    if (!PLATFORM.test(p)) {
      throw new InputError(
        'platforms',
        `${JSON.stringify(p)} is not os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8.`,
      );
    }
  }
  const target = getString('target');
  return {
    context,
    file,
    buildArgs: readPairs('build-args', 'build argument', ARG_NAME),
    labels: readPairs('labels', 'label'),
    target: target === '' ? undefined : target,
    platforms: [...new Set(platforms)],
    builder: getEnum('builder', ['docker', 'buildah'] as const, { default: 'docker' }),
    push: getBoolean('push', { default: true }),
  };
}

export function readSettings(workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()): Settings {
  const credentials = readRegistryCredentials();
  const { image, text } = readImageName({
    missing:
      'is required: the image name without a tag, e.g. ghcr.io/acme/shop (or images, a JSON list of several).',
    withTagOrDigest: (given, part) =>
      part === 'digest'
        ? `${JSON.stringify(given)} includes a digest; give the name only and the digest in 'digest'.`
        : `${JSON.stringify(given)} includes a tag; give the name only and the tags in 'tags'.`,
  });
  const digestText = getString('digest');
  if (digestText !== '' && !isSha256Digest(digestText)) {
    throw new InputError(
      'digest',
      `${JSON.stringify(digestText.slice(0, 80))} is not sha256: followed by 64 lower-case hex digits.`,
    );
  }
  const promoteText = getString('promote-tag');
  const promoteTag = promoteText === '' ? undefined : readTag('promote-tag', promoteText);
  const previousTag = readTag('previous-tag', getString('previous-tag', { default: 'previous' }));
  if (promoteTag !== undefined && promoteTag === previousTag) {
    throw new InputError(
      'promote-tag',
      `'${promoteTag}' is the same as previous-tag; the previous image needs a tag of its own.`,
    );
  }
  const insecure = getBoolean('insecure-registry', { default: false });
  const common = { image, imageText: text, promoteTag, previousTag, credentials, insecure };

  if (digestText !== '') {
    const given = getList('tags').map((t) => readTag('tags', t));
    if (given.length === 0 && promoteTag === undefined) {
      throw new InputError(
        'digest',
        'is set but there is nothing to do with it: set promote-tag (or tags).',
      );
    }
    checkTagsAgainstPromotion(given, promoteTag, previousTag);
    return {
      ...common,
      digest: digestText,
      tags: [...new Set(given)],
      tagsGiven: given.length > 0,
    };
  }
  const { tags, given } = readTags();
  const build = readBuild(workspace);
  if (!build.push && promoteTag !== undefined) {
    throw new InputError(
      'promote-tag',
      'needs push: true; an image that was not pushed cannot be promoted.',
    );
  }
  checkTagsAgainstPromotion(tags, promoteTag, previousTag);
  return { ...common, tags, tagsGiven: given, build };
}

/**
 * Tags the promotion writes must not be pushed directly: pushing `latest` would overwrite
 * it before promotion could keep what it pointed to on `previous`.
 */
function checkTagsAgainstPromotion(
  tags: readonly string[],
  promoteTag: string | undefined,
  previousTag: string,
): void {
  if (promoteTag === undefined) return;
  for (const reserved of [promoteTag, previousTag]) {
    if (tags.includes(reserved)) {
      const which = reserved === promoteTag ? 'promote-tag' : 'previous-tag';
      throw new InputError(
        'tags',
        `includes '${reserved}', the ${which} that promotion moves; leave it out of tags.`,
      );
    }
  }
}

/** Checked once the builder is known: only buildx builds several platforms at once. */
export function checkPlatforms(
  build: BuildSettings,
  builderKind: string,
  multiPlatform: boolean,
): void {
  if (build.platforms.length > 1 && !multiPlatform) {
    const which =
      builderKind === 'classic'
        ? 'the classic docker builder (buildx is not installed)'
        : builderKind;
    throw new InputError(
      'platforms',
      `${build.platforms.join(', ')}: ${which} builds one platform at a time; give one platform or use docker with buildx.`,
    );
  }
}
