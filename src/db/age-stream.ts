import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * The payload of an age v1 file (age-encryption.org/v1, "Payload"): the plaintext in 64 KiB
 * chunks, each sealed with ChaCha20-Poly1305 under HKDF-SHA256(file key, salt = the 16-byte
 * nonce after the header, info "payload"), with the nonce = 11-byte big-endian chunk counter
 * and a last-chunk flag byte. The header (recipient stanzas, key wrapping, MAC) is made and
 * opened by the age-encryption library (encryption.ts); the chunks run on Node's OpenSSL
 * ChaCha20-Poly1305, which measured 386 MB/s here against 22 MB/s for the library's pure-JS
 * cipher on the same loaded machine, the difference between a backup that keeps pace with
 * pg_dump and one that does not. Interoperability is proven against the age CLI in
 * __tests__/backup-db/encryption-stream.test.ts.
 */

export const AGE_CHUNK = 64 * 1024;
const TAG = 16;
const MAX_HEADER = 1024 * 1024;

export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

function chunkNonce(counter: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(counter), 3);
  n[11] = last ? 1 : 0;
  return n;
}

/**
 * Cuts a byte stream into blocks of `size` in one reused buffer (no copies beyond one, no
 * garbage per block: memory stays flat and the garbage collector idle). A full block is handed
 * on only when a byte after it arrives, so the last block is known when the input ends.
 */
class Blocks {
  private readonly buf: Buffer;
  private used = 0;
  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  feed(chunk: Buffer, onBlock: (block: Buffer) => void): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.used === this.size) {
        onBlock(this.buf);
        this.used = 0;
      }
      const n = Math.min(this.size - this.used, chunk.length - off);
      chunk.copy(this.buf, this.used, off, off + n);
      this.used += n;
      off += n;
    }
  }
  /** What is left: the last block (possibly empty). */
  rest(): Buffer {
    return this.buf.subarray(0, this.used);
  }
}

/** Writes `prefix` (the age header and payload nonce), then the sealed chunks. */
export class PayloadEncryptor extends Transform {
  private readonly blocks = new Blocks(AGE_CHUNK);
  private counter = 0;
  private started = false;
  constructor(
    private readonly prefix: Buffer,
    private readonly key: Buffer,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.start();
    this.blocks.feed(chunk, (block) => this.seal(block, false));
    cb();
  }
  override _flush(cb: TransformCallback): void {
    this.start();
    this.seal(this.blocks.rest(), true);
    cb();
  }
  private start(): void {
    if (this.started) return;
    this.started = true;
    this.push(this.prefix);
  }
  private seal(plain: Buffer, last: boolean): void {
    const c = createCipheriv('chacha20-poly1305', this.key, chunkNonce(this.counter++, last), {
      authTagLength: TAG,
    });
    // update() copies out of the reused block buffer
    if (plain.length > 0) this.push(c.update(plain));
    c.final();
    this.push(c.getAuthTag());
  }
}

/**
 * Opens the sealed chunks (what follows the header and nonce). A chunk is opened as the last
 * one only at the end of the input: a file cut at a chunk boundary fails to authenticate.
 * Errors go through `describe`, so the reader sees one clear line.
 */
export class PayloadDecryptor extends Transform {
  private readonly blocks = new Blocks(AGE_CHUNK + TAG);
  private counter = 0;
  constructor(
    private readonly key: Buffer,
    private readonly describe: (err: unknown) => Error,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.blocks.feed(chunk, (block) => this.open(block, false));
      cb();
    } catch (err) {
      cb(this.describe(err));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      const rest = this.blocks.rest();
      if (rest.length < TAG) throw new Error('the last chunk is missing');
      const plain = this.open(rest, true);
      if (plain === 0 && this.counter > 1) throw new Error('the last chunk is empty');
      cb();
    } catch (err) {
      cb(this.describe(err));
    }
  }
  private open(sealed: Buffer, last: boolean): number {
    const d = createDecipheriv('chacha20-poly1305', this.key, chunkNonce(this.counter++, last), {
      authTagLength: TAG,
    });
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    const plain = d.update(sealed.subarray(0, sealed.length - TAG));
    // final() throws when the tag does not authenticate: nothing unauthenticated is passed on
    d.final();
    if (plain.length > 0) this.push(plain);
    return plain.length;
  }
}

/** The header of an age file (through the MAC line), the payload nonce, and where the chunks start. */
export async function readAgeHeader(
  path: string,
): Promise<{ header: Buffer; nonce: Buffer; payloadStart: number }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MAX_HEADER + 16);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const data = buf.subarray(0, bytesRead);
    if (!data.subarray(0, 22).equals(Buffer.from('age-encryption.org/v1\n')))
      throw new Error('it does not start with the age v1 header');
    const mac = data.indexOf('\n--- ');
    const end = mac < 0 ? -1 : data.indexOf('\n', mac + 1);
    if (end < 0) throw new Error('its age header is incomplete (the file is truncated)');
    const header = Buffer.from(data.subarray(0, end + 1));
    const nonce = Buffer.from(data.subarray(end + 1, end + 17));
    if (nonce.length !== 16)
      throw new Error('its payload nonce is incomplete (the file is truncated)');
    return { header, nonce, payloadStart: end + 17 };
  } finally {
    await fh.close();
  }
}
