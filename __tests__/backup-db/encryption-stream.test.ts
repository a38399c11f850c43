import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { ageDecrypt, ageEncrypt, ageKeygen, type AgeKey } from '../support/age.js';
import { tempDir } from '../support/services/common.js';
import { openDecompressed, toolReadsStdin } from '../../src/db/compression.js';
import {
  createEncryptor,
  headerStanzas,
  parseIdentities,
  payloadSizeIsWhole,
  recipientProblem,
  verifyDecryptable,
} from '../../src/db/encryption.js';

/** The age stage on its own, against Debian's age CLI: round trips, cuts, wrong keys. */

const root = tempDir('age-stream');
let alice: AgeKey;
let bob: AgeKey;
// larger than several 64 KiB age chunks, not a multiple of the chunk size
const plaintext = randomBytes(5 * 65536 + 1234);

beforeAll(() => {
  alice = ageKeygen(root, 'alice');
  bob = ageKeygen(root, 'bob');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function encrypt(data: Buffer, recipients: string[], out: string): Promise<void> {
  await pipeline(
    Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
    await createEncryptor(recipients),
    createWriteStream(out),
  );
}

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(
    r,
    new Writable({
      write(c: Buffer, _e, cb) {
        parts.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(parts);
}

const ctx = { file: 'x.age', recipients: ['0123456789abcdef'], input: 'decrypt-identity' };

describe('the age stage', () => {
  test('what createEncryptor writes, age -d reads back byte for byte, for every recipient', async () => {
    const out = join(root, 'a.age');
    await encrypt(plaintext, [alice.recipient, bob.recipient], out);
    expect(ageDecrypt(out, alice).equals(plaintext)).toBe(true);
    expect(ageDecrypt(out, bob).equals(plaintext)).toBe(true);
    const h = await headerStanzas(out);
    expect(h).toMatchObject({ stanzas: 2, types: ['X25519', 'X25519'] });
    expect(payloadSizeIsWhole(h.payloadBytes)).toBe(true);
    // 5 full chunks + a last one of 1234 bytes, each with its 16-byte tag
    expect(h.payloadBytes).toBe(plaintext.length + 6 * 16);
    for (const cut of [0, 15, 65552 + 3, 5 * 65552 + 16])
      expect(payloadSizeIsWhole(cut)).toBe(false);
    for (const whole of [16, 17, 65552, 5 * 65552, 5 * 65552 + 17])
      expect(payloadSizeIsWhole(whole)).toBe(true);
  });

  test.each([0, 1, 65536, 2 * 65536, 2 * 65536 + 1])(
    'edge sizes (%i bytes) round-trip both ways with the age CLI',
    async (size) => {
      const data = randomBytes(size);
      const out = join(root, `edge-${size}.age`);
      await encrypt(data, [alice.recipient], out);
      expect(ageDecrypt(out, alice).equals(data)).toBe(true);
      const plain = join(root, `edge-${size}.bin`);
      writeFileSync(plain, data);
      ageEncrypt(plain, `${plain}.age`, [alice]);
      expect(await verifyDecryptable(`${plain}.age`, [alice.secret], ctx)).toBe(size);
      const how = {
        compression: 'none' as const,
        encrypted: true,
        decrypt: { identities: [alice.secret], context: ctx },
      };
      expect((await readAll(openDecompressed(out, how))).equals(data)).toBe(true);
    },
  );

  test('what age -r writes, openDecompressed decrypts and decompresses', async () => {
    const gz = join(root, 'b.gz');
    writeFileSync(gz, gzipSync(plaintext));
    ageEncrypt(gz, `${gz}.age`, [bob]);
    const how = {
      compression: 'gzip' as const,
      encrypted: true,
      decrypt: { identities: parseIdentities('decrypt-identity', bob.fileText), context: ctx },
    };
    expect(toolReadsStdin(how)).toBe(true);
    expect((await readAll(openDecompressed(`${gz}.age`, how))).equals(plaintext)).toBe(true);
    // compression inside the format (pg_dump -Z): decrypted only, and still read from stdin
    const custom = { ...how, compressedBy: 'tool' as const };
    expect(toolReadsStdin(custom)).toBe(true);
    expect((await readAll(openDecompressed(`${gz}.age`, custom))).equals(readFileSync(gz))).toBe(
      true,
    );
  });

  test('a wrong identity: one line naming the input, the file and the recipients', async () => {
    const out = join(root, 'c.age');
    await encrypt(plaintext, [alice.recipient], out);
    await expect(verifyDecryptable(out, [bob.secret], ctx)).rejects.toThrow(
      'decrypt-identity does not match any recipient of x.age (recipients: 0123456789abcdef); use the secret key of one of them.',
    );
  });

  test('cuts anywhere, also exactly at a chunk boundary, and a flipped byte are caught', async () => {
    const out = join(root, 'd.age');
    await encrypt(plaintext, [alice.recipient], out);
    const whole = readFileSync(out);
    expect(await verifyDecryptable(out, [alice.secret], ctx)).toBe(plaintext.length);
    const payloadStart = whole.length - (plaintext.length + 6 * 16);
    const cuts = [
      whole.length - 1,
      payloadStart + 2 * (65536 + 16), // after the second full chunk: no last-chunk flag
      payloadStart + 10,
    ];
    for (const cut of cuts) {
      writeFileSync(out, whole.subarray(0, cut));
      await expect(verifyDecryptable(out, [alice.secret], ctx)).rejects.toThrow(
        /^x\.age is truncated or damaged: its age ciphertext does not authenticate/,
      );
    }
    const flipped = Buffer.from(whole);
    flipped[payloadStart + 70000] ^= 1;
    writeFileSync(out, flipped);
    await expect(verifyDecryptable(out, [alice.secret], ctx)).rejects.toThrow(
      /truncated or damaged/,
    );
    // a missing identity for an encrypted file is refused before any read
    expect(() => openDecompressed(out, { compression: 'none', encrypted: true })).toThrow(
      /is encrypted \(age\) and no decrypt-identity was given/,
    );
  });

  test('inputs: recipients and identities are checked, and no message quotes a secret', () => {
    expect(recipientProblem(alice.recipient)).toBeUndefined();
    expect(recipientProblem(alice.secret)).toMatch(/is an age secret key/);
    expect(recipientProblem(alice.secret)).not.toContain(alice.secret);
    expect(parseIdentities('decrypt-identity', `${alice.fileText}\n${bob.secret}\n`)).toEqual([
      alice.secret,
      bob.secret,
    ]);
    const broken = `${alice.secret.slice(0, -1)}${alice.secret.endsWith('Q') ? 'P' : 'Q'}`;
    for (const bad of [broken, 'hunter2', '# only a comment']) {
      let message = '';
      try {
        parseIdentities('decrypt-identity', bad);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^Input 'decrypt-identity': /);
      expect(message).not.toContain(bad);
    }
  });
});
