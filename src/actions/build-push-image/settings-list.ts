import { InputError } from '../../kit/errors.js';
import { getBoolean, getString } from '../../kit/inputs.js';
import type { RegistryCredentials } from '../../image/credentials.js';
import { parseImageList } from '../../image/image-list.js';
import type { ImageListEntry } from '../../image/image-list.js';
import { readRegistryCredentials } from '../shared/registry-settings.js';
import { readTag } from './settings.js';

/**
 * The `images` mode of build-push-image: several images already pushed (a release of a
 * backend and a frontend), promoted together, all or nothing. No build: a workflow builds
 * each image in its own step (a `uses:` step cannot loop), then promotes the list in one.
 */
export interface ListSettings {
  /** each with its digest (required in this mode) */
  entries: Array<ImageListEntry & { digest: string }>;
  promoteTag: string;
  previousTag: string;
  credentials?: RegistryCredentials;
  insecure: boolean;
}

/**
 * Inputs that belong to the single-image mode; given with `images`, they would be silently
 * ignored, so they are refused. The value is the action.yml default (the runner always sends
 * it), or '' for inputs without one.
 */
const SINGLE_ONLY: ReadonlyArray<[string, string, string]> = [
  ['image', '', 'each entry of images names its image'],
  ['digest', '', 'each entry of images carries its own digest'],
  ['tags', '', 'images only promotes; push the tags when each image is built'],
  ['context', '.', 'images promotes images already pushed, it builds nothing'],
  ['file', 'Dockerfile', 'images promotes images already pushed, it builds nothing'],
  ['build-args', '', 'images promotes images already pushed, it builds nothing'],
  ['labels', '', 'images promotes images already pushed, it builds nothing'],
  ['target', '', 'images promotes images already pushed, it builds nothing'],
  ['platforms', '', 'images promotes images already pushed, it builds nothing'],
  ['builder', 'docker', 'images promotes images already pushed, it builds nothing'],
  ['push', 'true', 'images promotes images already pushed, it builds nothing'],
];

/** True when the `images` input is set: the action runs in list mode. */
export function listModeAsked(): boolean {
  return getString('images') !== '';
}

export function readListSettings(): ListSettings {
  for (const [name, fallback, why] of SINGLE_ONLY) {
    const value = getString(name);
    if (value !== '' && value !== fallback) {
      throw new InputError(name, `cannot be used with images: ${why}.`);
    }
  }
  const entries = parseImageList('images', getString('images'), {
    digestField: 'digest',
    digestRequired: true,
  }) as ListSettings['entries'];
  const promoteText = getString('promote-tag');
  if (promoteText === '') {
    throw new InputError(
      'promote-tag',
      'is required with images: the tag that moves to each digest, e.g. latest or production.',
    );
  }
  const promoteTag = readTag('promote-tag', promoteText);
  const previousTag = readTag('previous-tag', getString('previous-tag', { default: 'previous' }));
  if (promoteTag === previousTag) {
    throw new InputError(
      'promote-tag',
      `'${promoteTag}' is the same as previous-tag; the previous image needs a tag of its own.`,
    );
  }
  const credentials = readRegistryCredentials();
  const registries = [...new Set(entries.map((e) => e.image.registry))];
  if (credentials && registries.length > 1) {
    // one login sent to every registry would hand one registry's token to the others
    throw new InputError(
      'registry-username',
      `is one login, but images are on ${registries.length} registries (${registries.join(', ')}); leave registry-username/registry-password empty and log in to each registry beforehand (docker login), whose config the action reads per registry.`,
    );
  }
  return {
    entries,
    promoteTag,
    previousTag,
    credentials,
    insecure: getBoolean('insecure-registry', { default: false }),
  };
}
