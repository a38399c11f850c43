import { InputError } from '../kit/errors.js';
import { InvalidReferenceError, isSha256Digest, parseReference } from './reference.js';
import type { ImageReference } from './reference.js';

/**
 * A release of several images (backend + frontend): the `images` input of build-push-image
 * (promotion) and rollback, a JSON list of objects keyed by a short name. The name keys every
 * output map (`image-refs`, `previous-digests`, ...) and the deploy command's
 * RUNBOOK_IMAGE_REF_<NAME> variable, so it is checked here once: lower-case letters, digits
 * and '-', unique. See docs/architecture.md ("Several images per release").
 */

export interface ImageListEntry {
  name: string;
  image: ImageReference;
  /** the `image` field as written, for messages */
  imageText: string;
  /** the digest field of the entry (`digest` or `to-digest`, per action), when given */
  digest?: string;
}

export const IMAGE_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const NAME_RULE = "lower-case letters, digits and '-', starting with a letter, at most 40";

/** RUNBOOK_IMAGE_REF_<NAME>: backend-api -> RUNBOOK_IMAGE_REF_BACKEND_API. */
export function imageRefVariable(name: string): string {
  return `RUNBOOK_IMAGE_REF_${name.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Parses the list. `digestField` names the field holding a digest (`digest` for promotion,
 * `to-digest` for rollback); `digestRequired` makes it mandatory. Other fields are refused so
 * a typo (`digets`) is not silently ignored; `ignoredFields` (e.g. the build fields of the
 * deploy workflow's list: context, dockerfile) are accepted and not read.
 */
export function parseImageList(
  input: string,
  text: string,
  opts: { digestField: string; digestRequired: boolean; ignoredFields?: readonly string[] },
): ImageListEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(
      input,
      `is not JSON; give a list such as [{"name": "backend", "image": "ghcr.io/acme/backend"${opts.digestRequired ? `, "${opts.digestField}": "sha256:…"` : ''}}].`,
    );
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new InputError(input, 'must be a JSON list of at least one {"name", "image"} object.');
  }
  const known = new Set(['name', 'image', opts.digestField, ...(opts.ignoredFields ?? [])]);
  const seen = new Map<string, string>();
  const out: ImageListEntry[] = [];
  value.forEach((raw: unknown, i) => {
    const where = `entry ${i + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InputError(input, `${where} is not an object with name and image.`);
    }
    const o = raw as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!known.has(key)) {
        throw new InputError(
          input,
          `${where}: field '${key.slice(0, 40)}' is unknown; the fields are ${[...known].join(', ')}.`,
        );
      }
    }
    const name = o.name;
    if (typeof name !== 'string' || !IMAGE_NAME.test(name)) {
      throw new InputError(
        input,
        `${where}: name ${JSON.stringify(name ?? null)} is not a valid image name (${NAME_RULE}).`,
      );
    }
    const label = `'${name}'`;
    const imageText = o.image;
    if (typeof imageText !== 'string' || imageText === '') {
      throw new InputError(
        input,
        `${label}: image is required (a name without tag, e.g. ghcr.io/acme/${name}).`,
      );
    }
    let image: ImageReference;
    try {
      image = parseReference(imageText);
    } catch (err) {
      if (err instanceof InvalidReferenceError)
        throw new InputError(input, `${label}: ${err.message}`);
      throw err;
    }
    if (image.digest || image.tag !== undefined) {
      throw new InputError(
        input,
        `${label}: image ${JSON.stringify(imageText)} includes a ${image.digest ? 'digest' : 'tag'}; give the name only${image.digest ? ` and the digest in '${opts.digestField}'` : ''}.`,
      );
    }
    if (seen.has(name)) throw new InputError(input, `${label} is listed twice.`);
    const key = `${image.registry}/${image.repository}`;
    const other = [...seen.entries()].find(([, k]) => k === key);
    if (other) {
      throw new InputError(
        input,
        `${label} and '${other[0]}' are the same image ${imageText}; each entry needs its own repository (the promoted tag would move twice).`,
      );
    }
    seen.set(name, key);
    const d = o[opts.digestField];
    let digest: string | undefined;
    if (d !== undefined && d !== null && d !== '') {
      if (typeof d !== 'string' || !isSha256Digest(d)) {
        throw new InputError(
          input,
          `${label}: ${opts.digestField} ${JSON.stringify(String(d).slice(0, 80))} is not sha256: followed by 64 lower-case hex digits.`,
        );
      }
      digest = d;
    } else if (opts.digestRequired) {
      throw new InputError(input, `${label}: ${opts.digestField} is required.`);
    }
    out.push({ name, image, imageText, ...(digest ? { digest } : {}) });
  });
  return out;
}
