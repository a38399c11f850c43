import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCheckFile } from '../../src/http/check-schema.js';
import { planSmokeTests, runSmokeTests, type SmokeOptions } from '../../src/http/smoke-runner.js';
import { probeCertificate, TlsProbe } from '../../src/http/tls-probe.js';
import { parseCaCertificates, trustCaCertificates } from '../../src/http/tls-trust.js';
import { runAction } from '../support/run-action.js';
import { freePort } from '../support/services/common.js';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { makeTestCa, startTlsServer, type TestCa, type TlsServer } from './tls-server.js';

/** expect.tls against local https servers whose certificates expire in 5 and in 90 days. */

let ca: TestCa;
let soon: TlsServer;
let later: TlsServer;

beforeAll(async () => {
  ca = await makeTestCa();
  soon = await startTlsServer(await ca.issue('soon.test', 5));
  later = await startTlsServer(await ca.issue('later.test', 90));
}, 60_000);
afterAll(async () => {
  await soon?.stop();
  await later?.stop();
  await ca?.remove();
});

const CHECKS = `
- name: certificate
  request: { url: /health }
  expect:
    json: { $.ok: true }
    tls:
      days-left: { gte: 14 }
      hostname: localhost
      issuer: { contains: Smoke Test CA }
`;

interface Result {
  name: string;
  ok: boolean;
  error: string | null;
  certificate?: { subject: string; issuer: string; expires: string; days_left: number };
}

function smoke(base: string, inputs: Record<string, string> = {}) {
  return runAction(
    'smoke-test',
    { 'base-url': base, checks: CHECKS, 'ca-cert': ca.certFile, report: 'tls.xml', ...inputs },
    { timeoutMs: 60_000 },
  );
}

describe('expect.tls in the bundled action (ca-cert trusts the test CA)', () => {
  test('a certificate expiring in 5 days fails days-left >= 14, naming the date', async () => {
    const run = await smoke(soon.url);
    expect(run.exitCode).toBe(1);
    const [r] = JSON.parse(run.outputs.results) as Result[];
    const expires = r.certificate?.expires ?? '';
    const left = Math.floor((Date.parse(expires) - Date.now()) / 86_400_000);
    expect([4, 5]).toContain(left);
    expect(r.error).toBe(
      `expect.tls.days-left: expected >= 14, got ${r.certificate?.days_left} (the certificate expires ${expires})`,
    );
    expect(r.certificate).toMatchObject({
      subject: 'CN=soon.test',
      issuer: 'CN=Smoke Test CA, O=runbook-actions tests',
    });
    expect(run.summary).toContain(`expires ${expires}`);
    const xml = readFileSync(join(run.workspace, 'tls.xml'), 'utf8');
    expect(xml).toContain('<failure message="expect.tls.days-left: expected &gt;= 14');
    expect(xml).toContain('certificate CN=soon.test issued by CN=Smoke Test CA');
  });

  test('a certificate valid for 90 days passes; subject, issuer and expiry are reported', async () => {
    const run = await smoke(later.url);
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const [r] = JSON.parse(run.outputs.results) as Result[];
    expect(r.certificate?.subject).toBe('CN=later.test');
    expect([88, 89, 90]).toContain(r.certificate?.days_left);
    const xml = readFileSync(join(run.workspace, 'tls.xml'), 'utf8');
    expect(xml).toMatch(
      /<system-out>certificate CN=later\.test issued by CN=Smoke Test CA, O=runbook-actions tests, expires \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ days left\)<\/system-out>/,
    );
    expect(run.summary).toContain('certificate CN=later.test issued by');
  });

  test('without ca-cert the request itself fails: the test CA is not trusted', async () => {
    const run = await smoke(later.url, { 'ca-cert': '' });
    expect(run.exitCode).toBe(1);
    const [r] = JSON.parse(run.outputs.results) as Result[];
    expect(r.error).toMatch(/^request failed: .*(certificate|issuer)/i);
  });

  test('ca-cert given as PEM text works like the path', async () => {
    const run = await smoke(later.url, { 'ca-cert': ca.certPem });
    expect(run.exitCode).toBe(0);
  });

  test('a ca-cert that is not a PEM certificate is refused before any request', async () => {
    const before = later.handshakes;
    const run = await smoke(later.url, { 'ca-cert': 'nope.pem' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `Input 'ca-cert': cannot read "nope.pem" (no such file); give a PEM file path relative to the workspace, or the PEM text.`,
    ]);
    const bad = await smoke(later.url, {
      'ca-cert': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
    });
    expect(bad.errors[0]).toMatch(
      /^Input 'ca-cert': certificate #1 is not a valid X\.509 certificate/,
    );
    expect(later.handshakes).toBe(before);
  });
});

describe('the certificate probe', () => {
  function options(): SmokeOptions {
    return {
      baseUrl: new URL(later.url),
      variables: {},
      secrets: {},
      env: {},
      timeoutMs: 5000,
      retries: 0,
      retryDelayMs: 10,
      waitForReadyMs: 0,
      concurrency: 4,
      failFast: false,
      registerSecret: () => {},
    };
  }

  test('reads subject, issuer and dates without trusting the chain, and says it is untrusted', async () => {
    const cert = await probeCertificate(new URL(soon.url), 5000);
    expect(cert.subject).toBe('CN=soon.test');
    expect(cert.altNames).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(cert.authorized).toBe(false);
    expect(cert.authorizationError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  test('one handshake per origin, however many checks ask', async () => {
    const probe = new TlsProbe();
    const before = later.handshakes;
    const url = new URL(`${later.url}/a`);
    const [a, b] = await Promise.all([
      probe.certificate(url, 5000),
      probe.certificate(new URL(`${later.url}/b`), 5000),
    ]);
    expect(a).toBe(b);
    expect(later.handshakes - before).toBe(1);
  });

  test('in-process: a wrong hostname fails naming what the certificate covers', async () => {
    trustCaCertificates(parseCaCertificates(ca.certPem));
    const file = parseCheckFile(`
- name: wrong host
  request: { url: /x }
  expect:
    tls: { hostname: api.example.com, subject: { matches: '^CN=later' } }
- name: right host
  request: { url: /y }
  expect:
    tls: { hostname: '{{host}}', days-left: { gte: 30 } }
`);
    const before = later.handshakes;
    const opts = { ...options(), variables: { host: 'localhost' }, concurrency: 1 };
    const report = await runSmokeTests(planSmokeTests(file, opts), opts);
    expect(report.results.map((r) => r.failures)).toEqual([
      [
        'expect.tls.hostname: the certificate is not valid for api.example.com (IP Address:127.0.0.1, DNS:localhost)',
      ],
      [],
    ]);
    expect(report.results[1].certificate?.subject).toBe('CN=later.test');
    // two requests on one kept-alive connection or two, plus exactly one probe
    expect(later.handshakes - before).toBeLessThanOrEqual(3);
  });

  test('expect.tls on a plain-http URL fails: there is no certificate', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const file = parseCheckFile(`
- name: plain
  request: { url: http://127.0.0.1:${port}/x }
  expect: { tls: { days-left: { gte: 1 } } }
`);
      const opts = options();
      const report = await runSmokeTests(planSmokeTests(file, opts), opts);
      expect(report.results[0].failures).toEqual([
        `expect.tls: http://127.0.0.1:${port} is not https, so there is no certificate`,
      ]);
    } finally {
      server.close();
    }
  });

  test('the probe of a port with nothing listening fails clearly', async () => {
    const port = await freePort();
    await expect(probeCertificate(new URL(`https://127.0.0.1:${port}/`), 2000)).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  test('a server that accepts but never answers the handshake: one clear timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      await expect(probeCertificate(new URL(`https://127.0.0.1:${port}/`), 300)).rejects.toThrow(
        'TLS handshake timed out after 300ms',
      );
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });
});
