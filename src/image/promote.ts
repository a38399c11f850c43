import { RegistryError } from './registry-client.js';
import type { Manifest, RegistryClient } from './registry-client.js';

/**
 * Tag moves through the registry API, by digest: the manifest bytes are read once and
 * written under the new tag unchanged, so the digest stays the same. No pull, no daemon.
 * Used by build-push-image (promotion) and rollback (moving the tag back).
 */

export interface MoveTagResult {
  tag: string;
  /** the digest the tag pointed to before, if it existed */
  from: string | undefined;
  to: string;
  /** false when the tag already pointed to the digest */
  moved: boolean;
}

export interface PromoteOptions {
  repository: string;
  /** the digest to promote (it must exist in the repository) */
  digest: string;
  /** the tag that moves to the digest, e.g. `latest` */
  tag: string;
  /** the tag that keeps what `tag` pointed to before, e.g. `previous`; none: no copy */
  previousTag?: string;
}

export interface PromoteResult {
  digest: string;
  tag: string;
  /** what `tag` pointed to before the promotion (undefined: the tag did not exist) */
  previousDigest: string | undefined;
  /** true when `tag` was moved; false when it already pointed to the digest */
  moved: boolean;
  /** true when the old digest was copied onto the previous tag */
  previousTagged: boolean;
}

async function requireManifest(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<Manifest> {
  const manifest = await client.getManifest(repository, digest);
  if (!manifest) {
    throw new RegistryError(
      `${repository}@${digest} does not exist in registry ${client.registry}; push it first.`,
      404,
    );
  }
  return manifest;
}

/** Points `tag` at `digest` (which must exist in the repository). */
export async function moveTag(
  client: RegistryClient,
  repository: string,
  tag: string,
  digest: string,
): Promise<MoveTagResult> {
  const [current, target] = await Promise.all([
    client.resolve(repository, tag),
    requireManifest(client, repository, digest),
  ]);
  if (current?.digest === digest) return { tag, from: current.digest, to: digest, moved: false };
  await client.putManifest(repository, tag, target);
  return { tag, from: current?.digest, to: digest, moved: true };
}

/**
 * Promotes a digest: what `tag` points to now is first copied onto `previousTag`, then
 * `tag` moves to `digest`. Running it again for the same digest changes nothing, so a
 * re-run job keeps the real previous image on `previousTag`.
 */
export async function promote(
  client: RegistryClient,
  opts: PromoteOptions,
): Promise<PromoteResult> {
  const { repository, digest, tag, previousTag } = opts;
  if (previousTag !== undefined && previousTag === tag) {
    throw new RegistryError(
      `the promoted tag and the previous tag are both '${tag}'; they must differ.`,
    );
  }
  const [current, target] = await Promise.all([
    client.getManifest(repository, tag),
    requireManifest(client, repository, digest),
  ]);
  if (current?.digest === digest) {
    const previous =
      previousTag !== undefined ? await client.resolve(repository, previousTag) : undefined;
    return { digest, tag, previousDigest: previous?.digest, moved: false, previousTagged: false };
  }
  let previousTagged = false;
  if (current && previousTag !== undefined) {
    await client.putManifest(repository, previousTag, current);
    previousTagged = true;
  }
  await client.putManifest(repository, tag, target);
  return { digest, tag, previousDigest: current?.digest, moved: true, previousTagged };
}

export interface RestoreTagResult {
  tag: string;
  /** what the tag pointed to before the change being undone (undefined: it did not exist) */
  before: string | undefined;
  /** what the tag pointed to when the undo looked (undefined: it does not exist) */
  found: string | undefined;
  /** true when the tag was written back to `before` */
  restored: boolean;
}

/**
 * Undoes a tag move: points `tag` back at the manifest it held before (read before the move,
 * so its exact bytes are written back and the digest is the same). A tag that did not exist
 * before stays where it is: the registry API deletes manifests by digest, not tags, so a
 * tag cannot be removed portably; the caller says so.
 */
export async function restoreTag(
  client: RegistryClient,
  repository: string,
  tag: string,
  before: Manifest | undefined,
): Promise<RestoreTagResult> {
  const found = (await client.resolve(repository, tag))?.digest;
  const result = { tag, before: before?.digest, found };
  if (found === before?.digest || !before) return { ...result, restored: false };
  await client.putManifest(repository, tag, before);
  return { ...result, restored: true };
}
