import { describe, expect, test } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deploy, rollback } from './load.js';
import { runScript } from './run-script.js';
import type { Job } from './workflow-lint.js';

/**
 * The workflow scripts that talk HTTP, run with bash against a local server: the webhook
 * notifications (Slack/Teams shape, never failing, the URL never printed) and the plan job's
 * report of each environment's last deployment (GitHub's REST wire format).
 */

function named(job: Job, name: string): string {
  const s = (job.steps ?? []).find((x) => x.name === name);
  if (!s?.run) throw new Error(`no run step '${name}'`);
  return s.run;
}

describe('notify: a Slack/Teams-compatible message that never fails the release', () => {
  const script = named(deploy.doc.jobs.notify, 'Tell the team');
  const results = { PLAN: 'success', STAGING: 'success', PRODUCTION: 'success' };

  async function withServer(
    status: number,
    fn: (url: string, bodies: string[]) => Promise<void>,
  ): Promise<void> {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      await fn(`http://127.0.0.1:${port}/hooks/T000/B000/token-xyz`, bodies);
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  test('posts {"text": ...} with the outcome and the run link, and never prints the URL', async () => {
    await withServer(200, async (url, bodies) => {
      const r = await runScript(script, {
        ...results,
        WEBHOOK: url,
        IMAGE_REF: 'ghcr.io/acme/shop@sha256:1',
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('notified: acme/shop f3c2a9d: released to production');
      expect(bodies).toHaveLength(1);
      const [method, path, type, ...rest] = bodies[0].split(' ');
      expect([method, path, type]).toEqual([
        'POST',
        '/hooks/T000/B000/token-xyz',
        'application/json',
      ]);
      const text = (JSON.parse(rest.join(' ')) as { text: string }).text;
      expect(text).toBe(
        'acme/shop f3c2a9d: released to production (plan success, staging success, production success). Image ghcr.io/acme/shop@sha256:1. https://github.com/acme/shop/actions/runs/42',
      );
      expect(r.stdout + r.stderr).not.toContain('token-xyz');
    });
  });

  test('a webhook that fails, or none: the step still passes', async () => {
    await withServer(500, async (url, bodies) => {
      const r = await runScript(script, { ...results, PRODUCTION: 'failure', WEBHOOK: url });
      expect(r.code).toBe(0);
      expect(bodies[0]).toContain('not released');
      expect(r.stdout).toContain('::warning::the notification webhook did not accept the message');
      expect(r.stdout + r.stderr).not.toContain('token-xyz');
    });
    const none = await runScript(script, { ...results, WEBHOOK: '' });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('no NOTIFY_WEBHOOK');
  });
});

describe('plan: the last deployment of each environment (a runner that died)', () => {
  const script = named(deploy.doc.jobs.plan, 'Last deployment of each environment');
  const TOKEN = 'ghs_planTokenValue123';

  async function withApi(
    routes: Record<string, unknown>,
    fn: (url: string, seen: string[]) => Promise<void>,
  ): Promise<void> {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.headers.authorization} ${req.url}`);
      const body = routes[String(req.url)];
      if (body === undefined) res.writeHead(404).end('{"message":"Not Found"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      await fn(`http://127.0.0.1:${port}`, seen);
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  test('production left in_progress is reported; staging healthy; the release goes on', async () => {
    const routes = {
      '/repos/acme/shop/deployments?environment=staging&per_page=1': [{ id: 5 }],
      '/repos/acme/shop/deployments/5/statuses?per_page=1': [
        { state: 'success', description: 'released' },
      ],
      '/repos/acme/shop/deployments?environment=production&per_page=1': [{ id: 9 }],
      '/repos/acme/shop/deployments/9/statuses?per_page=1': [
        { state: 'in_progress', log_url: 'https://github.com/acme/shop/actions/runs/41' },
      ],
    };
    await withApi(routes, async (url, seen) => {
      const r = await runScript(script, {
        GH_TOKEN: TOKEN,
        GITHUB_API_URL: url,
        ENVIRONMENTS: 'staging,production',
      });
      expect(r.code).toBe(0);
      expect(r.output).toBe('unhealthy=production\n');
      expect(r.stdout).toContain(
        "::warning::the last deployment of 'production' (9) is 'in_progress', not success",
      );
      expect(r.summary).toContain('| staging | deployment 5: success — released  |');
      expect(r.summary).toContain(
        '| production | deployment 9: in_progress ([run](https://github.com/acme/shop/actions/runs/41)) |',
      );
      expect(seen).toHaveLength(4);
      for (const line of seen)
        expect(line.startsWith(`Bearer ${TOKEN} /repos/acme/shop/`)).toBe(true);
      expect(r.stdout + r.stderr + r.summary).not.toContain(TOKEN);
    });
  });

  test('a failed release that was rolled back is not reported as unhealthy; one without is', async () => {
    const routes = {
      '/repos/acme/shop/deployments?environment=staging&per_page=1': [{ id: 5 }],
      '/repos/acme/shop/deployments/5/statuses?per_page=1': [
        { state: 'failure', description: 'not released (failure); rolled back ["image"]' },
      ],
      '/repos/acme/shop/deployments?environment=production&per_page=1': [{ id: 9 }],
      '/repos/acme/shop/deployments/9/statuses?per_page=1': [
        { state: 'failure', description: 'not released (failure); rolled back []' },
      ],
    };
    await withApi(routes, async (url) => {
      const r = await runScript(script, {
        GH_TOKEN: TOKEN,
        GITHUB_API_URL: url,
        ENVIRONMENTS: 'staging,production',
      });
      expect(r.code).toBe(0);
      expect(r.output).toBe('unhealthy=production\n');
      expect(r.summary).toContain(
        '| staging | deployment 5: failure — not released (failure); rolled back ["image"]  |',
      );
    });
  });

  test('no deployment yet, or the API out of reach: reported, never failing', async () => {
    await withApi(
      { '/repos/acme/shop/deployments?environment=staging&per_page=1': [] },
      async (url) => {
        const r = await runScript(script, {
          GH_TOKEN: TOKEN,
          GITHUB_API_URL: url,
          ENVIRONMENTS: 'staging,production',
        });
        expect(r.code).toBe(0);
        expect(r.output).toBe('unhealthy=\n');
        expect(r.summary).toContain('| staging | no deployment yet |');
        expect(r.summary).toContain('| production | unknown |');
        expect(r.stdout).toContain("::warning::could not read the deployments of 'production'");
      },
    );
  });
});

describe('the other notifications: waiting for sign-off, a manual rollback', () => {
  test.each([
    [
      'deploy: waiting for sign-off',
      named(deploy.doc.jobs['notify-sign-off'], 'Tell the approvers'),
      {
        IMAGE_REF: 'ghcr.io/acme/shop@sha256:c',
        ROLES: '["qa","devops"]',
        MODE: 'environments',
        SMOKE_PASSED: '5',
        SMOKE_TOTAL: '5',
        GATE_VERDICT: 'pass',
        BACKUP_SHA256: 'd'.repeat(64),
      },
      `acme/shop f3c2a9d: staging passed, waiting for sign-off by qa, devops (environments). Image ghcr.io/acme/shop@sha256:c; staging smoke 5/5, health gate pass, backup sha256 ${'d'.repeat(64)}. https://github.com/acme/shop/actions/runs/42`,
    ],
    [
      'rollback: done, restored version unhealthy',
      named(rollback.doc.jobs.notify, 'Tell the team'),
      {
        ENVIRONMENT: 'production',
        DRY_RUN: 'false',
        CHECK: 'success',
        RESULT: 'failure',
        ROLLED_BACK: '["image"]',
        HEALTHY: 'false',
      },
      'acme/shop: rollback of production by @alice: failure, rolled back ["image"], restored version healthy: false. https://github.com/acme/shop/actions/runs/42',
    ],
    [
      'rollback: refused',
      named(rollback.doc.jobs.notify, 'Tell the team'),
      { ENVIRONMENT: 'production', DRY_RUN: 'false', CHECK: 'failure', RESULT: 'skipped' },
      'acme/shop: rollback of production by @alice: refused (the request did not pass its checks). https://github.com/acme/shop/actions/runs/42',
    ],
  ])('%s', async (_what, script, env, text) => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await runScript(script, {
        ...env,
        WEBHOOK: `http://127.0.0.1:${port}/hook/s3cret`,
      });
      expect(r.code).toBe(0);
      expect(bodies.map((b) => JSON.parse(b) as unknown)).toEqual([{ text }]);
      expect(r.stdout + r.stderr).not.toContain('s3cret');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
