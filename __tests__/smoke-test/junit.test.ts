import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeXml, renderJUnit, writeJUnit } from '../../src/http/junit.js';
import type { CheckResult } from '../../src/http/run-check.js';
import { scratchDir } from '../support/run-action.js';

const base: CheckResult = {
  name: 'health',
  outcome: 'passed',
  method: 'GET',
  target: '/health',
  status: 200,
  durationMs: 12,
  attempts: 1,
  redirects: [],
  failures: [],
  captured: [],
};

describe('JUnit report', () => {
  const results: CheckResult[] = [
    base,
    {
      ...base,
      name: 'me <admin>',
      outcome: 'failed',
      status: 500,
      failures: ['status: expected 2xx, got 500 "boom & SECRET"'],
    },
    {
      ...base,
      name: 'down',
      outcome: 'failed',
      status: undefined,
      failures: ['request failed: connection refused'],
    },
    {
      ...base,
      name: 'orders',
      outcome: 'skipped',
      status: undefined,
      durationMs: 0,
      failures: ["skipped: uses {{token}} captured by 'login', which did not pass"],
    },
  ];
  const xml = renderJUnit(results, {
    suiteName: 'smoke-test',
    baseUrl: 'http://127.0.0.1:1',
    durationMs: 1500,
    timestamp: new Date('2026-01-02T03:04:05Z'),
    redact: (t) => t.replace(/SECRET/g, '***'),
  });

  test('one testcase per check, with counts', () => {
    expect(xml).toContain(
      '<testsuite name="smoke-test" tests="4" failures="1" errors="1" skipped="1" time="1.500" timestamp="2026-01-02T03:04:05.000Z">',
    );
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain('<testcase name="health" classname="smoke-test" time="0.012"/>');
  });

  test('failure message is the failed assertion, escaped and redacted', () => {
    expect(xml).toContain('<testcase name="me &lt;admin&gt;"');
    expect(xml).toContain(
      '<failure message="status: expected 2xx, got 500 &quot;boom &amp; ***&quot;" type="assertion">',
    );
    expect(xml).not.toContain('SECRET');
    expect(xml).toContain('<error message="request failed: connection refused" type="request">');
    expect(xml).toContain(
      '<skipped message="skipped: uses {{token}} captured by &apos;login&apos;, which did not pass"/>',
    );
  });

  test('every element is closed and control characters are replaced', () => {
    const opens = (
      xml.match(/<(testsuites|testsuite|testcase|failure|error|properties)[ >]/g) ?? []
    ).length;
    const selfClosed = (xml.match(/<testcase [^>]*\/>/g) ?? []).length;
    const closes = (
      xml.match(/<\/(testsuites|testsuite|testcase|failure|error|properties)>/g) ?? []
    ).length;
    expect(opens).toBe(closes + selfClosed);
    expect(escapeXml('a\u0001b')).toBe('a\uFFFDb');
  });

  test('writes atomically, creating the directory', () => {
    const dir = scratchDir('junit-');
    const path = join(dir, 'reports', 'smoke.xml');
    writeJUnit(path, xml);
    expect(readFileSync(path, 'utf8')).toBe(xml);
    expect(readdirSync(join(dir, 'reports'))).toEqual(['smoke.xml']);
  });
});
