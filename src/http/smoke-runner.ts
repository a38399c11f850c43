import { CheckFileError } from './check-schema.js';
import type { CheckFile, CheckSpec } from './check-types.js';
import { planChecks, type PlannedCheck } from './plan.js';
import { runCheck, skippedResult, type CheckContext, type CheckResult } from './run-check.js';
import { schedule, type SkipCause } from './scheduler.js';
import { stringify, type JsonValue, type Lookup } from './template.js';
import { CookieJar } from './cookie-jar.js';
import { TlsProbe } from './tls-probe.js';

/** The whole smoke-test run: plan the checks up front, then run them by the schedule. */

export interface SmokeOptions {
  baseUrl: URL;
  /** input variables; they override the file's `variables:` */
  variables: Readonly<Record<string, JsonValue>>;
  secrets: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  waitForReadyMs: number;
  concurrency: number;
  failFast: boolean;
  /** one cookie jar for the whole run (default true); false: no Cookie is sent from responses */
  cookies?: boolean;
  /** masks a value everywhere (core.setSecret + redaction) */
  registerSecret: (value: string) => void;
  onResult?: (result: CheckResult) => void;
}

export interface SmokePlan {
  file: CheckFile;
  checks: PlannedCheck[];
  variables: Record<string, JsonValue>;
}

export interface SmokeReport {
  results: CheckResult[];
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  durationMs: number;
}

/** Resolves references and dependencies; throws CheckFileError before any request. */
export function planSmokeTests(
  file: CheckFile,
  opts: Pick<SmokeOptions, 'variables' | 'secrets' | 'env' | 'waitForReadyMs'>,
): SmokePlan {
  const variables = { ...file.variables, ...opts.variables };
  const checks = planChecks(file.checks, {
    variables: new Set(Object.keys(variables)),
    secrets: new Set(Object.keys(opts.secrets)),
    env: opts.env,
  });
  const first = checks[0];
  if (opts.waitForReadyMs > 0 && first.deps.length > 0) {
    const what =
      first.uses.length > 0
        ? `use {{${first.uses[0].variable}}} captured by another check`
        : 'need another check';
    throw new CheckFileError([
      {
        line: first.spec.line,
        check: first.spec.name,
        message: `wait-for-ready retries the first check before any other, so it cannot ${what}; put a check that stands alone first`,
      },
    ]);
  }
  return { file, checks, variables };
}

function skipReason(plan: SmokePlan, index: number, cause: SkipCause, gated: boolean): string {
  const blocker = plan.checks[cause.blocker].spec.name;
  if (cause.kind === 'fail-fast') return `skipped: fail-fast after '${blocker}' failed`;
  const used = plan.checks[index].uses
    .filter((u) => u.from === cause.blocker)
    .map((u) => `{{${u.variable}}}`);
  if (used.length === 0) {
    if (plan.checks[index].spec.needs.includes(blocker))
      return `skipped: needs '${blocker}', which did not pass`;
    if (gated && cause.blocker === 0)
      return `skipped: '${blocker}' did not pass within wait-for-ready, so the service is not ready`;
  }
  if (used.length === 0) return `skipped: '${blocker}', which it waits for, did not pass`;
  return `skipped: uses ${used.join(', ')} captured by '${blocker}', which did not pass`;
}

/** A bug in one check must not take the others down: it becomes that check's failure. */
async function runCheckSafely(spec: CheckSpec, ctx: CheckContext): Promise<CheckResult> {
  try {
    return await runCheck(spec, ctx);
  } catch (err) {
    const failure = `internal error: ${err instanceof Error ? err.message : String(err)}`;
    return { ...skippedResult(spec, failure), outcome: 'failed' };
  }
}

export async function runSmokeTests(plan: SmokePlan, opts: SmokeOptions): Promise<SmokeReport> {
  const started = performance.now();
  const captured = new Map<string, JsonValue>();
  const lookup: Lookup = (name) => {
    if (name.startsWith('env.')) return opts.env[name.slice(4)];
    if (captured.has(name)) return captured.get(name);
    if (Object.hasOwn(opts.secrets, name)) return opts.secrets[name];
    return Object.hasOwn(plan.variables, name) ? plan.variables[name] : undefined;
  };
  const onCapture = (variable: string, value: JsonValue, secret: boolean): void => {
    if (secret) opts.registerSecret(stringify(value));
    captured.set(variable, value);
  };
  const jar = opts.cookies === false ? undefined : new CookieJar();
  const tls = new TlsProbe();
  const gated = opts.waitForReadyMs > 0 && plan.checks.length > 1;
  const deps = plan.checks.map((c, i) =>
    gated && i > 0 && !c.deps.includes(0) ? [0, ...c.deps] : c.deps,
  );
  const results = await schedule<CheckResult>({
    deps,
    concurrency: opts.concurrency,
    failFast: opts.failFast,
    run: (i) =>
      runCheckSafely(plan.checks[i].spec, {
        baseUrl: opts.baseUrl,
        timeoutMs: opts.timeoutMs,
        retries: opts.retries,
        retryDelayMs: opts.retryDelayMs,
        waitForReadyMs: i === 0 && opts.waitForReadyMs > 0 ? opts.waitForReadyMs : undefined,
        lookup,
        onCapture,
        jar,
        tls,
      }),
    succeeded: (r) => r.outcome === 'passed',
    skip: (i, cause) => skippedResult(plan.checks[i].spec, skipReason(plan, i, cause, gated)),
    onResult: (_i, r) => opts.onResult?.(r),
  });
  const count = (o: CheckResult['outcome']) => results.filter((r) => r.outcome === o).length;
  return {
    results,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    total: results.length,
    durationMs: Math.round(performance.now() - started),
  };
}
