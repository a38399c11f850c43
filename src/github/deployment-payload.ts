import { redact } from '../kit/secrets.js';

/**
 * The payload of a deployment: the facts a rollback needs, written once when the
 * deployment is created (GitHub never lets it change). Only known keys, each checked for
 * its form, and nothing that looks like a secret: the payload is readable by anyone who
 * can read the repository.
 */

export const PAYLOAD_KEYS = [
  'image',
  'digest',
  'previous-digest',
  'migration-tool',
  'previous-state',
  'backup-sha256',
  'backup-name',
  'backup-artifact-id',
  'backup-run-id',
  'backup-cache-key',
  'run-id',
  'rolled-back-from',
] as const;

export type PayloadKey = (typeof PAYLOAD_KEYS)[number];
export type Payload = Partial<Record<PayloadKey, string>>;

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const CHECKS: Partial<Record<PayloadKey, [RegExp, string]>> = {
  image: [/^[a-z0-9][a-z0-9._\-/:]{0,254}$/, 'an image name without tag, e.g. ghcr.io/acme/shop'],
  digest: [DIGEST, 'sha256: followed by 64 lower-case hex digits'],
  'previous-digest': [DIGEST, 'sha256: followed by 64 lower-case hex digits'],
  'migration-tool': [
    /^(sql|alembic|django|prisma|command)$/,
    'sql, alembic, django, prisma or command',
  ],
  'backup-sha256': [/^[0-9a-f]{64}$/, '64 lower-case hex digits'],
  'backup-name': [/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'the name output of backup-db'],
  'backup-artifact-id': [/^\d{1,20}$/, 'digits'],
  'backup-run-id': [/^\d{1,20}$/, 'digits'],
  'run-id': [/^\d{1,20}$/, 'digits'],
  'rolled-back-from': [/^\d{1,20}$/, 'digits'],
  'backup-cache-key': [/^[^,\s]{1,512}$/, 'a cache key (no commas or spaces)'],
};

const SECRET_LOOKING: Array<[RegExp, string]> = [
  [/[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i, 'a URL with a password'],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/, 'a GitHub token'],
  [/AGE-SECRET-KEY-1/i, 'an age identity'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b(password|passwd|secret|token|api[_-]?key)\s*[=:]\s*\S/i, 'a password or token assignment'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key'],
];

/** The secret-looking thing in text, or undefined. Registered secrets count too. */
export function secretLooking(text: string): string | undefined {
  if (redact(text) !== text) return 'a value registered as a secret';
  return SECRET_LOOKING.find(([re]) => re.test(text))?.[1];
}

/**
 * Checks a payload given as JSON text; returns it with empty values dropped, or the
 * problem (one line naming the key).
 */
export function parsePayload(text: string): { payload: Payload } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text === '' ? '{}' : text);
  } catch {
    return { problem: 'is not JSON; give an object such as {"digest": "sha256:…"}.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: 'must be a JSON object of rollback facts.' };
  }
  const out: Payload = {};
  for (const [key, raw] of Object.entries(value)) {
    if (!(PAYLOAD_KEYS as readonly string[]).includes(key)) {
      return {
        problem: `key '${key.slice(0, 60)}' is not a rollback fact; known keys: ${PAYLOAD_KEYS.join(', ')}.`,
      };
    }
    if (raw === null || raw === '') continue;
    let v: string;
    if (key === 'previous-state' && typeof raw === 'object') v = JSON.stringify(raw);
    else if (typeof raw === 'string' || typeof raw === 'number') v = String(raw);
    else return { problem: `'${key}' must be a string.` };
    const secret = secretLooking(v);
    if (secret)
      return {
        problem: `'${key}' looks like ${secret}; the payload is readable by everyone with read access, never put secrets in it.`,
      };
    const check = CHECKS[key as PayloadKey];
    if (check && !check[0].test(v))
      return { problem: `'${key}' ${JSON.stringify(v.slice(0, 80))} is not ${check[1]}.` };
    if (key === 'previous-state') {
      try {
        const s: unknown = JSON.parse(v);
        if (typeof s !== 'object' || s === null || Array.isArray(s))
          throw new Error('not an object');
      } catch {
        return {
          problem: `'previous-state' must be the previous-state output of migrate (a JSON object).`,
        };
      }
    }
    out[key as PayloadKey] = v;
  }
  if (JSON.stringify(out).length > 60_000)
    return { problem: 'is larger than 60 kB; keep only the rollback facts.' };
  return { payload: out };
}

/** A payload read back from GitHub: only the known keys, as strings. */
export function payloadFrom(value: unknown): Payload {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return {};
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  const out: Payload = {};
  for (const key of PAYLOAD_KEYS) {
    const x = (v as Record<string, unknown>)[key];
    if (typeof x === 'string' && x !== '') out[key] = x;
    else if (typeof x === 'number') out[key] = String(x);
    else if (key === 'previous-state' && x && typeof x === 'object') out[key] = JSON.stringify(x);
  }
  return out;
}
