import { describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { parseProbes } from '../../src/gate/probe-config.js';
import { parseCheckFile } from '../../src/http/check-schema.js';
import { parseRunbook } from '../../src/runbook/validate.js';
import { repoRoot, scratchDir } from '../support/run-action.js';

/**
 * The JSON Schemas in schemas/ (for editors: `# yaml-language-server: $schema=...`) must
 * agree with the validators the code runs: each sample is accepted by both or by neither.
 */

const load = (name: string): object =>
  JSON.parse(readFileSync(join(repoRoot, 'schemas', name), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(load('health-gate-probes.schema.json'), 'health-gate-probes.schema.json');
ajv.addSchema(load('smoke-checks.schema.json'), 'smoke-checks.schema.json');
ajv.addSchema(load('runbook.schema.json'), 'runbook.schema.json');

function agree(
  schema: string,
  text: string,
  validator: (text: string) => void,
): { schema: boolean; code: boolean } {
  const validate = ajv.getSchema(schema)!;
  let code = true;
  try {
    validator(text);
  } catch {
    code = false;
  }
  return { schema: validate(parseYaml(text)) as boolean, code };
}

const dir = scratchDir('runbook-schemas-');
writeFileSync(
  join(dir, 'checks.yml'),
  'checks:\n  - name: health\n    request: { url: /healthz }\n',
);
const runbook = (text: string): void =>
  void parseRunbook(text, join(dir, 'runbook.yml'), undefined, {});

describe('schemas/runbook.schema.json agrees with the runbook validator', () => {
  test.each([
    ['minimal process deploy', 'deploy: ./deploy.sh', true],
    ['image only', 'image: { name: reg.example.com/shop }', true],
    [
      'every section',
      `name: shop
database: { url-env: DATABASE_URL }
backup: { format: auto, compression: gzip, verify: restore, output-dir: backups }
migrations: { tool: sql, dir: migrations, lock-wait: 1m }
deploy: ./deploy.sh
smoke: { checks: checks.yml, base-url: 'http://x', retries: 0, wait-for-ready: 0, timeout: 5s }
health-gate:
  probes: [{ http: 'http://x/healthz' }, { name: errors, prometheus: { url: 'http://p', query: 'up', condition: '> 0' } }]
  duration: 1m
  interval: 5s
  success-rate: 99%
  max-p95: 1s
  max-consecutive-failures: 2
  min-samples: 3
hooks: { before-migrate: echo a, always: echo b }
rollback: { automatic: true, parts: [deploy, database] }
state-dir: .state
timeout: 1h
environments: { staging: { health-gate: { duration: 30s } }, production: {} }`,
      true,
    ],
    ['no deploy and no image', 'name: shop', false],
    ['unknown top-level key', 'deploy: x\ndeploy-command: y', false],
    ['unknown backup key', 'deploy: x\ndatabase: { url-env: D }\nbackup: { speed: fast }', false],
    ['bad backup format', 'deploy: x\ndatabase: { url-env: D }\nbackup: { format: zip }', false],
    ['bad url-env', 'deploy: x\ndatabase: { url-env: "postgres://x" }', false],
    ['bad duration', 'deploy: x\ntimeout: soon', false],
    ['bad hook name', 'deploy: x\nhooks: { after-migrate: echo }', false],
    ['bad rollback part', 'deploy: x\nrollback: { parts: [image] }', false],
    [
      'negative retries',
      'deploy: x\nsmoke: { checks: checks.yml, base-url: "http://x", retries: -1 }',
      false,
    ],
    [
      'bad success-rate',
      'deploy: x\nhealth-gate: { probes: [{ http: "http://x" }], success-rate: lots }',
      false,
    ],
    ['unknown probe kind', 'deploy: x\nhealth-gate: { probes: [{ ftp: "ftp://x" }] }', false],
    ['unknown key in an environment', 'deploy: x\nenvironments: { staging: { name: y } }', false],
    [
      'bad value in an environment',
      'deploy: x\nenvironments: { staging: { rollback: { automatic: maybe } } }',
      false,
    ],
  ])('%s', (_label, text, valid) => {
    expect(agree('runbook.schema.json', text, runbook)).toEqual({ schema: valid, code: valid });
  });
});

describe('schemas/smoke-checks.schema.json agrees with the check file parser', () => {
  test.each([
    ['a list', '- name: a\n  request: { url: /a }', true],
    [
      'a map with variables',
      `variables: { user: alice }
checks:
  - name: login
    request: { method: POST, url: /login, json: { user: '{{user}}' } }
    expect: { status: [200, 2xx], headers: { content-type: /json/ }, body-contains: token, max-duration: 2s }
    capture: { token: $.token }
    secret-captures: [token]
    retries: 3
  - name: me
    needs: [login]
    request: { url: /me, headers: { Authorization: 'Bearer {{token}}' } }`,
      true,
    ],
    ['unknown check key', '- name: a\n  request: { url: /a }\n  wait: 1s', false],
    ['no name', '- request: { url: /a }', false],
    ['two bodies', '- name: a\n  request: { url: /a, json: {}, body: x }', false],
    ['retries above 100', '- name: a\n  request: { url: /a }\n  retries: 101', false],
    ['status out of range', '- name: a\n  request: { url: /a }\n  expect: { status: 700 }', false],
    ['unknown top-level key', 'checks:\n  - name: a\n    request: { url: /a }\nvars: {}', false],
    ['empty list', 'checks: []', false],
    ['unknown expect key', '- name: a\n  request: { url: /a }\n  expect: { code: 200 }', false],
    [
      'tls expectations and cookie/header captures',
      "- name: a\n  request: { url: 'https://x/a' }\n  expect: { tls: { days-left: { gte: 14 }, hostname: x } }\n  capture: { csrf: 'cookie:csrftoken', id: 'regex:header:Location:/id=(\\d+)/' }",
      true,
    ],
    [
      'unknown tls key',
      "- name: a\n  request: { url: 'https://x/a' }\n  expect: { tls: { expiry: 3 } }",
      false,
    ],
  ])('%s', (_label, text, valid) => {
    expect(agree('smoke-checks.schema.json', text, (t) => void parseCheckFile(t))).toEqual({
      schema: valid,
      code: valid,
    });
  });
});

describe('schemas/health-gate-probes.schema.json agrees with the probes parser', () => {
  // the sql probe reads its url-env when the probes are parsed
  process.env.SCHEMA_TEST_DATABASE_URL = 'sqlite:schema-test.db';
  test.each([
    ['http shorthand', '- http: http://x/healthz', true],
    [
      'every kind',
      "- name: web\n  http: { url: 'http://x', method: HEAD, timeout: 2s }\n- prometheus: { url: 'http://p', query: up, condition: '> 0' }\n- command: ./check.sh",
      true,
    ],
    ['command map', '- command: { run: ./check.sh, timeout: 1m }', true],
    ['empty list', '[]', false],
    ['unknown kind', '- ftp: ftp://x', false],
    ['two kinds', '- http: http://x\n  command: ./c', false],
    ['unknown http setting', '- http: { url: http://x, verb: GET }', false],
    ['bad timeout', '- command: { run: ./c, timeout: soon }', false],
    ['prometheus without query', '- prometheus: { url: http://p, condition: "> 0" }', false],
    [
      'json, output and sql conditions',
      "- http: { url: 'http://x', json: { $.status: ok, $.db: { in: [up] } } }\n- command: { run: ./logs, output: { not-matches: /ERROR/ } }\n- command: { run: ./n, output: { number: '/n=(\\d+)/', condition: '< 10' } }\n- sql: { url-env: SCHEMA_TEST_DATABASE_URL, query: 'SELECT 1', condition: '== 1' }",
      true,
    ],
    ['sql without condition', "- sql: { url-env: DATABASE_URL, query: 'SELECT 1' }", false],
    [
      'sql with url and url-env',
      "- sql: { url: 'sqlite:x.db', url-env: D, query: 'SELECT 1', condition: '== 1' }",
      false,
    ],
    [
      'output number without condition',
      "- command: { run: ./n, output: { number: '/(\\d+)/' } }",
      false,
    ],
    [
      'unknown predicate in json',
      "- http: { url: 'http://x', json: { $.a: { equal: 1 } } }",
      false,
    ],
  ])('%s', (_label, text, valid) => {
    expect(
      agree('health-gate-probes.schema.json', text, (t) => void parseProbes(parseYaml(t))),
    ).toEqual({ schema: valid, code: valid });
  });
});
