import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Duplex, PassThrough, Readable, Writable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter, identityToRecipient } from 'age-encryption';
import { UserError, errorMessage } from '../kit/errors.js';

/**
 * age v1 encryption of backups (actions/backup-db/README.md, "Encrypted backups"). A backup is encrypted
 * as the last stage after compression, to X25519 recipients (`age1…` public keys), so the
 * machine that makes it needs no secret. Reading it back needs an identity
 * (`AGE-SECRET-KEY-1…`). The file is a standard age file: `age -d -i key.txt` decrypts it.
 */

export const AGE_EXTENSION = '.age';
/** The first line of every age v1 file. */
export const AGE_MAGIC = 'age-encryption.org/v1\n';

const BECH32 = '[02-9ac-hj-np-z]';
const RECIPIENT = new RegExp(`^age1${BECH32}{58}$`);
const IDENTITY = new RegExp(`^AGE-SECRET-KEY-1${BECH32.toUpperCase()}{58}$`);

/** A short, public name for a recipient: the first 16 hex digits of its sha256. */
export function recipientFingerprint(recipient: string): string {
  return createHash('sha256').update(recipient).digest('hex').slice(0, 16);
}

/** Why `text` is not an X25519 age recipient, or undefined. The text is a public key. */
export function recipientProblem(text: string): string | undefined {
  if (text.startsWith('AGE-SECRET-KEY-'))
    return 'is an age secret key (identity), not a recipient; give the public key (age1…) printed by age-keygen.';
  if (!RECIPIENT.test(text))
    return `${JSON.stringify(text.slice(0, 80))} is not an age X25519 recipient (age1 followed by 58 bech32 characters, as printed by age-keygen).`;
  try {
    new Encrypter().addRecipient(text);
  } catch {
    return `${JSON.stringify(text)} is not a valid age recipient (its checksum does not match).`;
  }
  return undefined;
}

/**
 * The secret keys in an identity text: one `AGE-SECRET-KEY-1…` per line; blank lines and
 * `#` comments (as in the file age-keygen writes) are skipped. Throws a UserError that never
 * quotes the text, since it is a secret.
 */
export function parseIdentities(input: string, text: string): string[] {
  const keys = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (keys.length === 0) throw new UserError(`Input '${input}': holds no age secret key.`);
  for (const [i, key] of keys.entries()) {
    const where = keys.length > 1 ? ` (key ${i + 1} of ${keys.length})` : '';
    if (key.startsWith('age1'))
      throw new UserError(
        `Input '${input}': is an age recipient (public key)${where}; it needs the secret key AGE-SECRET-KEY-1… from age-keygen's key file.`,
      );
    if (!IDENTITY.test(key))
      throw new UserError(
        `Input '${input}': is not an age secret key${where}; expected AGE-SECRET-KEY-1 followed by 58 bech32 characters (the key file age-keygen writes).`,
      );
    try {
      new Decrypter().addIdentity(key);
    } catch {
      throw new UserError(`Input '${input}': is not a valid age secret key${where}.`);
    }
  }
  return keys;
}

/** Fingerprints of the recipients the identities decrypt for, to name them in errors. */
export async function identityFingerprints(identities: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of identities) out.push(recipientFingerprint(await identityToRecipient(id)));
  return out;
}

/**
 * A stream stage that encrypts what is written to it into an age v1 file. The age library
 * works on web streams: the node side is bridged with pull-based adapters, so backpressure
 * holds and memory stays at a few chunks whatever the backup's size.
 */
export async function createEncryptor(recipients: string[]): Promise<Duplex> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  const input = new PassThrough({ highWaterMark: 1024 * 1024 });
  const encrypted = await e.encrypt(pullFrom(input));
  const output = Readable.fromWeb(encrypted as unknown as WebReadableStream<Uint8Array>, {
    highWaterMark: 1024 * 1024,
  });
  return Duplex.from({ writable: input, readable: output });
}

/** A web ReadableStream that reads the node stream only when the consumer asks. */
function pullFrom(source: Readable): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await it.next();
        if (next.done) controller.close();
        else
          controller.enqueue(
            new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.length),
          );
      },
      async cancel(reason) {
        source.destroy(reason instanceof Error ? reason : undefined);
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Whether the file starts like an age v1 file (it is not decrypted). */
export async function looksEncrypted(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(AGE_MAGIC.length);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('latin1') === AGE_MAGIC;
  } finally {
    await fh.close();
  }
}

/** The number of recipient stanzas in an age header (X25519 stanzas do not name their key). */
export async function headerStanzas(path: string): Promise<{ stanzas: number; types: string[] }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('latin1');
    if (!text.startsWith(AGE_MAGIC)) throw new Error('it does not start with the age v1 header');
    const end = text.indexOf('\n--- ');
    if (end < 0) throw new Error('its age header is incomplete');
    const types = text
      .slice(AGE_MAGIC.length, end)
      .split('\n')
      .filter((l) => l.startsWith('-> '))
      .map((l) => l.slice(3).split(' ')[0]);
    return { stanzas: types.length, types };
  } finally {
    await fh.close();
  }
}

/** What is known about who can decrypt a backup, for error messages. */
export interface DecryptContext {
  /** the backup's file name */
  file: string;
  /** the recipients' fingerprints from the manifest (may be empty for a hand-written one) */
  recipients: string[];
  /** the input the identity came from */
  input: string;
}

function noMatch(ctx: DecryptContext): UserError {
  const who = ctx.recipients.length > 0 ? ctx.recipients.join(', ') : 'not recorded';
  return new UserError(
    `${ctx.input} does not match any recipient of ${ctx.file} (recipients: ${who}); use the secret key of one of them.`,
  );
}

/** Turns the age library's messages into one line that says what is wrong with the file. */
export function decryptError(
  err: unknown,
  ctx: DecryptContext,
  phase: 'header' | 'payload' = 'header',
): UserError {
  if (err instanceof UserError) return err;
  const msg = errorMessage(err);
  // past a header that authenticated, any failure means the ciphertext is not what was written
  if (phase === 'payload')
    return new UserError(
      `${ctx.file} is truncated or damaged: its age ciphertext does not authenticate (${msg}).`,
    );
  if (/no identity matched/i.test(msg)) return noMatch(ctx);
  if (/invalid header HMAC/i.test(msg))
    return new UserError(`the age header of ${ctx.file} is damaged (its MAC does not match).`);
  if (/invalid tag|final chunk|too small|size is invalid|premature|unexpected end/i.test(msg))
    return new UserError(
      `${ctx.file} is truncated or damaged: its age ciphertext does not authenticate (${msg}).`,
    );
  return new UserError(`${ctx.file} cannot be decrypted: ${msg}`);
}

/**
 * The plaintext of an age file, as a node stream. Returned at once; the header is read
 * in the background and a wrong identity or a damaged file arrives as the stream's error
 * (already turned into one clear line).
 */
export function openDecrypted(path: string, identities: string[], ctx: DecryptContext): Readable {
  const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  // a generator, so every failure reaches the reader as the clear line (not the library's
  // word) and the file is read only as fast as the reader takes the plaintext
  async function* plaintext(): AsyncGenerator<Buffer> {
    let plain: ReadableStream<Uint8Array>;
    try {
      plain = await d.decrypt(pullFrom(file));
    } catch (err) {
      file.destroy();
      throw decryptError(err, ctx);
    }
    const reader = plain.getReader();
    let done = false;
    try {
      for (;;) {
        let r: Awaited<ReturnType<typeof reader.read>>;
        try {
          r = await reader.read();
        } catch (err) {
          done = true;
          throw decryptError(err, ctx, 'payload');
        }
        if (r.done) {
          done = true;
          return;
        }
        yield Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      }
    } finally {
      // the reader stopped early: stop reading the file too
      if (!done) await reader.cancel().catch(() => undefined);
      file.destroy();
    }
  }
  return Readable.from(plaintext(), { objectMode: false, highWaterMark: 1024 * 1024 });
}

/**
 * Decrypts the whole file to nowhere: proves the identity matches and every chunk
 * authenticates (age's last-chunk flag also catches a file cut at a chunk boundary),
 * before anything is changed. Returns the plaintext's size.
 */
export async function verifyDecryptable(
  path: string,
  identities: string[],
  ctx: DecryptContext,
): Promise<number> {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  try {
    await pipeline(openDecrypted(path, identities, ctx), sink);
  } catch (err) {
    throw decryptError(err, ctx);
  }
  return bytes;
}
