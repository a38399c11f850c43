import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { RegistryClient } from '../../src/image/registry-client.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { expectNoSecret } from '../support/secrets.js';
import { describeRun, runAction, type ActionRun } from '../support/run-action.js';
import { waitFor } from '../support/services/common.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { pushTinyImage } from './support/images.js';

/**
 * `images`: several pushed images promoted together, all or nothing, against a real
 * registry. The second entry of the fault tests goes through a fault proxy (another
 * registry host, same storage) that fails or stalls its manifest writes.
 */
const ACTION = 'build-push-image';

function expectOk(run: ActionRun): void {
  if (run.exitCode !== 0) throw new Error(`the action failed:\n${describeRun(run)}`);
}

let registry: RegistryServer;
let proxy: FaultProxy;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy({ port: registry.port });
  client = new RegistryClient({ registry: registry.host, insecure: true, push: true });
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

async function tagOf(repo: string, tag: string): Promise<string | undefined> {
  return (await client.resolve(repo, tag))?.digest;
}

async function setTag(repo: string, tag: string, digest: string): Promise<void> {
  await client.putManifest(repo, tag, (await client.getManifest(repo, digest))!);
}

/** pushes an image and returns its digest */
async function push(repo: string, label: string): Promise<string> {
  return (await pushTinyImage(client, repo, label)).digest;
}

function imagesInput(entries: Array<[string, string, string]>): string {
  return JSON.stringify(entries.map(([name, image, digest]) => ({ name, image, digest })));
}

describe('images: two images promoted together', () => {
  test('a first release, a second one, and a re-run of the second that moves nothing', async () => {
    const backend = `${registry.host}/acme/backend`;
    const frontend = `${registry.host}/acme/frontend`;
    const b1 = await push('acme/backend', 'b1');
    const f1 = await push('acme/frontend', 'f1');
    const first = await runAction(ACTION, {
      images: imagesInput([
        ['backend', backend, b1],
        ['frontend', frontend, f1],
      ]),
      'promote-tag': 'latest',
      'insecure-registry': 'true',
    });
    expectOk(first);
    expect(first.outputs.promoted).toBe('true');
    expect(JSON.parse(first.outputs['image-refs'])).toEqual({
      backend: `${backend}@${b1}`,
      frontend: `${frontend}@${f1}`,
    });
    expect(JSON.parse(first.outputs.digests)).toEqual({ backend: b1, frontend: f1 });
    expect(JSON.parse(first.outputs['previous-digests'])).toEqual({});
    expect(first.outputs.digest).toBe(b1);
    expect(first.outputs['image-ref']).toBe(`${backend}@${b1}`);
    expect(first.outputs['previous-digest'] ?? '').toBe('');
    expect(await tagOf('acme/backend', 'latest')).toBe(b1);
    expect(await tagOf('acme/frontend', 'latest')).toBe(f1);
    expect(await tagOf('acme/backend', 'previous')).toBeUndefined();
    expect(await tagOf('acme/frontend', 'previous')).toBeUndefined();
    // one row per image: name, image, digest, the move of latest, previous
    expect(first.summary).toContain(
      `<td>backend</td><td>${backend}</td><td>${b1}</td><td>(new tag) → ${b1.slice(0, 19)}</td><td>unchanged</td>`,
    );
    expect(first.summary).toContain(`<td>frontend</td><td>${frontend}</td>`);

    const b2 = await push('acme/backend', 'b2');
    const f2 = await push('acme/frontend', 'f2');
    const inputs = {
      images: imagesInput([
        ['backend', backend, b2],
        ['frontend', frontend, f2],
      ]),
      'promote-tag': 'latest',
      'insecure-registry': 'true',
    };
    const second = await runAction(ACTION, inputs);
    expectOk(second);
    expect(second.outputs.promoted).toBe('true');
    expect(JSON.parse(second.outputs['previous-digests'])).toEqual({
      backend: b1,
      frontend: f1,
    });
    expect(second.outputs['previous-digest']).toBe(b1);
    expect(JSON.parse(second.outputs.digests)).toEqual({ backend: b2, frontend: f2 });
    for (const [repo, now, before] of [
      ['acme/backend', b2, b1],
      ['acme/frontend', f2, f1],
    ]) {
      expect(await tagOf(repo, 'latest')).toBe(now);
      expect(await tagOf(repo, 'previous')).toBe(before);
    }
    expect(second.summary).toContain(`<td>${b1.slice(0, 19)} → ${b2.slice(0, 19)}</td>`);

    const again = await runAction(ACTION, inputs);
    expectOk(again);
    expect(again.outputs.promoted).toBe('true');
    expect(JSON.parse(again.outputs['previous-digests'])).toEqual({ backend: b1, frontend: f1 });
    expect(await tagOf('acme/backend', 'previous')).toBe(b1);
    expect(await tagOf('acme/frontend', 'previous')).toBe(f1);
    expect(again.summary).toContain(`already on ${f2.slice(0, 19)}`);
  });

  test("a digest missing from the 2nd entry's repository: one error naming it, nothing moved", async () => {
    const old = await push('acme/miss-api', 'old');
    await setTag('acme/miss-api', 'live', old);
    const next = await push('acme/miss-api', 'next');
    const missing = `sha256:${'4'.repeat(64)}`;
    const run = await runAction(ACTION, {
      images: imagesInput([
        ['api', `${registry.host}/acme/miss-api`, next],
        ['web', `${registry.host}/acme/miss-web`, missing],
      ]),
      'promote-tag': 'live',
      'insecure-registry': 'true',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `'web': ${registry.host}/acme/miss-web@${missing} does not exist in the registry; push it first; nothing was moved`,
    ]);
    expect(await tagOf('acme/miss-api', 'live')).toBe(old);
    expect(await tagOf('acme/miss-api', 'previous')).toBeUndefined();
    expect(run.outputs.promoted).toBe('false');
  });
});

describe('images: one login for a registry that asks for one', () => {
  test('registry-username/password serve every entry of that registry; the password shows nowhere', async () => {
    const password = 'l1st-Pa55-w0rd';
    const secured = await startRegistry({ htpasswd: { deployer: password } });
    try {
      const c = new RegistryClient({
        registry: secured.host,
        insecure: true,
        credentials: { username: 'deployer', password, source: 't' },
      });
      const api = (await pushTinyImage(c, 'shop/api', 'r1')).digest;
      const web = (await pushTinyImage(c, 'shop/web', 'r1')).digest;
      const run = await runAction(ACTION, {
        images: imagesInput([
          ['api', `${secured.host}/shop/api`, api],
          ['web', `${secured.host}/shop/web`, web],
        ]),
        'promote-tag': 'live',
        'registry-username': 'deployer',
        'registry-password': password,
        'insecure-registry': 'true',
      });
      expectOk(run);
      expect((await c.resolve('shop/api', 'live'))?.digest).toBe(api);
      expect((await c.resolve('shop/web', 'live'))?.digest).toBe(web);
      expect(run.summary).toContain(`${secured.host}: inputs registry-username/registry-password`);
      expectNoSecret(run, [password]);
    } finally {
      await secured.stop();
    }
  });
});

describe('images: a failure in the middle moves the first entry back', () => {
  /** api on the registry itself, web through the proxy; both with live and previous set */
  async function release(prefix: string, withTags: boolean) {
    const api = `${prefix}-api`;
    const web = `${prefix}-web`;
    const before: Record<string, { live?: string; previous?: string }> = { [api]: {}, [web]: {} };
    if (withTags) {
      for (const repo of [api, web]) {
        const older = await push(repo, 'older');
        const old = await push(repo, 'old');
        await setTag(repo, 'previous', older);
        await setTag(repo, 'live', old);
        before[repo] = { live: old, previous: older };
      }
    }
    const next = { api: await push(api, 'next'), web: await push(web, 'next') };
    const images = imagesInput([
      ['api', `${registry.host}/${api}`, next.api],
      ['web', `${proxy.host}/${web}`, next.web],
    ]);
    return { api, web, before, next, images };
  }

  async function expectUnchanged(
    repo: string,
    before: { live?: string; previous?: string },
  ): Promise<void> {
    expect(await tagOf(repo, 'live')).toBe(before.live);
    expect(await tagOf(repo, 'previous')).toBe(before.previous);
  }

  test('a 500 on the 2nd manifest write: api back to its live and previous digests, one line', async () => {
    const r = await release('acme/mid', true);
    proxy.setRules([
      {
        method: 'PUT',
        path: /^\/v2\/acme\/mid-web\/manifests\//,
        times: Infinity,
        fault: { kind: 'status', status: 500 },
      },
    ]);
    const run = await runAction(
      ACTION,
      { images: r.images, 'promote-tag': 'live', 'insecure-registry': 'true' },
      { env: { RUNBOOK_RETRY_ATTEMPTS: '1' } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^promoting 'web' failed: .*500.*; moved back: 'api' /);
    expect(run.errors[0]).toMatch(
      new RegExp(
        `; moved back: 'api' live -> ${r.before[r.api].live}, previous -> ${r.before[r.api].previous}$`,
      ),
    );
    await expectUnchanged(r.api, r.before[r.api]);
    await expectUnchanged(r.web, r.before[r.web]);
    expect(run.outputs.promoted).toBe('false');
    expect(run.outputs['previous-digests']).toBeUndefined();
    expect(run.summary).toContain(`moved back to ${r.before[r.api].live!.slice(0, 19)}`);
  });

  test('the 2nd entry fails half-way (its previous written, its live refused): both back', async () => {
    const r = await release('acme/half', true);
    proxy.setRules([
      {
        method: 'PUT',
        path: /^\/v2\/acme\/half-web\/manifests\/live$/,
        times: Infinity,
        fault: { kind: 'status', status: 500 },
      },
    ]);
    const run = await runAction(
      ACTION,
      { images: r.images, 'promote-tag': 'live', 'insecure-registry': 'true' },
      { env: { RUNBOOK_RETRY_ATTEMPTS: '1' } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      new RegExp(
        `^promoting 'web' failed: writing acme/half-web:live failed: .*500.*; moved back: 'web' previous -> ${r.before[r.web].previous}, 'api' live -> ${r.before[r.api].live}, previous -> ${r.before[r.api].previous}$`,
      ),
    );
    // the proxy saw web's previous written (the move that had to be undone)
    expect(
      proxy.calls.filter(
        (c) => c.method === 'PUT' && c.path === '/v2/acme/half-web/manifests/previous',
      ),
    ).toHaveLength(2);
    await expectUnchanged(r.api, r.before[r.api]);
    await expectUnchanged(r.web, r.before[r.web]);
  });

  test('a first deploy that fails: the new live tag of api stays, and the error says so', async () => {
    const r = await release('acme/first', false);
    proxy.setRules([
      {
        method: 'PUT',
        path: /^\/v2\/acme\/first-web\/manifests\//,
        times: Infinity,
        fault: { kind: 'status', status: 500 },
      },
    ]);
    const run = await runAction(
      ACTION,
      { images: r.images, 'promote-tag': 'live', 'insecure-registry': 'true' },
      { env: { RUNBOOK_RETRY_ATTEMPTS: '1' } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      new RegExp(
        `^promoting 'web' failed: writing acme/first-web:live failed: .*500.*; could not undo: 'api' live stays on ${r.next.api} \\(it did not exist before; a registry cannot remove a tag portably\\)$`,
      ),
    );
    expect(await tagOf(r.api, 'live')).toBe(r.next.api);
    expect(await tagOf(r.web, 'live')).toBeUndefined();
  });

  test('SIGINT while the 2nd entry waits on a Retry-After: api moved back, cancelled, one line', async () => {
    const r = await release('acme/cancel', true);
    proxy.setRules([
      {
        method: 'PUT',
        path: /^\/v2\/acme\/cancel-web\/manifests\//,
        times: Infinity,
        fault: { kind: 'status', status: 503, retryAfter: '30' },
      },
    ]);
    let pid: number | undefined;
    const running = runAction(
      ACTION,
      { images: r.images, 'promote-tag': 'live', 'insecure-registry': 'true' },
      { onStart: (p) => (pid = p), timeoutMs: 120_000 },
    );
    await waitFor(
      async () => proxy.calls.some((c) => c.fault === '503' && c.path.includes('cancel-web')),
      60_000,
      'the write of web waiting on a Retry-After',
    );
    process.kill(pid!, 'SIGINT');
    await new Promise((res) => setTimeout(res, 300));
    try {
      process.kill(pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    const run = await running;
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `cancelled by SIGINT: stopped while promoting 'web' (2 of 2); moved back: 'api' live -> ${r.before[r.api].live}, previous -> ${r.before[r.api].previous}`,
    ]);
    await expectUnchanged(r.api, r.before[r.api]);
    await expectUnchanged(r.web, r.before[r.web]);
    expect(run.summary).toContain('Cancelled');
  });
});

describe('images: bad inputs fail with one line, before the registry is touched', () => {
  const D = `sha256:${'a'.repeat(64)}`;
  let inputs: (images: string, extra?: Record<string, string>) => Record<string, string>;
  let live = '';
  beforeAll(async () => {
    live = await push('acme/untouched', 'live');
    await setTag('acme/untouched', 'live', live);
    inputs = (images, extra = {}) => ({
      images,
      'promote-tag': 'live',
      'insecure-registry': 'true',
      ...extra,
    });
  });

  const img = (name = 'api', image?: string, digest = D) =>
    JSON.stringify([{ name, image: image ?? `${registry.host}/acme/untouched`, digest }]);

  const cases: Array<[string, () => Record<string, string>, string, RegExp]> = [
    ['not JSON', () => inputs('[{name: api}'), 'images', /is not JSON/],
    [
      'a name twice',
      () =>
        inputs(
          JSON.stringify([
            { name: 'api', image: `${registry.host}/acme/untouched`, digest: D },
            { name: 'api', image: `${registry.host}/acme/other`, digest: D },
          ]),
        ),
      'images',
      /'api' is listed twice/,
    ],
    ['a bad name', () => inputs(img('Api')), 'images', /name "Api" is not a valid image name/],
    [
      'an image with a tag',
      () => inputs(img('api', `${registry.host}/acme/untouched:v1`)),
      'images',
      /includes a tag/,
    ],
    [
      'images and image',
      () => inputs(img(), { image: `${registry.host}/acme/untouched` }),
      'image',
      /cannot be used with images/,
    ],
    ['images and digest', () => inputs(img(), { digest: D }), 'digest', /cannot be used/],
    ['images and tags', () => inputs(img(), { tags: 'v1' }), 'tags', /cannot be used/],
    ['images and context', () => inputs(img(), { context: 'app' }), 'context', /builds nothing/],
    [
      'images without promote-tag',
      () => inputs(img(), { 'promote-tag': '' }),
      'promote-tag',
      /is required with images/,
    ],
    [
      'one login for two registries',
      () =>
        inputs(
          JSON.stringify([
            { name: 'api', image: `${registry.host}/acme/untouched`, digest: D },
            { name: 'web', image: `${proxy.host}/acme/web`, digest: D },
          ]),
          { 'registry-username': 'u', 'registry-password': 'p4ss-Word-77' },
        ),
      'registry-username',
      /images are on 2 registries/,
    ],
  ];

  test.each(cases)('%s', async (_what, make, input, message) => {
    const calls = proxy.calls.length;
    const run = await runAction(ACTION, make());
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0].startsWith(`Input '${input}': `)).toBe(true);
    expect(run.errors[0]).toMatch(message);
    expect(run.summary).toBe('');
    expect(proxy.calls.length).toBe(calls);
    expect(await tagOf('acme/untouched', 'live')).toBe(live);
    expect(await tagOf('acme/untouched', 'previous')).toBeUndefined();
    expect(run.stdout + run.stderr).not.toContain('p4ss-Word-77');
  });
});
