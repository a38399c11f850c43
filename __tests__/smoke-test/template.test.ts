import { describe, expect, test } from '@jest/globals';
import { secretForms } from '../../src/http/secret-forms.js';
import {
  collectRefs,
  malformedTemplate,
  renderJson,
  renderString,
  templateRefs,
  TemplateError,
} from '../../src/http/template.js';

const values: Record<string, unknown> = {
  token: 's3cr3t',
  id: 42,
  user: { name: 'alice' },
  'env.HOME': '/home/a',
};
const lookup = (name: string) => values[name] as never;

describe('templates', () => {
  test('finds references, with spaces and env names', () => {
    expect(templateRefs('Bearer {{token}} {{ id }} {{env.HOME}} {{token}}')).toEqual([
      'token',
      'id',
      'env.HOME',
    ]);
    expect([...collectRefs({ a: ['{{x}}', { b: 'y{{z}}' }], n: 1 })]).toEqual(['x', 'z']);
  });

  test('renders strings and keeps the type of a whole-value reference in JSON', () => {
    expect(renderString('/jobs/{{id}}/approve', lookup)).toBe('/jobs/42/approve');
    expect(renderString('{{user}}', lookup)).toBe('{"name":"alice"}');
    expect(renderJson({ id: '{{id}}', label: 'job {{id}}', list: ['{{user}}'] }, lookup)).toEqual({
      id: 42,
      label: 'job 42',
      list: [{ name: 'alice' }],
    });
  });

  test('an unknown reference at render time is an error', () => {
    expect(() => renderString('{{nope}}', lookup)).toThrow(TemplateError);
  });

  test('spots a malformed template', () => {
    expect(malformedTemplate('Bearer {{token}')).toBe('{{token}');
    expect(malformedTemplate('{{ bad name }}')).toBeDefined();
    expect(malformedTemplate('ok {{token}} and {{env.X}}')).toBeUndefined();
  });
});

describe('secret forms', () => {
  test('form-encoded and JSON-escaped shapes are masked too', () => {
    expect(secretForms('a b"c')).toEqual(['a b"c', 'a+b%22c', 'a b\\"c', 'a b\\\\\\"c']);
    expect(secretForms('plain')).toEqual(['plain']);
    expect(secretForms('')).toEqual([]);
  });
});
