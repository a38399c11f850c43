import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReleaseRecord } from '../../src/runbook/record.js';
import { backupFingerprint, fingerprint, startShop, type Shop } from './shop.js';

/**
 * The runbook CLI end to end on the demo shop (examples/demo): Node http app, embedded
 * SQLite, a process deploy (no image).
 */

let shop: Shop | undefined;
afterEach(() => shop?.stop());

const RELEASE = ['release', '--file', 'runbook.yml', '--env', 'demo', '--json'];

function stagesOf(events: Array<Record<string, unknown>>): string[] {
  return events
    .filter((e) => e.event === 'stage-end')
    .map((e) => `${String(e.stage)} ${String(e.outcome)}`);
}

/** Rewrites one top-level key of the shop's runbook.yml. */
function setKey(s: Shop, key: string, yaml: string): void {
  const path = join(s.app, 'runbook.yml');
  const lines = readFileSync(path, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${key}:`));
  let end = start + 1;
  while (end < lines.length && /^\s/.test(lines[end])) end++;
  lines.splice(start, end - start, ...yaml.trimEnd().split('\n'));
  writeFileSync(path, lines.join('\n'));
}

describe('runbook CLI on SQLite with the demo app', () => {
  test('a good release: every stage passes, v2 is live, the state file records it', async () => {
    shop = await startShop();
    shop.checkout('v2');
    const r = await shop.cli([...RELEASE, '--ref', 'v2', '--previous-ref', 'v1']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(stagesOf(r.events)).toEqual([
      'backup passed',
      'hook before-migrate passed',
      'migrate passed',
      'deploy passed',
      'smoke passed',
      'gate passed',
      'hook always passed',
    ]);
    const record = r.result?.record as ReleaseRecord;
    expect(record.status).toBe('succeeded');
    expect(record.migrations?.applied).toEqual(['0002_order_status.sql']);
    expect(record.smoke).toMatchObject({ passed: 3, failed: 0 });
    expect(record.gate?.verdict).toBe('pass');
    expect(await shop.version()).toBe('v2');
    const state = JSON.parse(readFileSync(join(shop.app, '.runbook/state/demo.json'), 'utf8'));
    expect(state.live.ref).toBe('v2');
    expect(state.last.previousRef).toBe('v1');
  });

  test('smoke fails -> deploy re-runs with the previous ref and the database equals the backup', async () => {
    shop = await startShop();
    setKey(
      shop,
      'deploy',
      'deploy: echo "$RUNBOOK_REF ${RUNBOOK_ROLLBACK:-no}" >> "$DEMO_HOME/deploys.log" && ./deploy.sh',
    );
    shop.checkout('v2');
    expect((await shop.cli([...RELEASE, '--ref', 'v2', '--previous-ref', 'v1'])).code).toBe(0);
    const beforeV3 = fingerprint(shop.dbPath);
    shop.checkout('v3');
    const r = await shop.cli([...RELEASE, '--ref', 'v3']);
    expect(r.code).toBe(1);
    const record = r.result?.record as ReleaseRecord;
    expect(record).toMatchObject({
      status: 'rolled-back',
      failedStage: 'smoke',
      previousRef: 'v2',
    });
    expect(record.error).toContain("'products' status: expected 200, got 500");
    expect(record.rollback?.steps.map((s) => `${s.part} ${s.status}`)).toEqual([
      'deploy done',
      'database done',
    ]);
    // the bad migration refunded every order; the restore undid it
    expect(fingerprint(shop.dbPath)).toEqual(backupFingerprint(record.backup!.path, shop.home));
    expect(fingerprint(shop.dbPath)).toEqual(beforeV3);
    expect(await shop.version()).toBe('v2');
    expect(readFileSync(join(shop.home, 'deploys.log'), 'utf8')).toBe('v2 no\nv3 no\nv2 true\n');
    const state = JSON.parse(readFileSync(join(shop.app, '.runbook/state/demo.json'), 'utf8'));
    expect(state.live.ref).toBe('v2');
  });

  test('Ctrl-C during the health gate: the gate stops, the release is rolled back, exit 130', async () => {
    shop = await startShop();
    // a gate long enough to be interrupted
    setKey(
      shop,
      'health-gate',
      `health-gate:
  probes:
    - name: health
      http: { url: '\${APP_URL}/healthz' }
  duration: 5m
  interval: 200ms`,
    );
    const before = fingerprint(shop.dbPath);
    shop.checkout('v2');
    const state = join(shop.app, '.runbook/state/demo.json');
    let pid = 0;
    const running = shop.cli([...RELEASE, '--ref', 'v2', '--previous-ref', 'v1'], (p) => (pid = p));
    // wait until the record says the gate is watching
    for (let i = 0; i < 600; i++) {
      const last = existsSync(state)
        ? (JSON.parse(readFileSync(state, 'utf8')) as { last?: ReleaseRecord }).last
        : undefined;
      if (last?.stages.some((s) => s.stage === 'gate' && s.status === 'running')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await shop.version()).toBe('v2');
    process.kill(pid, 'SIGINT');
    const r = await running;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(
      'runbook: SIGINT: stopping the release; what it changed is rolled back (SIGINT again to leave without rolling back).',
    );
    const record = r.result?.record as ReleaseRecord;
    expect(record).toMatchObject({ status: 'rolled-back', failedStage: 'gate' });
    expect(record.stages.find((s) => s.stage === 'gate')?.detail).toMatch(
      /^interrupted \(SIGINT\)/,
    );
    expect(record.rollback?.steps.map((s) => `${s.part} ${s.status}`)).toEqual([
      'deploy done',
      'database done',
    ]);
    // v1 serves again on the data it had before the release
    expect(await shop.version()).toBe('v1');
    expect(fingerprint(shop.dbPath)).toEqual(before);
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect({ live: saved.live.ref, status: saved.last.status }).toEqual({
      live: 'v1',
      status: 'rolled-back',
    });
  });

  test('a second Ctrl-C leaves at once and says how to roll back', async () => {
    shop = await startShop();
    setKey(
      shop,
      'deploy',
      'deploy: ./deploy.sh && echo deployed > "$DEMO_HOME/deployed" && sleep 15',
    );
    shop.checkout('v2');
    let pid = 0;
    const running = shop.cli([...RELEASE, '--ref', 'v2', '--previous-ref', 'v1'], (p) => (pid = p));
    const marker = join(shop.home, 'deployed');
    for (let i = 0; i < 600 && !existsSync(marker); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(marker)).toBe(true);
    // the first signal stops the deploy command and starts the rollback, whose redeploy runs
    // the same slow command; the second signal, during it, leaves at once
    process.kill(pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(pid, 'SIGTERM');
    const r = await running;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(
      "runbook: SIGTERM: stopped mid-release; the release record is in .runbook/state/demo.json — run 'runbook rollback --file runbook.yml --env demo' to undo what was done.",
    );
  });

  test('hooks run in order, and always runs after a failed migrate', async () => {
    shop = await startShop();
    setKey(
      shop,
      'hooks',
      `hooks:
  before-migrate: echo "before-migrate $RUNBOOK_STATUS" >> "$DEMO_HOME/hooks.log"
  after-deploy: echo "after-deploy $RUNBOOK_STATUS" >> "$DEMO_HOME/hooks.log"
  on-failure: echo "on-failure $RUNBOOK_STATUS $RUNBOOK_FAILED_STAGE" >> "$DEMO_HOME/hooks.log"
  on-rollback: echo "on-rollback $RUNBOOK_STATUS" >> "$DEMO_HOME/hooks.log"
  always: echo "always $RUNBOOK_STATUS" >> "$DEMO_HOME/hooks.log"`,
    );
    shop.checkout('v2');
    writeFileSync(
      join(shop.app, 'migrations/0003_broken.sql'),
      'UPDATE no_such_table SET x = 1;\n',
    );
    const before = fingerprint(shop.dbPath);
    const r = await shop.cli([...RELEASE, '--ref', 'v2', '--previous-ref', 'v1']);
    expect(r.code).toBe(1);
    expect(readFileSync(join(shop.home, 'hooks.log'), 'utf8').trim().split('\n')).toEqual([
      'before-migrate running',
      'on-failure failed migrate',
      'on-rollback rolled-back',
      'always rolled-back',
    ]);
    const record = r.result?.record as ReleaseRecord;
    expect(record.failedStage).toBe('migrate');
    // deploy never ran, so only the database is rolled back; v1 keeps serving
    expect(record.rollback?.steps.map((s) => s.part)).toEqual(['database']);
    expect(fingerprint(shop.dbPath)).toEqual(before);
    expect(await shop.version()).toBe('v1');
  });

  test('runbook rollback after a good release re-deploys the previous ref and restores the backup', async () => {
    shop = await startShop();
    shop.checkout('v2');
    const before = fingerprint(shop.dbPath);
    expect((await shop.cli([...RELEASE, '--ref', 'v2', '--previous-ref', 'v1'])).code).toBe(0);
    expect(fingerprint(shop.dbPath)).not.toEqual(before);
    const r = await shop.cli(['rollback', '--file', 'runbook.yml', '--env', 'demo', '--json']);
    expect(r.code).toBe(0);
    expect(await shop.version()).toBe('v1');
    expect(fingerprint(shop.dbPath)).toEqual(before);
    const state = JSON.parse(readFileSync(join(shop.app, '.runbook/state/demo.json'), 'utf8'));
    expect({ live: state.live.ref, status: state.last.status }).toEqual({
      live: 'v1',
      status: 'rolled-back',
    });
    const again = await shop.cli(['rollback', '--file', 'runbook.yml', '--env', 'demo', '--json']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('was already rolled back');
  });

  test('bad input: exit 2 with line-numbered problems, nothing runs', async () => {
    shop = await startShop();
    setKey(shop, 'rollback', 'rollback:\n  automatic: sometimes\n  parts: [deploy]');
    const r = await shop.cli([...RELEASE, '--ref', 'v2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runbook\.yml:\d+: rollback\.automatic must be true or false/);
    const v = await shop.cli(['validate', '--file', 'runbook.yml', '--json']);
    expect(v.code).toBe(2);
    expect(JSON.parse(v.stdout.trim())).toMatchObject({
      valid: false,
      problems: [{ message: expect.stringContaining('rollback.automatic') }],
    });
    const missing = await shop.cli([...RELEASE, '--ref', 'v2', '--bogus', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('unknown option --bogus');
    const { DATABASE_URL: _unused, ...noDb } = shop.env;
    void _unused;
    setKey(shop, 'rollback', 'rollback:\n  automatic: true');
    const { runCli } = await import('./shop.js');
    const noUrl = await runCli([...RELEASE, '--ref', 'v2'], noDb, shop.app);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('the variable DATABASE_URL is not set');
    expect(await shop.version()).toBe('v1');
  });

  test('runbook action runs an action bundle with its defaults and prints its outputs', async () => {
    shop = await startShop();
    const r = await shop.cli([
      'action',
      'migrate',
      '--with',
      'mode=status',
      '--with',
      `database-url=${shop.env.DATABASE_URL}`,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.outputs).toMatchObject({ tool: 'sql', 'current-state': '{"version":"0001"}' });
    const bad = await shop.cli(['action', 'migrate', '--with', 'colour=blue']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("migrate has no input 'colour'");
  });
});
