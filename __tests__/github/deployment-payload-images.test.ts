import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import {
  parsePayload,
  payloadForGitHub,
  payloadFrom,
  payloadImages,
} from '../../src/github/deployment-payload.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { describeRun, runAction } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';

/** The `images` key of a deployment payload: a release of several images. */

const TOKEN = 'ghs_payloadImagesToken0123456789abcdefXYZ';
const SHA = 'f3c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2'; // the harness's GITHUB_SHA
const d = (c: string): string => `sha256:${c.repeat(64)}`;
const images = [
  { name: 'backend', image: 'ghcr.io/acme/backend', digest: d('2'), 'previous-digest': d('1') },
  { name: 'frontend', image: 'ghcr.io/acme/frontend', digest: d('4') },
];

describe('parsePayload: images', () => {
  test('a list (or its JSON text) is kept as JSON text; GitHub gets the list back', () => {
    for (const given of [images, JSON.stringify(images)]) {
      const r = parsePayload(JSON.stringify({ images: given, image: 'ghcr.io/acme/backend' }));
      if (!('payload' in r)) throw new Error(r.problem);
      expect(JSON.parse(r.payload.images ?? '')).toEqual(images);
      expect(payloadForGitHub(r.payload)).toEqual({ images, image: 'ghcr.io/acme/backend' });
      // read back from GitHub: the same facts
      expect(payloadImages(payloadFrom(payloadForGitHub(r.payload)))).toEqual(images);
    }
  });

  const entry = (over: Record<string, unknown>) => ({ ...images[0], ...over });
  test.each([
    ['not a list', { name: 'x' }, /^'images' must be a JSON list/],
    ['an empty list', [], /^'images' must be a JSON list/],
    ['not JSON text', '[{', /^'images' must be a JSON list/],
    ['an entry not an object', ['backend'], /^'images' entry 1 is not an object/],
    [
      'an unknown field',
      [entry({ tag: 'v1' })],
      /^'images' entry 1: field 'tag' is unknown; the fields are name, image, digest, previous-digest/,
    ],
    ['a bad name', [entry({ name: 'Back_End' })], /^'images' entry 1: name "Back_End" is not/],
    ['no name', [entry({ name: undefined })], /^'images' entry 1: name "null" is not/],
    ['a name twice', [images[0], images[0]], /^'images' 'backend' is listed twice/],
    [
      'an image with a tag',
      [entry({ image: 'ghcr.io/acme/backend:v2' })],
      /^'images' 'backend': image "ghcr.io\/acme\/backend:v2" includes a tag/,
    ],
    [
      'an image that is not a name',
      [entry({ image: 'Not An Image' })],
      /^'images' 'backend': image "Not An Image" is not an image name/,
    ],
    ['no digest', [entry({ digest: '' })], /^'images' 'backend': digest is required/],
    [
      'a bad previous-digest',
      [entry({ 'previous-digest': 'latest' })],
      /^'images' 'backend': previous-digest "latest" is not sha256:/,
    ],
    [
      'a secret',
      [entry({ image: 'ghcr.io/acme/backend' }), { name: 'db', image: 'postgres://u:pw@db/x' }],
      /^'images' looks like it holds a URL with a password; .* never put secrets in it/,
    ],
  ])('%s: refused naming the key', (_label, value, problem) => {
    const r = parsePayload(JSON.stringify({ images: value }));
    expect('problem' in r ? r.problem : 'accepted').toMatch(problem);
    // the secret itself is never echoed
    expect('problem' in r ? r.problem : '').not.toContain('pw@');
  });

  test('payloads without images read back as before', () => {
    expect(payloadImages(payloadFrom({ image: 'ghcr.io/acme/shop', digest: d('1') }))).toBe(
      undefined,
    );
  });
});

describe('the deployment action with an images payload', () => {
  let gh: GitHubServer;
  beforeAll(async () => {
    gh = await startGitHubServer({ token: TOKEN, branches: { main: SHA } });
  });
  afterAll(async () => gh?.stop());
  afterEach(() => {
    gh.state.deployments = [];
    gh.requests.length = 0;
  });

  test('start sends images as a JSON list', async () => {
    const run = await runAction(
      'deployment',
      {
        mode: 'start',
        environment: 'production',
        payload: JSON.stringify({ images, image: images[0].image, digest: images[0].digest }),
        'github-token': TOKEN,
      },
      { env: { ...gh.env, GITHUB_TOKEN: '' }, timeoutMs: 60_000 },
    );
    expectNoSecret(run, [TOKEN]);
    if (run.exitCode !== 0) throw new Error(describeRun(run));
    const [create] = gh.requestsTo('POST', /^\/repos\/acme\/shop\/deployments$/);
    expect((create.body as { payload: unknown }).payload).toEqual({
      images,
      image: images[0].image,
      digest: images[0].digest,
      'run-id': '4242',
    });
  });

  test('a bad images entry: one line naming the input and the key, nothing sent', async () => {
    const run = await runAction(
      'deployment',
      {
        mode: 'start',
        environment: 'production',
        payload: JSON.stringify({ images: [{ ...images[0], digets: d('3') }] }),
        'github-token': TOKEN,
      },
      { env: { ...gh.env, GITHUB_TOKEN: '' }, timeoutMs: 60_000 },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/^Input 'payload': 'images' entry 1: field 'digets' is unknown/),
    ]);
    expect(gh.requests).toEqual([]);
  });
});
