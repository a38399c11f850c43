/**
 * Tiny images written straight into a registry through its HTTP API (one layer holding one
 * random file), so promotion tests and the benchmark need no builder and no daemon.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { RegistryClient, sha256Digest } from '../../../src/image/registry-client.js';
import {
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER,
  OCI_MANIFEST,
} from '../../../src/image/media-types.js';

/** A ustar archive with one regular file (512-byte header, content, padding, two zero blocks). */
export function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number): void => {
    header.write(text.slice(0, length), offset, 'ascii');
  };
  const octal = (n: number, length: number): string =>
    `${n.toString(8).padStart(length - 1, '0')}\0`;
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(content.length, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  header.fill(' ', 148, 156);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const pad = (512 - (content.length % 512)) % 512;
  return Buffer.concat([header, content, Buffer.alloc(pad), Buffer.alloc(1024)]);
}

export interface PushedImage {
  digest: string;
  mediaType: string;
  labels: Record<string, string>;
}

/** Pushes a one-layer image with unique content under `tag`; returns its manifest digest. */
export async function pushTinyImage(
  client: RegistryClient,
  repository: string,
  tag: string,
  opts: { labels?: Record<string, string>; format?: 'oci' | 'docker' } = {},
): Promise<PushedImage> {
  const tar = tarOneFile('hello.txt', Buffer.from(`hello ${randomBytes(8).toString('hex')}\n`));
  const layer = gzipSync(tar);
  const labels = opts.labels ?? { 'test.tag': tag };
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: labels },
      rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
    }),
  );
  const oci = (opts.format ?? 'oci') === 'oci';
  const layerDigest = await client.uploadBlob(repository, layer);
  const configDigest = await client.uploadBlob(repository, config);
  const mediaType = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: oci ? OCI_CONFIG : DOCKER_CONFIG,
        digest: configDigest,
        size: config.length,
      },
      layers: [
        {
          mediaType: oci ? OCI_LAYER : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          digest: layerDigest,
          size: layer.length,
        },
      ],
    }),
  );
  const digest = await client.putManifest(repository, tag, { bytes: manifest, mediaType });
  return { digest, mediaType, labels };
}
