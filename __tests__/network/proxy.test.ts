import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry-client.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import {
  PROXY_ONLY_DOMAIN,
  startForwardProxy,
  type ForwardProxy,
} from '../support/forward-proxy.js';
import { describeRun, runAction, scratchDir, type ActionRun } from '../support/run-action.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';

/**
 * Every HTTP action behind a forward proxy. The targets are named `*.proxy.test`, a domain
 * only the proxy resolves (to 127.0.0.1): a request that arrives went through the proxy.
 * NO_PROXY is checked on 127.0.0.1, which undici does not exempt by itself.
 */
const APP_HOST = `app.${PROXY_ONLY_DOMAIN}`;
const REGISTRY_HOST = `registry.${PROXY_ONLY_DOMAIN}`;

/** A health endpoint and a Prometheus-like query endpoint; counts the requests it gets. */
function appHandler(hits: string[]) {
  return (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ): void => {
    hits.push(req.url ?? '');
    if ((req.url ?? '').startsWith('/api/v1/query')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [0, '0.001'] }] },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

let proxy: ForwardProxy;
let app: Server;
let appPort: number;
const appHits: string[] = [];
let registry: RegistryServer;

beforeAll(async () => {
  proxy = await startForwardProxy();
  app = createServer(appHandler(appHits));
  appPort = await listen(app);
  registry = await startRegistry();
});

afterAll(async () => {
  await proxy?.stop();
  await new Promise((r) => app?.close(r));
  await registry?.stop();
});

function expectOk(run: ActionRun): void {
  if (run.exitCode !== 0) throw new Error(describeRun(run));
}

const CHECKS =
  "- name: health\n  request: { url: '/health' }\n  expect: { status: 200, json: { '$.status': ok } }";

describe('HTTP_PROXY / http_proxy', () => {
  test('smoke-test reaches a host only the proxy knows', async () => {
    const before = proxy.requests.length;
    const run = await runAction(
      'smoke-test',
      { 'base-url': `http://${APP_HOST}:${appPort}`, checks: CHECKS },
      { env: { HTTP_PROXY: proxy.url } },
    );
    expectOk(run);
    expect(run.outputs.passed).toBe('1');
    const seen = proxy.requests.slice(before).filter((r) => r.target === `${APP_HOST}:${appPort}`);
    expect(seen.length).toBeGreaterThan(0);
  });

  test('without a proxy variable the same host cannot be reached: the proxy was the route', async () => {
    const run = await runAction(
      'smoke-test',
      { 'base-url': `http://${APP_HOST}:${appPort}`, checks: CHECKS },
      {
        env: {
          HTTP_PROXY: undefined,
          http_proxy: undefined,
          HTTPS_PROXY: undefined,
          https_proxy: undefined,
        },
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  test('health-gate: http and Prometheus probes through the proxy (lower-case http_proxy)', async () => {
    const before = proxy.requests.length;
    const hitsBefore = appHits.length;
    const probes = [
      '- name: api',
      '  http:',
      `    url: http://${APP_HOST}:${appPort}/health`,
      '- name: errors',
      '  prometheus:',
      `    url: http://${APP_HOST}:${appPort}`,
      "    query: 'sum(rate(errors[1m]))'",
      "    condition: '< 0.01'",
      '',
    ].join('\n');
    const run = await runAction(
      'health-gate',
      { duration: '1s', interval: '250ms', 'min-samples': '2', probes },
      { env: { http_proxy: proxy.url }, timeoutMs: 60_000 },
    );
    expectOk(run);
    expect(run.outputs.verdict).toBe('pass');
    const through = proxy.requests
      .slice(before)
      .filter((r) => r.target === `${APP_HOST}:${appPort}`);
    expect(through.length).toBeGreaterThan(0);
    const hits = appHits.slice(hitsBefore);
    expect(hits.some((h) => h.startsWith('/api/v1/query'))).toBe(true);
    expect(hits.some((h) => h === '/health')).toBe(true);
  });

  test('build-push-image promotes through the proxy (the registry client uses it too)', async () => {
    const direct = new RegistryClient({ registry: registry.host, insecure: true });
    const pushed = await pushTinyImage(direct, 'acme/proxied', 'v1');
    const before = proxy.requests.length;
    const run = await runAction(
      'build-push-image',
      {
        image: `${REGISTRY_HOST}:${registry.port}/acme/proxied`,
        digest: pushed.digest,
        'promote-tag': 'latest',
        'insecure-registry': 'true',
      },
      { env: { HTTP_PROXY: proxy.url } },
    );
    expectOk(run);
    expect((await direct.resolve('acme/proxied', 'latest'))?.digest).toBe(pushed.digest);
    expect(
      proxy.requests.slice(before).filter((r) => r.target === `${REGISTRY_HOST}:${registry.port}`)
        .length,
    ).toBeGreaterThan(0);
  });
});

describe('a proxy that needs a login', () => {
  test('the credentials in the proxy URL go to the proxy and are masked in the log', async () => {
    const before = proxy.requests.length;
    const run = await runAction(
      'smoke-test',
      { 'base-url': `http://${APP_HOST}:${appPort}`, checks: CHECKS },
      { env: { HTTP_PROXY: `http://deploy:pr0xy-s3cret@127.0.0.1:${proxy.port}` } },
    );
    expectOk(run);
    const seen = proxy.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    const basic = `Basic ${Buffer.from('deploy:pr0xy-s3cret').toString('base64')}`;
    expect(seen.every((r) => r.proxyAuthorization === basic)).toBe(true);
    expect(run.masks).toContain('pr0xy-s3cret');
    expect(run.stdout).not.toContain('pr0xy-s3cret');
  });
});

describe('NO_PROXY', () => {
  test('127.0.0.1 goes through the proxy unless NO_PROXY lists it; then it goes direct', async () => {
    const base = `http://127.0.0.1:${appPort}`;
    let before = proxy.requests.length;
    const proxied = await runAction(
      'smoke-test',
      { 'base-url': base, checks: CHECKS },
      { env: { HTTP_PROXY: proxy.url } },
    );
    expectOk(proxied);
    expect(
      proxy.requests.slice(before).filter((r) => r.target === `127.0.0.1:${appPort}`).length,
    ).toBeGreaterThan(0);

    before = proxy.requests.length;
    const bypassed = await runAction(
      'smoke-test',
      { 'base-url': base, checks: CHECKS },
      { env: { HTTP_PROXY: proxy.url, NO_PROXY: 'example.com, 127.0.0.1' } },
    );
    expectOk(bypassed);
    expect(proxy.requests.slice(before)).toEqual([]);
  });

  test('lower-case no_proxy naming the registry host: the registry client goes direct', async () => {
    const direct = new RegistryClient({ registry: registry.host, insecure: true });
    const pushed = await pushTinyImage(direct, 'acme/bypass', 'v1');
    const before = proxy.requests.length;
    // localhost resolves here without the proxy, so only a direct request can reach it
    const run = await runAction(
      'build-push-image',
      {
        image: `localhost:${registry.port}/acme/bypass`,
        digest: pushed.digest,
        'promote-tag': 'latest',
        'insecure-registry': 'true',
      },
      { env: { HTTP_PROXY: proxy.url, no_proxy: 'localhost' } },
    );
    expectOk(run);
    expect((await direct.resolve('acme/bypass', 'latest'))?.digest).toBe(pushed.digest);
    expect(proxy.requests.slice(before)).toEqual([]);
  });
});

describe('HTTPS_PROXY', () => {
  let tls: import('node:https').Server | undefined;
  afterAll(async () => {
    await new Promise((r) => (tls ? tls.close(r) : r(undefined)));
  });

  test('an https target is reached through a CONNECT tunnel, its certificate checked end to end', async () => {
    const dir = scratchDir('rb-proxy-tls-');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${APP_HOST}`,
        '-addext',
        `subjectAltName=DNS:${APP_HOST}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const hits: string[] = [];
    tls = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      appHandler(hits),
    );
    const port = await new Promise<number>((resolve) =>
      tls!.listen(0, '127.0.0.1', () => resolve((tls!.address() as { port: number }).port)),
    );
    const before = proxy.requests.length;
    const run = await runAction(
      'smoke-test',
      { 'base-url': `https://${APP_HOST}:${port}`, checks: CHECKS },
      { env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') } },
    );
    expectOk(run);
    expect(hits).toContain('/health');
    expect(proxy.requests.slice(before)).toEqual([
      expect.objectContaining({ method: 'CONNECT', target: `${APP_HOST}:${port}` }),
    ]);
  });
});
