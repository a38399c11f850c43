import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import {
  clearSecretsForTest,
  redact,
  redactUrl,
  registerSecret,
  registerUrlPassword,
} from '../../src/kit/secrets.js';

let stdout: jest.SpiedFunction<typeof process.stdout.write>;
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  clearSecretsForTest();
});

function masked(): string[] {
  return (
    stdout.mock.calls
      .map((c) => String(c[0]))
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length).trim())
      // workflow commands escape % and newlines in their data
      .map((l) => l.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
  );
}

describe('registerUrlPassword', () => {
  test.each([
    ['an @ (percent-encoded)', 'postgres://app:p%40ssword@db:5432/prod', 'p@ssword'],
    ['a raw @ (last @ ends the userinfo)', 'postgres://app:p@ss@db:5432/prod', 'p@ss'],
    ['a colon', 'mysql://root:a:b:c@127.0.0.1:3306/shop', 'a:b:c'],
    ['%-escapes', 'postgresql://u:%2F%3F%23%25x@h/d', '/?#%x'],
    ['unicode', 'postgres://u:pässwörd-日本@h/d', 'pässwörd-日本'],
    ['unicode, encoded', 'postgres://u:p%C3%A4ss@h/d', 'päss'],
  ])('%s', (_what, url, plain) => {
    registerUrlPassword(url);
    // both the form in the URL and the decoded password are masked
    expect(redact(`error for ${url}`)).not.toContain(plain);
    expect(redact(`password is ${plain}.`)).toBe('password is ***.');
    expect(redact(`in url: ${encodeURIComponent(plain)}`)).toBe('in url: ***');
    expect(masked()).toContain(plain);
  });

  test('a URL without a password registers nothing', () => {
    registerUrlPassword('postgres://app@db/prod');
    registerUrlPassword('sqlite:///var/app.db');
    expect(masked()).toEqual([]);
    expect(redact('postgres://app@db/prod')).toBe('postgres://app@db/prod');
  });
});

describe('redact', () => {
  test('the longest secret wins when one contains another', () => {
    registerSecret('abc');
    registerSecret('abcdef');
    expect(redact('x abcdef y abc')).toBe('x *** y ***');
  });
  test('empty values are ignored', () => {
    registerSecret('');
    registerSecret(undefined);
    expect(redact('nothing to hide')).toBe('nothing to hide');
  });
  test('redactUrl hides the password even when unregistered', () => {
    expect(redactUrl('postgres://app:zz9@db:5432/prod')).toBe('postgres://app:***@db:5432/prod');
    expect(redactUrl('postgres://app@db/prod')).toBe('postgres://app@db/prod');
  });
});
