import { createReadStream } from 'node:fs';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import type { Compression } from './manifest.js';

/** Levels each codec accepts, and the default when `compression-level` is empty. */
export const COMPRESSION_LEVELS: Record<
  Exclude<Compression, 'none'>,
  { min: number; max: number; default: number }
> = {
  gzip: { min: 1, max: 9, default: 6 },
  zstd: { min: 1, max: 19, default: 3 },
};

export function compressionExtension(c: Compression): string {
  return c === 'gzip' ? '.gz' : c === 'zstd' ? '.zst' : '';
}

/** A streaming compressor (zlib runs on the thread pool, so it overlaps with the dump). */
export function createCompressor(c: Exclude<Compression, 'none'>, level: number): Transform {
  if (c === 'gzip') return zlib.createGzip({ level, chunkSize: 256 * 1024 });
  return zlib.createZstdCompress({
    chunkSize: 256 * 1024,
    params: { [zlib.constants.ZSTD_c_compressionLevel]: level },
  });
}

export function createDecompressor(c: Exclude<Compression, 'none'>): Transform {
  return c === 'gzip'
    ? zlib.createGunzip({ chunkSize: 256 * 1024 })
    : zlib.createZstdDecompress({ chunkSize: 256 * 1024 });
}

/** The file's bytes, decompressed when the file is a gzip/zstd stream. */
export function openDecompressed(path: string, c: Compression): Readable {
  const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
  if (c === 'none') return file;
  const d = createDecompressor(c);
  file.on('error', (err) => d.destroy(err));
  return file.pipe(d);
}

/**
 * Reads a whole (possibly compressed) file and returns its decompressed size and last bytes.
 * A truncated or corrupt gzip/zstd stream rejects; the tail lets callers check a dump's
 * completion marker without keeping the dump in memory.
 */
export async function scanDecompressed(
  path: string,
  c: Compression,
  tailBytes = 4096,
): Promise<{ bytes: number; tail: string }> {
  let bytes = 0;
  let tail = Buffer.alloc(0);
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > tailBytes) tail = tail.subarray(tail.length - tailBytes);
      cb();
    },
  });
  const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
  if (c === 'none') await pipeline(file, sink);
  else await pipeline(file, createDecompressor(c), sink);
  return { bytes, tail: tail.toString('utf8') };
}
