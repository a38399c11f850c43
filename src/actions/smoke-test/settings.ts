import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../../kit/errors.js';
import { getBoolean, getDuration, getInteger, getString, getUrl } from '../../kit/inputs.js';
import { getYaml } from '../../kit/yaml-input.js';
import { registerSecret } from '../../kit/secrets.js';
import { VARIABLE_NAME } from '../../http/check-schema.js';
import { secretForms } from '../../http/secret-forms.js';
import type { JsonValue } from '../../http/template.js';
import { CaCertificateError, parseCaCertificates } from '../../http/tls-trust.js';

/** Everything the smoke test was asked to do, read and checked before the first request. */
export interface SmokeSettings {
  baseUrl: URL;
  /** which input holds the checks, its YAML text and how to name it in errors */
  checks: { input: 'checks' | 'checks-file'; text: string; label: string };
  variables: Record<string, JsonValue>;
  secrets: Record<string, string>;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  waitForReadyMs: number;
  concurrency: number;
  failFast: boolean;
  /** one cookie jar for the run */
  cookies: boolean;
  /** extra CA certificates (PEM blocks) to trust, from `ca-cert` */
  caCerts: string[];
  /** absolute path of the JUnit XML report, when asked for */
  reportPath?: string;
}

function workspace(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd();
}

function readMap(input: string, value: unknown): Record<string, JsonValue> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(
      input,
      'must be a YAML map of name: value (one per line, such as user: alice).',
    );
  }
  const out: Record<string, JsonValue> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!VARIABLE_NAME.test(name) || name === 'env') {
      throw new InputError(
        input,
        `'${name}' is not a valid name; use letters, digits, _ and - (and not 'env').`,
      );
    }
    if (v !== null && typeof v === 'object') {
      throw new InputError(
        input,
        `'${name}' must be text, a number or a boolean, not a ${Array.isArray(v) ? 'list' : 'map'}.`,
      );
    }
    out[name] = (v ?? '') as JsonValue;
  }
  return out;
}

function readChecks(): SmokeSettings['checks'] {
  const inline = getString('checks');
  const file = getString('checks-file');
  if (inline !== '' && file !== '') {
    throw new InputError(
      'checks',
      "and 'checks-file' are both set; give the checks inline or in a file, not both.",
    );
  }
  if (inline === '' && file === '') {
    throw new InputError(
      'checks',
      "is required: set 'checks' (a YAML list of checks) or 'checks-file' (a path to one).",
    );
  }
  if (inline !== '') return { input: 'checks', text: inline, label: '' };
  const path = isAbsolute(file) ? file : resolve(workspace(), file);
  try {
    return { input: 'checks-file', text: readFileSync(path, 'utf8'), label: file };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (code ?? String(err));
    throw new InputError(
      'checks-file',
      `cannot read ${JSON.stringify(file)} (${why}); paths are relative to the workspace.`,
    );
  }
}

/** `ca-cert`: PEM text, or the path (relative to the workspace) of a PEM file. */
function readCaCert(): string[] {
  const value = getString('ca-cert');
  if (value === '') return [];
  let pem = value;
  if (!value.includes('-----BEGIN')) {
    const path = isAbsolute(value) ? value : resolve(workspace(), value);
    try {
      pem = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new InputError(
        'ca-cert',
        `cannot read ${JSON.stringify(value)} (${code === 'ENOENT' ? 'no such file' : code}); give a PEM file path relative to the workspace, or the PEM text.`,
      );
    }
  }
  try {
    return parseCaCertificates(pem);
  } catch (err) {
    if (err instanceof CaCertificateError) throw new InputError('ca-cert', `${err.message}.`);
    throw err;
  }
}

export function readSettings(): SmokeSettings {
  // Secrets first: masked before any other input's error could quote one of them.
  const secrets: Record<string, string> = {};
  for (const [name, v] of Object.entries(
    readMap('secrets', getYaml('secrets', { secret: true })),
  )) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    for (const form of secretForms(text)) registerSecret(form);
    secrets[name] = text;
  }
  const baseUrl = getUrl('base-url', { required: true, protocols: ['http', 'https'] }) as URL;
  const variables = readMap('variables', getYaml('variables'));
  for (const name of Object.keys(variables)) {
    if (name in secrets)
      throw new InputError('variables', `'${name}' is also a secret; use distinct names.`);
  }
  const checks = readChecks();
  const report = getString('report');
  return {
    baseUrl,
    checks,
    variables,
    secrets,
    timeoutMs: getDuration('timeout', { default: '10s' }),
    retries: getInteger('retries', { default: 0, min: 0, max: 100 }) ?? 0,
    retryDelayMs: getDuration('retry-delay', { default: '1s', allowZero: true }),
    waitForReadyMs: getDuration('wait-for-ready', { default: '0s', allowZero: true }),
    concurrency: getInteger('concurrency', { default: 4, min: 1, max: 256 }) ?? 4,
    failFast: getBoolean('fail-fast', { default: false }),
    cookies: getBoolean('cookies', { default: true }),
    caCerts: readCaCert(),
    reportPath:
      report === '' ? undefined : isAbsolute(report) ? report : resolve(workspace(), report),
  };
}
