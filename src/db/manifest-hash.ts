import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * How a backup's `sha256` and `size_bytes` are computed (manifest.ts), shared by backup-db,
 * migrate's backup gate and rollback.
 * - a file: sha256 of its bytes, its size.
 * - a directory (pg_dump -Fd): sha256 over the lines `<sha256 of file>  <relative path>\n`
 *   (the sha256sum format) of every regular file, paths sorted bytewise with `/` separators;
 *   size = the sum of the file sizes. A renamed, missing or extra file changes the digest.
 */

/** A pass-through stream that hashes and counts what flows through it. */
export class HashCounter extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  await pipeline(
    createReadStream(path, { highWaterMark: 1024 * 1024 }),
    async function (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        h.update(chunk);
        bytes += chunk.length;
      }
    },
  );
  return { sha256: h.digest('hex'), bytes };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      out.push(relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
  }
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export async function sha256Directory(
  dir: string,
): Promise<{ sha256: string; bytes: number; files: number }> {
  const outer = createHash('sha256');
  let bytes = 0;
  const files = await listFiles(dir);
  for (const rel of files) {
    const f = await sha256File(join(dir, rel));
    bytes += f.bytes;
    outer.update(`${f.sha256}  ${rel}\n`);
  }
  return { sha256: outer.digest('hex'), bytes, files: files.length };
}

/** sha256 and size of a backup, file or directory, as the manifest records them. */
export async function sha256Backup(path: string): Promise<{ sha256: string; bytes: number }> {
  const s = await stat(path);
  return s.isDirectory() ? sha256Directory(path) : sha256File(path);
}
