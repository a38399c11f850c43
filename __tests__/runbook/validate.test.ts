import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunbook, RunbookError } from '../../src/runbook/validate.js';
import { scratchDir } from '../support/run-action.js';

/** A directory with a valid smoke checks file, so that the checks-file check passes. */
function project(): string {
  const dir = scratchDir('runbook-validate-');
  writeFileSync(
    join(dir, 'checks.yml'),
    'checks:\n  - name: health\n    request: { url: /healthz }\n',
  );
  return dir;
}

const FULL = `name: shop
database:
  url-env: DATABASE_URL
backup:
  format: custom
  compression: zstd
  verify: restore
  output-dir: backups
migrations:
  tool: sql
  working-directory: .
  dir: db/migrations
  table: schema_versions
  lock-wait: 2m
  python: python3.12
  django-settings: shop.settings
  status-command: echo ok
  down-command: echo down
  command: echo up
image:
  name: registry.example.com/shop
  promote-tag: live
  previous-tag: before
  insecure: false
deploy: ./deploy.sh
smoke:
  checks: checks.yml
  base-url: \${APP_URL}
  timeout: 5s
  retries: 1
  wait-for-ready: 1m
health-gate:
  probes:
    - http: { url: '\${APP_URL}/healthz' }
  duration: 2m
  interval: 10s
  success-rate: 99.5%
  max-p95: 800ms
  max-consecutive-failures: 2
  min-samples: 4
hooks:
  before-migrate: echo before
  after-deploy: echo after
  always: echo always
  on-failure: echo failure
  on-rollback: echo rollback
rollback:
  automatic: false
  parts: [deploy, database]
state-dir: .state
timeout: 45m
environments:
  staging:
    health-gate: { duration: 30s }
  production:
    backup: { verify: checksum }
    rollback: { automatic: true }
`;

function problems(text: string, env?: string): string[] {
  const dir = project();
  try {
    parseRunbook(text, join(dir, 'runbook.yml'), env, { APP_URL: 'http://127.0.0.1:1' });
  } catch (err) {
    if (err instanceof RunbookError) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('runbook.yml validation', () => {
  test('every key is read, with its value', () => {
    const dir = project();
    const b = parseRunbook(FULL, join(dir, 'runbook.yml'), undefined, {});
    expect(b.name).toBe('shop');
    expect(b.database).toEqual({ urlEnv: 'DATABASE_URL' });
    expect(b.backup).toEqual({
      format: 'custom',
      compression: 'zstd',
      verify: 'restore',
      outputDir: 'backups',
    });
    expect(b.migrations).toMatchObject({
      tool: 'sql',
      dir: 'db/migrations',
      table: 'schema_versions',
      lockWaitMs: 120_000,
      python: 'python3.12',
      djangoSettings: 'shop.settings',
      statusCommand: 'echo ok',
      downCommand: 'echo down',
      command: 'echo up',
    });
    expect(b.image).toEqual({
      name: 'registry.example.com/shop',
      promoteTag: 'live',
      previousTag: 'before',
      insecure: false,
    });
    expect(b.deploy).toBe('./deploy.sh');
    expect(b.smoke).toEqual({
      checks: 'checks.yml',
      baseUrl: '${APP_URL}',
      timeoutMs: 5000,
      retries: 1,
      waitForReadyMs: 60_000,
    });
    expect(b.gate).toMatchObject({
      durationMs: 120_000,
      intervalMs: 10_000,
      successRate: '99.5%',
      maxP95Ms: 800,
      maxConsecutiveFailures: 2,
      minSamples: 4,
    });
    expect(Object.keys(b.hooks).sort()).toEqual([
      'after-deploy',
      'always',
      'before-migrate',
      'on-failure',
      'on-rollback',
    ]);
    expect(b.rollback).toEqual({ automatic: false, parts: ['deploy', 'database'] });
    expect(b.stateDir).toBe('.state');
    expect(b.timeoutMs).toBe(45 * 60_000);
    expect(b.environments).toEqual(['staging', 'production']);
  });

  test('an environment overrides key by key and keeps the rest', () => {
    const dir = project();
    const staging = parseRunbook(FULL, join(dir, 'runbook.yml'), 'staging', {});
    expect(staging.gate?.durationMs).toBe(30_000);
    expect(staging.gate?.intervalMs).toBe(10_000);
    expect(staging.environment).toBe('staging');
    const prod = parseRunbook(FULL, join(dir, 'runbook.yml'), 'production', {});
    expect(prod.backup).toMatchObject({ verify: 'checksum', format: 'custom' });
    expect(prod.rollback).toEqual({ automatic: true, parts: ['deploy', 'database'] });
    expect(prod.gate?.durationMs).toBe(120_000);
  });

  test('defaults: automatic rollback of every part, state in .runbook/state', () => {
    const b = parseRunbook('deploy: ./deploy.sh\n', join(project(), 'runbook.yml'), undefined, {});
    expect(b.rollback).toEqual({ automatic: true, parts: ['deploy'] });
    const all = parseRunbook(
      'deploy: x\ndatabase: { url-env: DB }\nbackup: {}\nmigrations: { tool: sql }\n',
      join(project(), 'runbook.yml'),
      undefined,
      {},
    );
    expect(all.rollback.parts).toEqual(['deploy', 'migrations', 'database']);
    expect(b.stateDir).toBe('.runbook/state');
  });

  test.each([
    [
      'deploy: x\nbackup: { format: tarball }\ndatabase: { url-env: DB }\n',
      2,
      "backup.format: 'tarball' is not one of auto, custom, plain, directory",
    ],
    [
      'deploy: x\ndatabase: { url-env: DB }\nbackup:\n  verify: yes-please\n',
      4,
      "backup.verify: 'yes-please' is not one of list, checksum, restore",
    ],
    [
      'deploy: x\ndatabase: { url-env: DB }\nbackup:\n  compression: lzma\n',
      4,
      "backup.compression: 'lzma' is not one of",
    ],
    [
      'deploy: x\ndatabase: { url-env: DB }\nbackup:\n  encrypt-to: bob\n',
      4,
      'backup.encrypt-to must be an age recipient',
    ],
    [
      'deploy: x\ndatabase:\n  url-env: postgres://u:p@h/db\n',
      3,
      "database.url-env: 'postgres://u:p@h/db' is not an environment variable name",
    ],
    [
      'deploy: x\ndatabase: { url-env: DB }\nmigrations:\n  tool: flyway\n',
      4,
      "migrations.tool: 'flyway' is not one of",
    ],
    [
      'deploy: x\ndatabase: { url-env: DB }\nmigrations:\n  lock-wait: 30\n',
      4,
      'migrations.lock-wait: number 30 is not a duration',
    ],
    [
      'image:\n  name: reg.example.com/shop:latest\n',
      2,
      'must be registry/repository without a tag',
    ],
    ['image:\n  name: reg/shop\n  insecure: maybe\n', 3, 'image.insecure must be true or false'],
    [
      'deploy: x\nsmoke:\n  checks: checks.yml\n  base-url: http://x\n  retries: -1\n',
      5,
      'smoke.retries must be a whole number of at least 0',
    ],
    [
      'deploy: x\nsmoke:\n  checks: checks.yml\n  base-url: http://x\n  timeout: soon\n',
      5,
      'smoke.timeout: string "soon" is not a duration',
    ],
    [
      'deploy: x\nsmoke:\n  checks: missing.yml\n  base-url: http://x\n',
      3,
      'smoke.checks: missing.yml does not exist',
    ],
    [
      'deploy: x\nhealth-gate:\n  probes: [{ http: { url: http://x } }]\n  success-rate: lots\n',
      4,
      "health-gate.success-rate: 'lots' is not a percentage",
    ],
    [
      'deploy: x\nhealth-gate:\n  probes: [{ http: { url: http://x } }]\n  min-samples: 0\n',
      4,
      'health-gate.min-samples must be a whole number of at least 1',
    ],
    ['deploy: x\nhealth-gate:\n  probes: [{ ftp: x }]\n', 3, 'probe 1'],
    [
      'deploy: x\nhealth-gate:\n  probes: [{ http: { url: http://x } }]\n  duration: 5s\n  interval: 10s\n',
      5,
      'health-gate.interval is longer than its duration',
    ],
    [
      'deploy: x\nhooks:\n  before-deploy: echo\n',
      3,
      "unknown key 'before-deploy' in hooks; use: before-migrate, after-deploy, always, on-failure, on-rollback",
    ],
    [
      'deploy: x\nhooks:\n  always: [echo]\n',
      3,
      'hooks.always must be a non-empty text, not a list',
    ],
    [
      'deploy: x\nrollback:\n  parts: [image, deploy]\n',
      3,
      "rollback.parts[0]: 'image' is not one of deploy, migrations, database",
    ],
    [
      'deploy: x\nrollback:\n  automatic: sometimes\n',
      3,
      'rollback.automatic must be true or false',
    ],
    [
      'deploy: x\nrollback:\n  parts: [database]\n',
      3,
      'rollback.parts has database, but the runbook has no backup',
    ],
    ['deploy: x\ntimeout: forever\n', 2, 'timeout: string "forever" is not a duration'],
    ['deploy: x\nbackup: { verify: list }\n', 2, 'backup needs database.url-env'],
    ['deploy: x\nmigrations: { tool: sql }\n', 2, 'migrations with tool sql need database.url-env'],
    ['name: shop\n', 1, 'a runbook needs deploy (a command) or image'],
    ['deploy: x\nbackups: {}\n', 2, "unknown key 'backups'; use: name, database, backup"],
    [
      'deploy: x\nbackup:\n  format: auto\n  speed: fast\ndatabase: { url-env: DB }\n',
      4,
      "unknown key 'speed' in backup; use: format",
    ],
    [
      'deploy: x\nenvironments:\n  staging:\n    name: other\n',
      4,
      "unknown key 'name' in environments.staging",
    ],
    [
      'deploy: x\nenvironments:\n  staging:\n    backup: { verify: never }\n',
      4,
      "backup.verify: 'never' is not one of",
    ],
    ['deploy: x\nsmoke: [1]\n', 2, 'smoke must be a map, not a list'],
    ['deploy: [x\n', 2, 'not valid YAML'],
  ])('%j -> line %s: %s', (text, line, message) => {
    const found = problems(text);
    const hit = found.find((p) => p.includes(message));
    expect({ found, hit }).toEqual({ found, hit: expect.any(String) });
    expect(hit!.startsWith(`runbook.yml${line === undefined ? '' : `:${line}`}: `)).toBe(true);
  });

  test('an unknown environment is an error naming the known ones', () => {
    expect(problems(FULL, 'qa')).toEqual([
      expect.stringContaining(
        "environment 'qa' is not in environments; known: staging, production",
      ),
    ]);
  });

  test('every problem is listed at once, each with its own line', () => {
    const found = problems(
      'deploy: x\nbackup: { format: zip }\ntimeout: never\nhooks: { later: echo }\n',
    );
    expect(found).toEqual([
      expect.stringMatching(/^runbook\.yml:2: backup\.format/),
      expect.stringMatching(/^runbook\.yml:4: unknown key 'later'/),
      expect.stringMatching(/^runbook\.yml:3: timeout/),
      expect.stringMatching(/^runbook\.yml:2: backup needs database/),
    ]);
  });
});
