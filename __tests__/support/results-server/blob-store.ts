// Block-blob storage on disk, the part of Azure Blob Storage the Actions clients use:
// whole-blob puts, staged blocks and a committed block list. Bodies are streamed to files
// so a large backup never sits whole in memory.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export interface StoredBlob {
  /** `<container>/<blob path>` */
  name: string;
  size: number;
  sha256: string;
  contentType: string;
  contentDisposition?: string;
  etag: string;
  lastModified: Date;
  /** the file holding the bytes */
  file: string;
}

export class BlobStoreError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface StagedBlock {
  file: string;
  size: number;
}

export interface BlobHeaders {
  contentType?: string;
  contentDisposition?: string;
}

/** Streams `body` into `file` (via a temporary name), returning size and sha256. */
async function writeBody(body: Readable, file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const tmp = `${file}.${randomUUID()}.part`;
  try {
    await pipeline(body, counter, createWriteStream(tmp));
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return { size, sha256: hash.digest('hex') };
}

export class BlobStore {
  private readonly blobs = new Map<string, StoredBlob>();
  private readonly staged = new Map<string, Map<string, StagedBlock>>();
  private seq = 0;

  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'blobs'), { recursive: true });
    mkdirSync(join(dir, 'blocks'), { recursive: true });
  }

  private nextFile(kind: 'blobs' | 'blocks'): string {
    this.seq += 1;
    return join(this.dir, kind, `${this.seq}`);
  }

  private store(name: string, file: string, size: number, sha256: string, headers: BlobHeaders) {
    const previous = this.blobs.get(name);
    if (previous) rmSync(previous.file, { force: true });
    const blob: StoredBlob = {
      name,
      size,
      sha256,
      contentType: headers.contentType || 'application/octet-stream',
      contentDisposition: headers.contentDisposition,
      etag: `"0x${createHash('md5').update(`${name}${this.seq}${Date.now()}`).digest('hex').slice(0, 16).toUpperCase()}"`,
      lastModified: new Date(),
      file,
    };
    this.blobs.set(name, blob);
    return blob;
  }

  /** Put Blob: the whole body replaces the blob. */
  async putBlob(name: string, body: Readable, headers: BlobHeaders): Promise<StoredBlob> {
    const file = this.nextFile('blobs');
    const { size, sha256 } = await writeBody(body, file);
    return this.store(name, file, size, sha256, headers);
  }

  /** Put Block: stages one uncommitted block. */
  async stageBlock(name: string, blockId: string, body: Readable): Promise<number> {
    const file = this.nextFile('blocks');
    const { size } = await writeBody(body, file);
    let blocks = this.staged.get(name);
    if (!blocks) {
      blocks = new Map();
      this.staged.set(name, blocks);
    }
    const old = blocks.get(blockId);
    if (old) rmSync(old.file, { force: true });
    blocks.set(blockId, { file, size });
    return size;
  }

  /** Put Block List: the blob becomes the listed staged blocks, in order. */
  async commitBlockList(name: string, ids: string[], headers: BlobHeaders): Promise<StoredBlob> {
    const blocks = this.staged.get(name) ?? new Map<string, StagedBlock>();
    const missing = ids.filter((id) => !blocks.has(id));
    if (missing.length > 0) {
      throw new BlobStoreError(
        400,
        'InvalidBlockList',
        `block(s) not staged: ${missing.join(', ')}`,
      );
    }
    const file = this.nextFile('blobs');
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(file);
    try {
      for (const id of ids) {
        const block = blocks.get(id) as StagedBlock;
        for await (const chunk of createReadStream(block.file)) {
          const buf = chunk as Buffer;
          hash.update(buf);
          size += buf.length;
          if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
      }
    } finally {
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(() => resolve());
      });
    }
    for (const block of blocks.values()) rmSync(block.file, { force: true });
    this.staged.delete(name);
    return this.store(name, file, size, hash.digest('hex'), headers);
  }

  get(name: string): StoredBlob | undefined {
    return this.blobs.get(name);
  }

  has(name: string): boolean {
    return this.blobs.has(name);
  }

  list(): StoredBlob[] {
    return [...this.blobs.values()];
  }

  read(name: string): Buffer | undefined {
    const blob = this.blobs.get(name);
    return blob ? readFileSync(blob.file) : undefined;
  }

  delete(name: string): boolean {
    const blob = this.blobs.get(name);
    if (!blob) return false;
    rmSync(blob.file, { force: true });
    this.blobs.delete(name);
    return true;
  }
}
