import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/kit/errors.js';
import { IMAGE_NAME, imageRefVariable, parseImageList } from '../../src/image/image-list.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const PROMOTE = { digestField: 'digest', digestRequired: true } as const;
const ROLLBACK = { digestField: 'to-digest', digestRequired: false } as const;

function list(entries: unknown[]): string {
  return JSON.stringify(entries);
}

/** the error parseImageList throws, checked to be an InputError of `images` */
function failure(text: string, opts: Parameters<typeof parseImageList>[2] = PROMOTE): string {
  try {
    parseImageList('images', text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('images');
    return (err as Error).message;
  }
  throw new Error('parseImageList accepted the list');
}

describe('parseImageList', () => {
  test('two entries: names, parsed references, the text as written, digests', () => {
    const out = parseImageList(
      'images',
      list([
        { name: 'backend', image: 'ghcr.io/acme/backend', digest: D1 },
        { name: 'frontend', image: '127.0.0.1:5000/acme/web', digest: D2 },
      ]),
      PROMOTE,
    );
    expect(out).toEqual([
      {
        name: 'backend',
        image: { registry: 'ghcr.io', repository: 'acme/backend' },
        imageText: 'ghcr.io/acme/backend',
        digest: D1,
      },
      {
        name: 'frontend',
        image: { registry: '127.0.0.1:5000', repository: 'acme/web' },
        imageText: '127.0.0.1:5000/acme/web',
        digest: D2,
      },
    ]);
  });

  test('Docker Hub defaults apply to the image', () => {
    const [e] = parseImageList('images', list([{ name: 'proxy', image: 'nginx' }]), ROLLBACK);
    expect(e.image).toEqual({ registry: 'docker.io', repository: 'library/nginx' });
    expect(e.imageText).toBe('nginx');
  });

  test('the digest field is per action; optional when not required (absent, empty or null)', () => {
    const out = parseImageList(
      'images',
      list([
        { name: 'a', image: 'ghcr.io/acme/a', 'to-digest': D1 },
        { name: 'b', image: 'ghcr.io/acme/b' },
        { name: 'c', image: 'ghcr.io/acme/c', 'to-digest': '' },
        { name: 'd', image: 'ghcr.io/acme/d', 'to-digest': null },
      ]),
      ROLLBACK,
    );
    expect(out.map((e) => e.digest)).toEqual([D1, undefined, undefined, undefined]);
    expect(out.filter((e) => 'digest' in e).map((e) => e.name)).toEqual(['a']);
    // `digest` is not rollback's field: a typo or a wrong field is refused
    expect(failure(list([{ name: 'a', image: 'ghcr.io/acme/a', digest: D1 }]), ROLLBACK)).toMatch(
      /entry 1: field 'digest' is unknown; the fields are name, image, to-digest\.$/,
    );
  });

  test('ignored fields (the build fields of the deploy workflow) are accepted and not read', () => {
    const out = parseImageList(
      'images',
      list([
        {
          name: 'web',
          image: 'ghcr.io/acme/web',
          digest: D1,
          context: 'web',
          dockerfile: 'Dockerfile.prod',
        },
      ]),
      { ...PROMOTE, ignoredFields: ['context', 'dockerfile'] },
    );
    expect(out).toEqual([
      {
        name: 'web',
        image: { registry: 'ghcr.io', repository: 'acme/web' },
        imageText: 'ghcr.io/acme/web',
        digest: D1,
      },
    ]);
  });

  test.each([
    ['not JSON', '[{name: "a"}]', /^Input 'images': is not JSON; give a list such as \[\{"name"/],
    ['JSON but not a list', '{"name": "a"}', /must be a JSON list of at least one/],
    ['an empty list', '[]', /must be a JSON list of at least one/],
    ['a string entry', '["ghcr.io/acme/a"]', /entry 1 is not an object with name and image/],
    ['a null entry', '[null]', /entry 1 is not an object/],
    ['a list entry', '[["a"]]', /entry 1 is not an object/],
  ])('%s', (_what, text, message) => {
    expect(failure(text)).toMatch(message);
  });

  test('the example in the not-JSON message names the digest field when it is required', () => {
    expect(failure('nope', PROMOTE)).toContain('"digest": "sha256:…"');
    expect(failure('nope', ROLLBACK)).not.toContain('to-digest');
  });

  test('an unknown field names the entry and lists the fields', () => {
    expect(failure(list([{ name: 'a', image: 'ghcr.io/acme/a', digets: D1 }]))).toBe(
      "Input 'images': entry 1: field 'digets' is unknown; the fields are name, image, digest.",
    );
  });

  test.each([
    ['upper case', 'Api'],
    ['a leading digit', '1api'],
    ['an underscore', 'api_v2'],
    ['a dot', 'api.v2'],
    ['empty', ''],
    ['41 characters', `a${'b'.repeat(40)}`],
  ])('a name with %s is refused', (_what, name) => {
    expect(failure(list([{ name, image: 'ghcr.io/acme/a', digest: D1 }]))).toBe(
      `Input 'images': entry 1: name ${JSON.stringify(name)} is not a valid image name (lower-case letters, digits and '-', starting with a letter, at most 40).`,
    );
  });

  test('a missing or non-string name is refused by position', () => {
    expect(failure(list([{ image: 'ghcr.io/acme/a', digest: D1 }]))).toMatch(
      /entry 1: name null is not a valid image name/,
    );
    expect(
      failure(
        list([
          { name: 'a', image: 'ghcr.io/acme/a', digest: D1 },
          { name: 7, image: 'ghcr.io/acme/b', digest: D2 },
        ]),
      ),
    ).toMatch(/entry 2: name 7 is not a valid image name/);
  });

  test('names at the limits are accepted', () => {
    for (const name of ['a', 'a1', 'backend-api', `a${'b'.repeat(39)}`]) {
      expect(IMAGE_NAME.test(name)).toBe(true);
    }
  });

  test('image missing, empty or not a string', () => {
    expect(failure(list([{ name: 'api', digest: D1 }]))).toBe(
      "Input 'images': 'api': image is required (a name without tag, e.g. ghcr.io/acme/api).",
    );
    expect(failure(list([{ name: 'api', image: '', digest: D1 }]))).toMatch(/image is required/);
    expect(failure(list([{ name: 'api', image: 5, digest: D1 }]))).toMatch(/image is required/);
  });

  test('an invalid reference: the reference error, prefixed with the entry', () => {
    expect(failure(list([{ name: 'api', image: 'ghcr.io/Acme/Api', digest: D1 }]))).toMatch(
      /^Input 'images': 'api': "ghcr\.io\/Acme\/Api" is not a valid image reference: /,
    );
  });

  test('an image with a tag or a digest says where each belongs', () => {
    expect(failure(list([{ name: 'api', image: 'ghcr.io/acme/api:v1', digest: D1 }]))).toBe(
      `Input 'images': 'api': image "ghcr.io/acme/api:v1" includes a tag; give the name only.`,
    );
    expect(failure(list([{ name: 'api', image: `ghcr.io/acme/api@${D2}` }]), ROLLBACK)).toBe(
      `Input 'images': 'api': image "ghcr.io/acme/api@${D2}" includes a digest; give the name only and the digest in 'to-digest'.`,
    );
  });

  test('a name listed twice', () => {
    expect(
      failure(
        list([
          { name: 'api', image: 'ghcr.io/acme/a', digest: D1 },
          { name: 'api', image: 'ghcr.io/acme/b', digest: D2 },
        ]),
      ),
    ).toBe("Input 'images': 'api' is listed twice.");
  });

  test('the same repository twice, also when written two ways', () => {
    expect(
      failure(
        list([
          { name: 'proxy', image: 'nginx', digest: D1 },
          { name: 'edge', image: 'docker.io/library/nginx', digest: D2 },
        ]),
      ),
    ).toBe(
      "Input 'images': 'edge' and 'proxy' are the same image docker.io/library/nginx; each entry needs its own repository (the promoted tag would move twice).",
    );
    // the same path on two registries is two repositories
    expect(
      parseImageList(
        'images',
        list([
          { name: 'a', image: 'ghcr.io/acme/app', digest: D1 },
          { name: 'b', image: '127.0.0.1:5000/acme/app', digest: D2 },
        ]),
        PROMOTE,
      ),
    ).toHaveLength(2);
  });

  test.each([
    ['upper-case hex', `sha256:${'A'.repeat(64)}`],
    ['too short', `sha256:${'1'.repeat(63)}`],
    ['another algorithm', `sha512:${'1'.repeat(128)}`],
    ['a number', 42],
  ])('a digest that is %s', (_what, digest) => {
    expect(failure(list([{ name: 'api', image: 'ghcr.io/acme/api', digest }]))).toMatch(
      /^Input 'images': 'api': digest .* is not sha256: followed by 64 lower-case hex digits\.$/,
    );
  });

  test('a required digest that is missing names the entry and the field', () => {
    expect(
      failure(
        list([
          { name: 'api', image: 'ghcr.io/acme/api', digest: D1 },
          { name: 'web', image: 'ghcr.io/acme/web' },
        ]),
      ),
    ).toBe("Input 'images': 'web': digest is required.");
  });

  test('the input name given is the one in the messages (rollback lists use their own)', () => {
    expect(() => parseImageList('rollback-images', 'x', ROLLBACK)).toThrow(
      /^Input 'rollback-images': is not JSON/,
    );
  });
});

describe('imageRefVariable', () => {
  test.each([
    ['backend', 'RUNBOOK_IMAGE_REF_BACKEND'],
    ['backend-api', 'RUNBOOK_IMAGE_REF_BACKEND_API'],
    ['web2', 'RUNBOOK_IMAGE_REF_WEB2'],
    ['a-b-c', 'RUNBOOK_IMAGE_REF_A_B_C'],
  ])('%s -> %s', (name, variable) => {
    expect(imageRefVariable(name)).toBe(variable);
  });
});
