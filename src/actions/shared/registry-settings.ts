import { InputError } from '../../kit/errors.js';
import { getString } from '../../kit/inputs.js';
import { registerSecret } from '../../kit/secrets.js';
import type { RegistryCredentials } from '../../image/credentials.js';
import {
  InvalidReferenceError,
  parseReference,
  type ImageReference,
} from '../../image/reference.js';

/**
 * `registry-username` / `registry-password`, both or neither; undefined means the docker
 * config's credentials. Shared by build-push-image and rollback.
 */
export function readRegistryCredentials(): RegistryCredentials | undefined {
  const username = getString('registry-username');
  const password = getString('registry-password', { secret: true });
  if (username === '' && password === '') return undefined;
  if (password === '')
    throw new InputError('registry-password', 'is required when registry-username is set.');
  if (username === '')
    throw new InputError('registry-username', 'is required when registry-password is set.');
  registerSecret(password);
  return { username, password, source: 'inputs registry-username/registry-password' };
}

/**
 * The `image` input: a repository name without tag or digest. The messages differ per
 * action (where the tag or digest belongs instead), so the caller words them.
 */
export function readImageName(words: {
  missing: string;
  withTagOrDigest: (text: string, part: 'tag' | 'digest') => string;
}): { image: ImageReference; text: string } {
  const text = getString('image');
  if (text === '') throw new InputError('image', words.missing);
  let image: ImageReference;
  try {
    image = parseReference(text);
  } catch (err) {
    if (err instanceof InvalidReferenceError) throw new InputError('image', err.message);
    throw err;
  }
  if (image.digest) throw new InputError('image', words.withTagOrDigest(text, 'digest'));
  if (image.tag !== undefined) throw new InputError('image', words.withTagOrDigest(text, 'tag'));
  return { image, text };
}
