import { createReadStream } from 'node:fs';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { UserError } from '../kit/errors.js';
import { openDecrypted, type DecryptContext } from './encryption.js';
import { compressedBy, type BackupManifest, type Compression } from './manifest.js';

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

/**
 * How a backup's bytes are stored, outermost last: the format's own bytes, maybe a gzip/zstd
 * stream around them, maybe age encryption around that. What reads a backup passes this to
 * openDecompressed(), the one place that undoes the layers.
 */
export interface StoredAs {
  compression: Compression;
  /** `tool`: the compression is inside the format and stays (pg_restore reads it); default stream */
  compressedBy?: 'tool' | 'stream';
  /** the file is an age v1 file */
  encrypted?: boolean;
  /** the identities that decrypt it, and what to name in errors; needed when encrypted */
  decrypt?: { identities: string[]; context: DecryptContext };
}

/** What a manifest's backup is stored as; `identities` from the decrypt-identity input. */
export function storedAsManifest(
  m: Pick<
    BackupManifest,
    'format' | 'compression' | 'compressed_by' | 'encrypted' | 'recipients' | 'file'
  >,
  identities: string[] | undefined,
  input = 'decrypt-identity',
): StoredAs {
  return {
    compression: m.compression,
    compressedBy: compressedBy(m),
    encrypted: m.encrypted === true,
    decrypt: identities
      ? { identities, context: { file: m.file, recipients: m.recipients ?? [], input } }
      : undefined,
  };
}

/**
 * Whether a restore tool must read the backup from stdin (we undo a stream codec or the
 * encryption) rather than open the file itself. An encrypted backup always goes by stdin.
 */
export function toolReadsStdin(how: StoredAs): boolean {
  if (how.encrypted) return true;
  return (how.compressedBy ?? 'stream') === 'stream' && how.compression !== 'none';
}

function streamCodec(how: Compression | StoredAs): Compression {
  if (typeof how === 'string') return how;
  return (how.compressedBy ?? 'stream') === 'tool' ? 'none' : how.compression;
}

function openRaw(path: string, how: Compression | StoredAs): Readable {
  if (typeof how === 'string' || !how.encrypted)
    return createReadStream(path, { highWaterMark: 1024 * 1024 });
  if (!how.decrypt) {
    throw new UserError(
      `${path} is encrypted (age) and no decrypt-identity was given; pass the AGE-SECRET-KEY-1… of one of its recipients.`,
    );
  }
  return openDecrypted(path, how.decrypt.identities, how.decrypt.context);
}

/**
 * The bytes a restore tool reads: decrypted when the file is an age file, decompressed when
 * a gzip/zstd stream wraps it. A Compression alone means an unencrypted stream-compressed file.
 */
export function openDecompressed(path: string, how: Compression | StoredAs): Readable {
  const file = openRaw(path, how);
  const c = streamCodec(how);
  if (c === 'none') return file;
  const d = createDecompressor(c);
  file.on('error', (err) => d.destroy(err));
  return file.pipe(d);
}

/**
 * Reads a whole (possibly compressed, possibly encrypted) file and returns its decompressed size and last bytes.
 * A truncated or corrupt gzip/zstd stream rejects; the tail lets callers check a dump's
 * completion marker without keeping the dump in memory.
 */
export async function scanDecompressed(
  path: string,
  how: Compression | StoredAs,
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
  await pipeline(openDecompressed(path, how), sink);
  return { bytes, tail: tail.toString('utf8') };
}
