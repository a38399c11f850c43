import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { groupAlive, pidAlive, waitFor } from '../support/services/common.js';
import { startPrometheus, type PrometheusServer } from '../support/services/prometheus.js';

const started: PrometheusServer[] = [];
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A tiny exporter on 127.0.0.1 whose gauge value the test sets. */
async function exporter(path = '/metrics') {
  const state = { value: 42, scrapes: 0 };
  const server = createServer((req, res) => {
    if (req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    state.scrapes++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      `# HELP rb_fixture_value a value the test sets\n# TYPE rb_fixture_value gauge\nrb_fixture_value{kind="test"} ${state.value}\n`,
    );
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { state, target };
}

describe('startPrometheus', () => {
  test('scrapes a local exporter and answers queries; stop cleans up', async () => {
    const { state, target } = await exporter();
    const prom = await startPrometheus({ targets: [target] });
    started.push(prom);
    await prom.waitForTargetsUp(30_000);
    expect(state.scrapes).toBeGreaterThan(0);

    await waitFor(
      async () => (await prom.queryValue('rb_fixture_value')) === 42,
      30_000,
      'the scraped value 42',
    );
    const samples = await prom.query('rb_fixture_value');
    expect(samples).toHaveLength(1);
    expect(samples[0]?.metric).toMatchObject({ kind: 'test', job: 'test', instance: target });

    // a new value shows up within a few 1 s scrapes
    state.value = 7;
    await waitFor(
      async () => (await prom.queryValue('rb_fixture_value')) === 7,
      30_000,
      'the scraped value 7',
    );
    expect(await prom.queryValue('up')).toBe(1);
    expect(await prom.queryValue('scalar(rb_fixture_value) * 2')).toBe(14);
    expect(await prom.queryValue('absent_metric_xyz')).toBeUndefined();
    await expect(prom.query('rb_fixture_value{')).rejects.toThrow(/prometheus \/api\/v1\/query/);

    const { pid, dir } = prom;
    expect(pidAlive(pid)).toBe(true);
    await prom.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(groupAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  test('a custom metrics path, a down target, and setTargets', async () => {
    const custom = await exporter('/custom/metrics');
    const prom = await startPrometheus({
      targets: [custom.target],
      metricsPath: '/custom/metrics',
    });
    started.push(prom);
    await prom.waitForTargetsUp(30_000);

    // a target answering 404 on the metrics path is down, and the error says which
    const dead = await exporter('/nothing-here');
    await prom.setTargets([dead.target]);
    await waitFor(
      async () =>
        (await prom.targets()).some(
          (t) => t.scrapeUrl.includes(dead.target) && t.health === 'down',
        ),
      30_000,
      'the 404 target to be down',
    );
    await expect(prom.waitForTargetsUp(1500)).rejects.toThrow(
      new RegExp(`${dead.target.replace(/\./g, '\\.')}/custom/metrics: down .*404`),
    );
    await prom.setTargets([custom.target]);
    await prom.waitForTargetsUp(30_000);
    await prom.stop();
    expect(pidAlive(prom.pid)).toBe(false);
  });
});
