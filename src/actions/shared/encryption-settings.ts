import * as core from '@actions/core';
import { InputError } from '../../kit/errors.js';
import { splitList } from '../../kit/inputs.js';
import { registerSecret } from '../../kit/secrets.js';
import { parseIdentities, recipientProblem } from '../../db/encryption.js';

/**
 * The age inputs shared by backup-db and rollback. The identity is a secret: it is masked
 * (whole and line by line) before it is looked at, and no message ever quotes it.
 */

/** `decrypt-identity`: the AGE-SECRET-KEY-1… lines, or undefined when the input is empty. */
export function readDecryptIdentity(name = 'decrypt-identity'): string[] | undefined {
  const text = core.getInput(name, { trimWhitespace: true });
  registerSecret(text);
  for (const line of text.split(/\r?\n/)) registerSecret(line.trim());
  if (text === '') return undefined;
  return parseIdentities(name, text);
}

/** `encrypt-to`: age X25519 recipients (newline/comma list), each checked, duplicates dropped. */
export function readEncryptTo(name = 'encrypt-to'): string[] {
  const items = splitList(core.getInput(name, { trimWhitespace: true }));
  for (const [i, r] of items.entries()) {
    // a secret key pasted here by mistake is still a secret
    if (r.startsWith('AGE-SECRET-KEY-')) registerSecret(r);
    const problem = recipientProblem(r);
    if (problem)
      throw new InputError(name, `${items.length > 1 ? `item ${i + 1}: ` : ''}${problem}`);
  }
  return [...new Set(items)];
}
