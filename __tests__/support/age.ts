import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureService } from './services/common.js';

/**
 * Debian's `age` CLI (the Go reference implementation), used as the independent side of
 * the interoperability tests: keys from age-keygen, files encrypted or decrypted by `age`.
 */

export interface AgeKey {
  /** the key file age-keygen wrote (comments + AGE-SECRET-KEY-1…) */
  file: string;
  /** the whole key file's text, as a user would paste it into a secret */
  fileText: string;
  /** the AGE-SECRET-KEY-1… line alone */
  secret: string;
  /** age1… */
  recipient: string;
  /** the manifest's fingerprint of the recipient */
  fingerprint: string;
}

export function ageKeygen(dir: string, name: string): AgeKey {
  ensureService('age');
  const file = join(dir, `${name}.key`);
  execFileSync('age-keygen', ['-o', file], { stdio: ['ignore', 'ignore', 'ignore'] });
  const fileText = readFileSync(file, 'utf8');
  const secret = fileText.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1')) ?? '';
  const recipient = execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim();
  const fingerprint = createHash('sha256').update(recipient).digest('hex').slice(0, 16);
  return { file, fileText, secret, recipient, fingerprint };
}

/** `age -d -i key` of a file; throws with age's stderr when it cannot. */
export function ageDecrypt(path: string, key: AgeKey): Buffer {
  return execFileSync('age', ['-d', '-i', key.file, path], {
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `age -r <recipient> -o out in` */
export function ageEncrypt(input: string, output: string, recipients: AgeKey[]): void {
  execFileSync('age', [...recipients.flatMap((k) => ['-r', k.recipient]), '-o', output, input], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
