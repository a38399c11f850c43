import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckResult } from './run-check.js';
import { describeCertificate } from './tls-assertions.js';

/**
 * JUnit XML for the smoke run: one testcase per check. A failed assertion is a
 * <failure> whose message is the first failed expectation; a request that got no
 * response is an <error>; a check that did not run is <skipped> with its reason.
 * Every text goes through `redact` first.
 */

export function escapeXml(text: string): string {
  return (
    text
      // characters XML 1.0 cannot carry at all
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

export interface JUnitOptions {
  suiteName: string;
  baseUrl: string;
  durationMs: number;
  timestamp: Date;
  redact: (text: string) => string;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function renderJUnit(results: readonly CheckResult[], opts: JUnitOptions): string {
  const x = (text: string) => escapeXml(opts.redact(text));
  const failures = results.filter((r) => r.outcome === 'failed' && r.status !== undefined).length;
  const errors = results.filter((r) => r.outcome === 'failed' && r.status === undefined).length;
  const skipped = results.filter((r) => r.outcome === 'skipped').length;
  const counts = `tests="${results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(opts.durationMs)}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${x(opts.suiteName)}" ${counts}>`,
    `  <testsuite name="${x(opts.suiteName)}" ${counts} timestamp="${opts.timestamp.toISOString()}">`,
    '    <properties>',
    `      <property name="base-url" value="${x(opts.baseUrl)}"/>`,
    '    </properties>',
  ];
  for (const r of results) {
    const open = `    <testcase name="${x(r.name)}" classname="${x(opts.suiteName)}" time="${seconds(r.durationMs)}"`;
    const detail = [
      `${r.method} ${r.target}`,
      r.status !== undefined ? `status ${r.status}` : '',
      r.attempts > 1 ? `${r.attempts} attempts` : '',
      ...r.redirects.map((h) => `redirect ${h.status} -> ${h.to}`),
      ...r.failures,
      r.certificate ? describeCertificate(r.certificate) : '',
    ]
      .filter(Boolean)
      .join('\n');
    if (r.outcome === 'passed') {
      // a passing check's certificate still belongs in the report (subject, issuer, expiry)
      if (r.certificate)
        lines.push(
          `${open}>`,
          `      <system-out>${x(describeCertificate(r.certificate))}</system-out>`,
          '    </testcase>',
        );
      else lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`);
    const message = x(r.failures[0] ?? 'failed');
    if (r.outcome === 'skipped') lines.push(`      <skipped message="${message}"/>`);
    else {
      const tag = r.status === undefined ? 'error' : 'failure';
      const type = r.status === undefined ? 'request' : 'assertion';
      lines.push(`      <${tag} message="${message}" type="${type}">${x(detail)}</${tag}>`);
    }
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/** Writes the report under a temporary name, then renames it: never a half-written report. */
export function writeJUnit(path: string, xml: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, xml);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
