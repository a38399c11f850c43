import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCheckFile } from '../../http/check-schema.js';
import { secretForms } from '../../http/secret-forms.js';
import { planSmokeTests, runSmokeTests, type SmokeReport } from '../../http/smoke-runner.js';
import type { CheckResult } from '../../http/run-check.js';
import { InputError } from '../../kit/errors.js';
import { registerSecret } from '../../kit/secrets.js';
import { expandEnv } from '../env-text.js';
import type { SmokeConfig } from '../types.js';

/** The one place the runbook calls smoke-test's runner (src/http/smoke-runner.ts). */
export async function runSmoke(opts: {
  config: SmokeConfig;
  baseDir: string;
  env: NodeJS.ProcessEnv;
  onResult: (r: CheckResult) => void;
}): Promise<{ report: SmokeReport; baseUrl: string }> {
  const c = opts.config;
  const expanded = expandEnv(c.baseUrl, opts.env);
  if (expanded.missing.length > 0)
    throw new InputError('smoke.base-url', `uses \${${expanded.missing[0]}}, which is not set.`);
  let baseUrl: URL;
  try {
    baseUrl = new URL(expanded.text);
  } catch {
    throw new InputError('smoke.base-url', `'${expanded.text}' is not a URL.`);
  }
  const file = parseCheckFile(readFileSync(resolve(opts.baseDir, c.checks), 'utf8'));
  const plan = planSmokeTests(file, {
    variables: {},
    secrets: {},
    env: opts.env,
    waitForReadyMs: c.waitForReadyMs,
  });
  const report = await runSmokeTests(plan, {
    baseUrl,
    variables: {},
    secrets: {},
    env: opts.env,
    timeoutMs: c.timeoutMs,
    retries: c.retries,
    retryDelayMs: 500,
    waitForReadyMs: c.waitForReadyMs,
    concurrency: 4,
    failFast: false,
    registerSecret: (value) => secretForms(value).forEach((form) => registerSecret(form)),
    onResult: opts.onResult,
  });
  return { report, baseUrl: baseUrl.href };
}
