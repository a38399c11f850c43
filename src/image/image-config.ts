import { RegistryError } from './registry-errors.js';
import type { ImageConfigResult, RegistryClient } from './registry-client.js';
import { isImageManifest, isIndex } from './media-types.js';
import type { ImageConfigBody, ImageManifestBody, IndexBody } from './media-types.js';

/** The image config of a tag or digest; for an index, the given platform's image (else the first). */
export async function readImageConfig(
  client: Pick<RegistryClient, 'registry' | 'getManifest' | 'getBlob'>,
  repository: string,
  reference: string,
  platform: { os: string; architecture: string },
): Promise<ImageConfigResult> {
  let manifest = await client.getManifest(repository, reference);
  if (!manifest) {
    throw new RegistryError(
      `${repository}:${reference} does not exist in registry ${client.registry}.`,
      404,
    );
  }
  if (isIndex(manifest.mediaType)) {
    const index = JSON.parse(manifest.bytes.toString('utf8')) as IndexBody;
    const images = index.manifests.filter((m) => m.platform?.os !== 'unknown');
    const chosen =
      images.find(
        (m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture,
      ) ?? images[0];
    if (!chosen) {
      throw new RegistryError(`the index ${repository}@${manifest.digest} lists no image.`);
    }
    manifest = await client.getManifest(repository, chosen.digest);
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
    (await client.getBlob(repository, body.config.digest)).toString('utf8'),
  ) as ImageConfigBody;
  return { manifestDigest: manifest.digest, config, labels: config.config?.Labels ?? {} };
}
