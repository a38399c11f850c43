import { redact } from '../kit/secrets.js';
import { IMAGE_NAME } from '../image/image-list.js';
import { InvalidReferenceError, parseReference } from '../image/reference.js';

/**
 * The payload of a deployment: the facts a rollback needs, written once when the
 * deployment is created (GitHub never lets it change). Only known keys, each checked for
 * its form, and nothing that looks like a secret: the payload is readable by anyone who
 * can read the repository.
 */

export const PAYLOAD_KEYS = [
  'images',
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
/** `previous-state` and `images` are held as JSON text (an object, a list in the record). */
export type Payload = Partial<Record<PayloadKey, string>>;

/** One image of a release of several (`images`): what runs now and what ran before. */
export interface PayloadImage {
  name: string;
  image: string;
  digest: string;
  'previous-digest'?: string;
}
const IMAGE_FIELDS = ['name', 'image', 'digest', 'previous-digest'] as const;

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
    if (key === 'images') {
      const images = checkImages(raw);
      if ('problem' in images) return { problem: `'images' ${images.problem}` };
      out.images = JSON.stringify(images.list);
      continue;
    }
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

/**
 * `images`: a JSON list (or its text) of {name, image, digest, previous-digest?}; returns the
 * problem without the key's name, or the list with only those fields.
 */
function checkImages(raw: unknown): { list: PayloadImage[] } | { problem: string } {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      value = undefined;
    }
  }
  if (!Array.isArray(value) || value.length === 0) {
    return {
      problem:
        'must be a JSON list of {"name", "image", "digest", "previous-digest"} objects, one per image of the release.',
    };
  }
  const secret = secretLooking(JSON.stringify(value));
  if (secret) {
    return {
      problem: `looks like it holds ${secret}; the payload is readable by everyone with read access, never put secrets in it.`,
    };
  }
  const list: PayloadImage[] = [];
  const names = new Set<string>();
  for (const [i, o] of value.entries()) {
    const where = `entry ${i + 1}`;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      return { problem: `${where} is not an object with name, image and digest.` };
    }
    const e = o as Record<string, unknown>;
    const unknown = Object.keys(e).find((k) => !(IMAGE_FIELDS as readonly string[]).includes(k));
    if (unknown !== undefined) {
      return {
        problem: `${where}: field '${unknown.slice(0, 40)}' is unknown; the fields are ${IMAGE_FIELDS.join(', ')}.`,
      };
    }
    if (typeof e.name !== 'string' || !IMAGE_NAME.test(e.name)) {
      return {
        problem: `${where}: name ${JSON.stringify(String(e.name ?? null).slice(0, 60))} is not an image name (lower-case letters, digits and '-', starting with a letter).`,
      };
    }
    const label = `'${e.name}'`;
    if (names.has(e.name)) return { problem: `${label} is listed twice.` };
    names.add(e.name);
    const image = typeof e.image === 'string' ? e.image : '';
    const imageProblem = imageNameProblem(image);
    if (imageProblem) return { problem: `${label}: image ${imageProblem}` };
    const entry: PayloadImage = { name: e.name, image, digest: '' };
    for (const field of ['digest', 'previous-digest'] as const) {
      const d = e[field];
      if (d === undefined || d === null || d === '') {
        if (field === 'digest') return { problem: `${label}: digest is required.` };
        continue;
      }
      if (typeof d !== 'string' || !DIGEST.test(d)) {
        return {
          problem: `${label}: ${field} ${JSON.stringify(String(d).slice(0, 80))} is not sha256: followed by 64 lower-case hex digits.`,
        };
      }
      entry[field] = d;
    }
    list.push(entry);
  }
  return { list };
}

/** The problem with an image name (without tag or digest), or undefined. */
function imageNameProblem(text: string): string | undefined {
  const [re, rule] = CHECKS.image as [RegExp, string];
  if (!re.test(text)) return `${JSON.stringify(text.slice(0, 80))} is not ${rule}.`;
  try {
    const ref = parseReference(text);
    if (ref.tag !== undefined || ref.digest) {
      return `${JSON.stringify(text)} includes a ${ref.digest ? 'digest' : 'tag'}; give the name only.`;
    }
  } catch (err) {
    if (err instanceof InvalidReferenceError) return err.message;
    throw err;
  }
  return undefined;
}

/**
 * The `images` of a payload read back from GitHub, leniently: entries that are not
 * well-formed are left out (undefined: the payload has no list).
 */
export function payloadImages(payload: Payload): PayloadImage[] | undefined {
  if (payload.images === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload.images);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const out: PayloadImage[] = [];
  for (const o of value as unknown[]) {
    if (typeof o !== 'object' || o === null) continue;
    const e = o as Record<string, unknown>;
    if (typeof e.name !== 'string' || !IMAGE_NAME.test(e.name)) continue;
    if (typeof e.image !== 'string' || imageNameProblem(e.image)) continue;
    if (out.some((x) => x.name === e.name)) continue;
    const d = (x: unknown): string | undefined =>
      typeof x === 'string' && DIGEST.test(x) ? x : undefined;
    const digest = d(e.digest);
    const previous = d(e['previous-digest']);
    out.push({
      name: e.name,
      image: e.image,
      digest: digest ?? '',
      ...(previous ? { 'previous-digest': previous } : {}),
    });
  }
  return out;
}

/** The payload as sent to GitHub: `images` as a real JSON list, the rest as text. */
export function payloadForGitHub(payload: Payload): Record<string, unknown> {
  const out: Record<string, unknown> = { ...payload };
  if (payload.images !== undefined) {
    try {
      out.images = JSON.parse(payload.images);
    } catch {
      // a record is sent as it was read; parsePayload only ever stores valid JSON here
    }
  }
  return out;
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
    else if ((key === 'previous-state' || key === 'images') && x && typeof x === 'object')
      out[key] = JSON.stringify(x);
  }
  return out;
}
