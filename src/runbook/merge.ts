import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseProbes } from '../gate/probe-config.js';
import { parseCheckFile } from '../http/check-schema.js';
import { errorMessage } from '../kit/errors.js';
import { expandEnv } from './env-text.js';
import { isObj, type Path, type Reader } from './reader.js';
import type { Runbook } from './types.js';
import type { Layer } from './validate.js';

/**
 * The second half of validation: the top level and the chosen environment's overrides
 * merged into one Runbook (defaults filled in), then the checks that need the merged
 * result and the files it names (the smoke checks file, the probes).
 */

export function mergeLayers(
  file: string,
  name: string,
  environment: string,
  top: Layer,
  over: Layer | undefined,
  environments: string[],
): Runbook {
  const pick = <K extends keyof Layer>(k: K): Layer[K] | undefined => {
    const a = top[k];
    const b = over?.[k];
    if (a === undefined) return b;
    if (b === undefined) return a;
    return typeof a === 'object' && typeof b === 'object' ? ({ ...a, ...b } as Layer[K]) : b;
  };
  const abs = resolve(file);
  const db = pick('database');
  const backup = pick('backup');
  const migrations = pick('migrations');
  const image = pick('image');
  const smoke = pick('smoke');
  const gate = pick('gate');
  const rollback = pick('rollback');
  return {
    file: abs,
    dir: dirname(abs),
    name,
    environment,
    database: db?.urlEnv ? { urlEnv: db.urlEnv } : undefined,
    backup: backup && {
      format: 'auto',
      compression: 'auto',
      verify: 'checksum',
      outputDir: '.runbook/backups',
      ...backup,
    },
    migrations: migrations && {
      tool: 'auto',
      workingDirectory: '.',
      dir: 'migrations',
      table: 'schema_migrations',
      lockWaitMs: 60_000,
      python: 'python3',
      ...migrations,
    },
    image: image && {
      name: '',
      promoteTag: 'latest',
      previousTag: 'previous',
      insecure: false,
      ...image,
    },
    deploy: pick('deploy'),
    smoke: smoke && {
      checks: '',
      baseUrl: '',
      timeoutMs: 10_000,
      retries: 2,
      waitForReadyMs: 30_000,
      ...smoke,
    },
    gate: gate && {
      probes: [],
      durationMs: 300_000,
      intervalMs: 15_000,
      successRate: '99%',
      maxConsecutiveFailures: 3,
      minSamples: 5,
      ...gate,
    },
    hooks: pick('hooks') ?? {},
    rollback: {
      automatic: rollback?.automatic ?? true,
      // by default every part the runbook has
      parts:
        rollback?.parts ??
        (['deploy', 'migrations', 'database'] as const).filter(
          (p) => p === 'deploy' || (p === 'migrations' ? migrations : backup) !== undefined,
        ),
    },
    stateDir: pick('stateDir') ?? '.runbook/state',
    timeoutMs: pick('timeoutMs') ?? 30 * 60_000,
    environments,
  };
}

/** Checks that need the merged runbook (and the files it names). */
export function checkAcrossKeys(
  r: Reader,
  b: Runbook,
  top: Layer,
  over: Layer | undefined,
  env: NodeJS.ProcessEnv,
): void {
  const where = (k: string): Path => over?.lines[k] ?? top.lines[k] ?? [];
  if (b.backup && !b.database)
    r.problem(where('backup'), 'backup needs database.url-env (the database to back up)', true);
  if (b.migrations && b.migrations.tool !== 'command' && !b.database)
    r.problem(
      where('migrations'),
      `migrations with tool ${b.migrations.tool} need database.url-env`,
      true,
    );
  if (b.migrations?.tool === 'command' && !b.migrations.command)
    r.problem(where('migrations'), 'migrations.tool command needs migrations.command', true);
  if (b.image && !b.image.name)
    r.problem(where('image'), 'image needs name (registry/repository)', true);
  if (!b.deploy && !b.image)
    r.problem([], 'a runbook needs deploy (a command) or image; there is nothing to release');
  if (b.smoke) {
    if (!b.smoke.checks)
      r.problem(where('smoke'), 'smoke needs checks (the smoke checks file)', true);
    if (!b.smoke.baseUrl) r.problem(where('smoke'), 'smoke needs base-url', true);
    if (b.smoke.checks) {
      const path = resolve(b.dir, b.smoke.checks);
      if (!existsSync(path))
        r.problem([...where('smoke'), 'checks'], `smoke.checks: ${b.smoke.checks} does not exist`);
      else {
        try {
          parseCheckFile(readFileSync(path, 'utf8'));
        } catch (err) {
          r.problem(
            [...where('smoke'), 'checks'],
            `smoke.checks ${b.smoke.checks}: ${errorMessage(err)}`,
          );
        }
      }
    }
  }
  if (b.gate) {
    const g = b.gate;
    if (g.probes.length === 0) r.problem(where('health-gate'), 'health-gate needs probes', true);
    else {
      try {
        parseProbes(expandForValidation(g.probes, env), 'health-gate.probes');
      } catch (err) {
        r.problems.push({ line: g.probesLine, message: errorMessage(err) });
      }
    }
    if (g.intervalMs > g.durationMs)
      r.problem(
        [...where('health-gate'), 'interval'],
        'health-gate.interval is longer than its duration',
      );
  }
  for (const part of b.rollback.parts) {
    const missing =
      part === 'database' && !b.backup
        ? 'backup'
        : part === 'migrations' && !b.migrations
          ? 'migrations'
          : undefined;
    if (missing)
      r.problem(
        [...where('rollback'), 'parts'],
        `rollback.parts has ${part}, but the runbook has no ${missing}`,
      );
  }
}

/** Probes with `${NAME}` replaced (unset names by a placeholder host), for the shape check only. */
function expandForValidation(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string')
    return expandEnv(value, env, (n) => `http://${n.toLowerCase().replace(/_/g, '-')}.invalid`)
      .text;
  if (Array.isArray(value)) return value.map((v) => expandForValidation(v, env));
  if (isObj(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, expandForValidation(v, env)]),
    );
  return value;
}
