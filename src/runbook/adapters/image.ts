import { openRegistry } from '../../image/open-registry.js';
import { promote } from '../../image/promote.js';
import { isSha256Digest, parseReference, withDigest } from '../../image/reference.js';
import { moveImageBack, planImageRollback } from '../../rollback/image.js';
import { UserError } from '../../kit/errors.js';
import type { ImageConfig } from '../types.js';

/**
 * The one place the runbook calls the image libraries (src/image/promote.ts and
 * src/rollback/image.ts). The release ref of an image release is a digest or a tag of
 * `image.name`; it is promoted to promote-tag, what was there kept on previous-tag.
 */
export async function promoteImage(
  c: ImageConfig,
  ref: string,
): Promise<{ digest: string; imageRef: string; previousDigest: string | undefined }> {
  const image = parseReference(c.name);
  const { client } = await openRegistry(image, { insecure: c.insecure });
  let digest = ref;
  if (!isSha256Digest(ref)) {
    const resolved = await client.resolve(image.repository, ref);
    if (!resolved) throw new UserError(`${c.name}:${ref} does not exist in the registry.`);
    digest = resolved.digest;
  }
  const r = await promote(client, {
    repository: image.repository,
    digest,
    tag: c.promoteTag,
    previousTag: c.previousTag,
  });
  return { digest, imageRef: withDigest(image, digest), previousDigest: r.previousDigest };
}

/** Moves promote-tag back to `toDigest` (or what previous-tag keeps); returns image@digest. */
export async function imageBack(c: ImageConfig, toDigest: string | undefined): Promise<string> {
  const opts = {
    image: parseReference(c.name),
    promoteTag: c.promoteTag,
    previousTag: c.previousTag,
    toDigest,
    insecure: c.insecure,
  };
  const plan = await planImageRollback(opts);
  await moveImageBack(opts, plan);
  return plan.ref;
}
