import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError, errorMessage } from '../kit/errors.js';
import {
  AGE_CHUNK,
  PayloadDecryptor,
  PayloadEncryptor,
  payloadKey,
  readAgeHeader,
} from './age-stream.js';

const TAG_BYTES = 16;

/**
 * age v1 encryption of backups (actions/backup-db/README.md, "Encrypted backups"). A backup
 * is encrypted as the last stage after compression, to X25519 recipients (`age1…` public
 * keys), so the machine that makes it needs no secret. Reading it back needs an identity
 * (`AGE-SECRET-KEY-1…`). The file is a standard age file: `age -d -i key.txt` decrypts it.
 */

export const AGE_EXTENSION = '.age';
/** The first line of every age v1 file. */
export const AGE_MAGIC = 'age-encryption.org/v1\n';

const BECH32 = '[02-9ac-hj-np-z]';
const RECIPIENT = new RegExp(`^age1${BECH32}{58}$`);
const IDENTITY = new RegExp(`^AGE-SECRET-KEY-1${BECH32.toUpperCase()}{58}$`);

/** The age library (with its post-quantum code) loads only when a backup is encrypted or read. */
const ageLibrary = (): Promise<typeof import('age-encryption')> => import('age-encryption');

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** Whether `text` is a bech32 string (BIP 173, as age uses it) with this prefix and 32 bytes. */
function isBech32Key(text: string, prefix: string): boolean {
  const s = text.toLowerCase();
  if (!s.startsWith(`${prefix}1`)) return false;
  const data = [...s.slice(prefix.length + 1)].map((c) => CHARSET.indexOf(c));
  // 32 bytes are 52 five-bit groups (the last 4 bits zero), then a 6-group checksum
  if (data.length !== 58 || data.some((v) => v < 0) || (data[51] & 0xf) !== 0) return false;
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  const codes = [...prefix].map((c) => c.charCodeAt(0));
  for (const v of [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31), ...data]) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i];
  }
  return chk === 1;
}

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
  if (!isBech32Key(text, 'age'))
    return `${JSON.stringify(text)} is not a valid age recipient (its checksum does not match).`;
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
    if (!isBech32Key(key, 'age-secret-key-'))
      throw new UserError(
        `Input '${input}': is not a valid age secret key${where} (its checksum does not match).`,
      );
  }
  return keys;
}

/** Fingerprints of the recipients the identities decrypt for, to name them in errors. */
export async function identityFingerprints(identities: string[]): Promise<string[]> {
  const { identityToRecipient } = await ageLibrary();
  const out: string[] = [];
  for (const id of identities) out.push(recipientFingerprint(await identityToRecipient(id)));
  return out;
}

/**
 * A stream stage that encrypts what is written to it into an age v1 file. The library makes
 * the header: it wraps a fresh file key for every recipient and MACs the header. A recipient
 * of ours that adds no stanza is handed that file key too (the Recipient interface's
 * wrapFileKey), so the payload can be sealed by age-stream.ts on Node's native cipher.
 */
export async function createEncryptor(recipients: string[]): Promise<PayloadEncryptor> {
  const { Encrypter } = await ageLibrary();
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  let fileKey: Uint8Array | undefined;
  e.addRecipient({
    wrapFileKey(key: Uint8Array) {
      fileKey = Uint8Array.from(key);
      return [];
    },
  });
  // an empty file: header, payload nonce, and the 16-byte tag of its one empty chunk
  const empty = await e.encrypt(new Uint8Array(0));
  if (!fileKey) throw new Error('the age library did not hand out the file key');
  const prefix = Buffer.from(empty.subarray(0, empty.length - 16));
  const nonce = prefix.subarray(prefix.length - 16);
  return new PayloadEncryptor(prefix, payloadKey(fileKey, nonce));
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

/** The recipient stanzas' types in an age header (X25519 stanzas do not name their key). */
export async function headerStanzas(
  path: string,
): Promise<{ stanzas: number; types: string[]; payloadBytes: number }> {
  const { header, payloadStart } = await readAgeHeader(path);
  const types = header
    .toString('latin1')
    .split('\n')
    .filter((l) => l.startsWith('-> '))
    .map((l) => l.slice(3).split(' ')[0]);
  return { stanzas: types.length, types, payloadBytes: (await stat(path)).size - payloadStart };
}

/**
 * Whether a payload of this many bytes can be whole: 64 KiB + 16 chunks, then a last chunk
 * of 16 bytes or more (only an empty file's single chunk is exactly 16).
 */
export function payloadSizeIsWhole(bytes: number): boolean {
  if (bytes === TAG_BYTES) return true;
  const last = bytes % (AGE_CHUNK + TAG_BYTES);
  return bytes > TAG_BYTES && !(last > 0 && last <= TAG_BYTES);
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
 * The plaintext of an age file, as a node stream. Returned at once; the header is opened by
 * the library in the background, then the chunks are opened as the reader takes them. A
 * wrong identity or a damaged file arrives as the stream's error, already one clear line.
 */
export function openDecrypted(path: string, identities: string[], ctx: DecryptContext): Readable {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  (async () => {
    const { Decrypter } = await ageLibrary();
    const d = new Decrypter();
    for (const id of identities) d.addIdentity(id);
    const { header, nonce, payloadStart } = await readAgeHeader(path);
    return { key: payloadKey(await d.decryptHeader(header), nonce), payloadStart };
  })()
    .then(({ key, payloadStart }) =>
      pipeline(
        createReadStream(path, { start: payloadStart, highWaterMark: 1024 * 1024 }),
        new PayloadDecryptor(key, (err) => decryptError(err, ctx, 'payload')),
        out,
      ),
    )
    .catch((err: unknown) => out.destroy(decryptError(err, ctx)));
  return out;
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
