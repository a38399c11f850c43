import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import {
  getBoolean,
  getDuration,
  getEnum,
  getInteger,
  getList,
  getRequired,
  getSize,
  getString,
  getUrl,
} from '../../src/kit/inputs.js';
import { getYaml } from '../../src/kit/yaml-input.js';
import { InputError } from '../../src/kit/errors.js';
import { clearSecretsForTest, redact } from '../../src/kit/secrets.js';

function setInput(name: string, value: string): void {
  process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

let stdout: jest.SpiedFunction<typeof process.stdout.write>;
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
  clearSecretsForTest();
});

describe('string and required', () => {
  test('trims, defaults when empty', () => {
    setInput('name', '  app  ');
    expect(getString('name')).toBe('app');
    expect(getString('other', { default: 'd' })).toBe('d');
  });
  test('required names the input', () => {
    const e = errorOf(() => getRequired('database-url'));
    expect(e.message).toBe("Input 'database-url': is required and was not set.");
    expect(e.input).toBe('database-url');
  });
  test('a secret input is masked in the log and in redact()', () => {
    setInput('token', 's3cr3t-value');
    expect(getString('token', { secret: true })).toBe('s3cr3t-value');
    expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toContain(
      '::add-mask::s3cr3t-value',
    );
    expect(redact('token=s3cr3t-value;')).toBe('token=***;');
  });
});

describe('boolean', () => {
  test.each([
    ['true', true],
    ['True', true],
    ['FALSE', false],
  ])('%s', (v, b) => {
    setInput('push', v);
    expect(getBoolean('push')).toBe(b);
  });
  test('default and bad value', () => {
    expect(getBoolean('push', { default: true })).toBe(true);
    setInput('push', 'yes');
    expect(errorOf(() => getBoolean('push')).message).toBe(
      `Input 'push': "yes" is not a boolean; use true or false.`,
    );
  });
});

describe('enum', () => {
  test('matches case-insensitively, lists what is accepted', () => {
    setInput('mode', 'PLAN');
    expect(getEnum('mode', ['apply', 'plan'] as const)).toBe('plan');
    setInput('mode', 'aply');
    expect(errorOf(() => getEnum('mode', ['apply', 'plan'] as const)).message).toBe(
      `Input 'mode': "aply" is not one of: apply, plan.`,
    );
    delete process.env.INPUT_MODE;
    expect(getEnum('mode', ['apply', 'plan'] as const, { default: 'apply' })).toBe('apply');
  });
});

describe('integer', () => {
  test('bounds are inclusive', () => {
    setInput('jobs', '1');
    expect(getInteger('jobs', { min: 1, max: 8 })).toBe(1);
    setInput('jobs', '8');
    expect(getInteger('jobs', { min: 1, max: 8 })).toBe(8);
  });
  test.each([
    ['-2', `Input 'jobs': -2 is out of range; expected a whole number from 1 to 8.`],
    ['9', `Input 'jobs': 9 is out of range; expected a whole number from 1 to 8.`],
    ['2.5', `Input 'jobs': "2.5" is not a whole number; expected a whole number from 1 to 8.`],
    ['four', `Input 'jobs': "four" is not a whole number; expected a whole number from 1 to 8.`],
  ])('%s is refused', (v, msg) => {
    setInput('jobs', v);
    expect(errorOf(() => getInteger('jobs', { min: 1, max: 8 })).message).toBe(msg);
  });
  test('empty gives the default', () => {
    expect(getInteger('jobs', { default: 3 })).toBe(3);
    expect(getInteger('jobs')).toBeUndefined();
  });
});

describe('duration and size', () => {
  test('duration', () => {
    setInput('timeout', '1m30s');
    expect(getDuration('timeout')).toBe(90_000);
    setInput('timeout', '-1m');
    expect(errorOf(() => getDuration('timeout')).message).toMatch(
      /^Input 'timeout': "-1m" is not a duration; use .*1m30s\.$/,
    );
    setInput('timeout', '0s');
    expect(errorOf(() => getDuration('timeout')).message).toBe(
      `Input 'timeout': "0s" must be greater than zero.`,
    );
    expect(getDuration('timeout', { allowZero: true })).toBe(0);
    delete process.env.INPUT_TIMEOUT;
    expect(getDuration('timeout', { default: '10s' })).toBe(10_000);
  });
  test('size', () => {
    setInput('min-size', '5MiB');
    expect(getSize('min-size')).toBe(5 * 1024 * 1024);
    setInput('min-size', 'big');
    expect(errorOf(() => getSize('min-size')).message).toMatch(
      /^Input 'min-size': "big" is not a size/,
    );
  });
});

describe('list', () => {
  test('newline or comma separated, trimmed, empties dropped', () => {
    setInput('targets', 'image, migrations\n\n database ,');
    expect(getList('targets')).toEqual(['image', 'migrations', 'database']);
  });
  test('newline only keeps commas inside items', () => {
    setInput('build-args', 'A=1,2\nB=3');
    expect(getList('build-args', { newlineOnly: true })).toEqual(['A=1,2', 'B=3']);
  });
});

describe('yaml', () => {
  test('parses a value', () => {
    setInput('variables', 'user: alice\nretries: 3\n');
    expect(getYaml('variables')).toEqual({ user: 'alice', retries: 3 });
    expect(getYaml('missing')).toBeUndefined();
  });
  test('a syntax error names the line and column', () => {
    setInput('checks', '- name: a\n  request: [unclosed\n');
    expect(errorOf(() => getYaml('checks')).message).toMatch(
      /^Input 'checks': is not valid YAML at line \d+, column \d+: /,
    );
  });
  test('duplicate keys are refused', () => {
    setInput('variables', 'a: 1\na: 2\n');
    expect(errorOf(() => getYaml('variables')).message).toMatch(
      /^Input 'variables': is not valid YAML at line 2/,
    );
  });
});

describe('url', () => {
  test('accepts the listed schemes and registers the password first', () => {
    setInput('database-url', 'postgres://app:p%40ss:w0rd@db.internal:5432/shop');
    const url = getUrl('database-url', { protocols: ['postgres', 'postgresql'] });
    expect(url?.hostname).toBe('db.internal');
    expect(redact('password p@ss:w0rd and p%40ss:w0rd')).toBe('password *** and ***');
  });
  test('an unknown scheme is named, the password never shown', () => {
    setInput('database-url', 'oracle://app:hunter2@db/x');
    const e = errorOf(() => getUrl('database-url', { protocols: ['postgres', 'mysql'] }));
    expect(e.message).toBe(
      `Input 'database-url': scheme 'oracle' is not supported; use one of: postgres://, mysql://.`,
    );
  });
  test('a malformed URL is refused with its password redacted', () => {
    setInput('database-url', 'postgres://app:hunter2@db:notaport/x');
    const e = errorOf(() => getUrl('database-url', { protocols: ['postgres'] }));
    expect(e.message).toMatch(
      /^Input 'database-url': ".*" is not a valid URL; expected an absolute URL such as postgres:/,
    );
    expect(e.message).not.toContain('hunter2');
    expect(e.message).toContain('***');
  });
  test('required', () => {
    expect(errorOf(() => getUrl('base-url', { required: true })).message).toBe(
      "Input 'base-url': is required and was not set.",
    );
  });
});
