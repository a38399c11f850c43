import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseCheckFile } from '../http/check-schema.js';
import { YamlSource, YamlSyntaxError } from '../http/yaml-source.js';
import { parseProbes } from '../gate/probe-config.js';
import { parseSuccessRate } from '../gate/rules.js';
import { errorMessage } from '../kit/errors.js';
import { expandEnv } from './env-text.js';
import { isObj, Reader, type Obj, type Path, type Problem } from './reader.js';
import {
  BACKUP_FORMATS,
  HOOK_NAMES,
  MIGRATION_TOOLS,
  ROLLBACK_PARTS,
  VERIFY_LEVELS,
  type BackupConfig,
  type GateConfig,
  type HookName,
  type ImageConfig,
  type MigrationsConfig,
  type RollbackPart,
  type Runbook,
  type SmokeConfig,
} from './types.js';

/**
 * Validates a runbook.yml before anything runs: every problem is collected with its line,
 * so one run of `runbook validate` lists them all. Reference: docs/runbook.md.
 */

export const SECTION_KEYS = {
  database: ['url-env'],
  backup: ['format', 'compression', 'verify', 'encrypt-to', 'output-dir'],
  migrations: [
    'tool',
    'working-directory',
    'dir',
    'table',
    'lock-wait',
    'python',
    'django-settings',
    'command',
    'status-command',
    'down-command',
  ],
  image: ['name', 'promote-tag', 'previous-tag', 'insecure'],
  smoke: ['checks', 'base-url', 'timeout', 'retries', 'wait-for-ready'],
  'health-gate': [
    'probes',
    'duration',
    'interval',
    'success-rate',
    'max-p95',
    'max-consecutive-failures',
    'min-samples',
  ],
  hooks: HOOK_NAMES,
  rollback: ['automatic', 'parts'],
} as const;

const SCALAR_KEYS = ['deploy', 'state-dir', 'timeout'] as const;
export const OVERRIDE_KEYS = [...Object.keys(SECTION_KEYS), ...SCALAR_KEYS];
export const TOP_KEYS = ['name', ...OVERRIDE_KEYS, 'environments'];

export class RunbookError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'RunbookError';
  }
}

export function formatProblem(file: string, p: Problem): string {
  return `${basename(file)}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`;
}

/** One layer (the top level or one environment) as read: only the keys it sets. */
interface Layer {
  database?: { urlEnv?: string };
  backup?: Partial<BackupConfig>;
  migrations?: Partial<MigrationsConfig>;
  image?: Partial<ImageConfig>;
  smoke?: Partial<SmokeConfig>;
  gate?: Partial<GateConfig>;
  hooks?: Partial<Record<HookName, string>>;
  rollback?: { automatic?: boolean; parts?: RollbackPart[] };
  deploy?: string;
  stateDir?: string;
  timeoutMs?: number;
  /** where each section was set, for problems found after merging */
  lines: Record<string, Path>;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function readLayer(r: Reader, raw: Obj, base: Path): Layer {
  const at = (...p: Path): Path => [...base, ...p];
  const layer: Layer = { lines: {} };
  for (const k of Object.keys(raw)) layer.lines[k] = at(k);

  const db = r.map(raw.database, at('database'), SECTION_KEYS.database);
  if (db) layer.database = defined({ urlEnv: r.envName(db['url-env'], at('database', 'url-env')) });

  const b = r.map(raw.backup, at('backup'), SECTION_KEYS.backup);
  if (b) {
    const encryptTo = r.string(b['encrypt-to'], at('backup', 'encrypt-to'));
    if (encryptTo !== undefined && !/^age1[0-9a-z]{58}$/.test(encryptTo.trim()))
      r.problem(at('backup', 'encrypt-to'), `backup.encrypt-to must be an age recipient (age1…)`);
    layer.backup = defined({
      format: r.oneOf(b.format, at('backup', 'format'), BACKUP_FORMATS),
      compression: r.oneOf(b.compression, at('backup', 'compression'), [
        'auto',
        'gzip',
        'zstd',
        'none',
      ] as const),
      verify: r.oneOf(b.verify, at('backup', 'verify'), VERIFY_LEVELS),
      encryptTo: encryptTo?.trim(),
      outputDir: r.path(b['output-dir'], at('backup', 'output-dir')),
    });
  }

  const m = r.map(raw.migrations, at('migrations'), SECTION_KEYS.migrations);
  if (m) {
    const p = (k: string): Path => at('migrations', k);
    layer.migrations = defined({
      tool: r.oneOf(m.tool, p('tool'), MIGRATION_TOOLS),
      workingDirectory: r.path(m['working-directory'], p('working-directory')),
      dir: r.path(m.dir, p('dir')),
      table: r.string(m.table, p('table')),
      lockWaitMs: r.duration(m['lock-wait'], p('lock-wait')),
      python: r.string(m.python, p('python')),
      djangoSettings: r.string(m['django-settings'], p('django-settings')),
      command: r.string(m.command, p('command')),
      statusCommand: r.string(m['status-command'], p('status-command')),
      downCommand: r.string(m['down-command'], p('down-command')),
    });
  }

  const img = r.map(raw.image, at('image'), SECTION_KEYS.image);
  if (img) {
    const name = r.string(img.name, at('image', 'name'));
    if (name !== undefined && /[@:][^/]*$/.test(name.replace(/^[^/]*\//, '')))
      r.problem(
        at('image', 'name'),
        `image.name '${name}' must be registry/repository without a tag or digest`,
      );
    layer.image = defined({
      name,
      promoteTag: r.string(img['promote-tag'], at('image', 'promote-tag')),
      previousTag: r.string(img['previous-tag'], at('image', 'previous-tag')),
      insecure: r.boolean(img.insecure, at('image', 'insecure')),
    });
  }

  const s = r.map(raw.smoke, at('smoke'), SECTION_KEYS.smoke);
  if (s) {
    const p = (k: string): Path => at('smoke', k);
    layer.smoke = defined({
      checks: r.path(s.checks, p('checks')),
      baseUrl: r.string(s['base-url'], p('base-url')),
      timeoutMs: r.duration(s.timeout, p('timeout')),
      retries: r.integer(s.retries, p('retries'), 0),
      waitForReadyMs: r.duration(s['wait-for-ready'], p('wait-for-ready')),
    });
  }

  const g = r.map(raw['health-gate'], at('health-gate'), SECTION_KEYS['health-gate']);
  if (g) {
    const p = (k: string): Path => at('health-gate', k);
    const rate = r.string(g['success-rate'], p('success-rate'));
    if (rate !== undefined && parseSuccessRate(rate) === undefined)
      r.problem(
        p('success-rate'),
        `health-gate.success-rate: '${rate}' is not a percentage (99%) or a fraction (0.99)`,
      );
    const probes = r.list(g.probes, p('probes'));
    if (probes && probes.length === 0)
      r.problem(p('probes'), 'health-gate.probes is an empty list');
    layer.gate = defined({
      probes,
      probesLine: probes ? r.line(p('probes')) : undefined,
      durationMs: r.duration(g.duration, p('duration')),
      intervalMs: r.duration(g.interval, p('interval')),
      successRate: rate,
      maxP95Ms: r.duration(g['max-p95'], p('max-p95')),
      maxConsecutiveFailures: r.integer(
        g['max-consecutive-failures'],
        p('max-consecutive-failures'),
        0,
      ),
      minSamples: r.integer(g['min-samples'], p('min-samples'), 1),
    });
  }

  const h = r.map(raw.hooks, at('hooks'), SECTION_KEYS.hooks);
  if (h) {
    const hooks: Partial<Record<HookName, string>> = {};
    for (const name of HOOK_NAMES) {
      const v = r.string(h[name], at('hooks', name));
      if (v !== undefined) hooks[name] = v;
    }
    layer.hooks = hooks;
  }

  const rb = r.map(raw.rollback, at('rollback'), SECTION_KEYS.rollback);
  if (rb) {
    const list = r.list(rb.parts, at('rollback', 'parts'));
    const parts = list?.flatMap((item, i) => {
      const v = r.oneOf(item, at('rollback', 'parts', i), ROLLBACK_PARTS);
      return v === undefined ? [] : [v];
    });
    layer.rollback = defined({
      automatic: r.boolean(rb.automatic, at('rollback', 'automatic')),
      parts,
    });
  }

  if (raw.deploy !== undefined) layer.deploy = r.string(raw.deploy, at('deploy'));
  if (raw['state-dir'] !== undefined) layer.stateDir = r.path(raw['state-dir'], at('state-dir'));
  if (raw.timeout !== undefined) layer.timeoutMs = r.duration(raw.timeout, at('timeout'));
  return layer;
}

/** Parses and validates a runbook text; `environment` selects the overrides to apply. */
export function parseRunbook(
  text: string,
  file: string,
  environment: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Runbook {
  let src: YamlSource;
  try {
    src = YamlSource.parse(text);
  } catch (err) {
    if (err instanceof YamlSyntaxError)
      throw new RunbookError(file, [{ line: err.line, message: `not valid YAML: ${err.message}` }]);
    throw err;
  }
  const r = new Reader(src);
  const root = src.value;
  if (!isObj(root))
    throw new RunbookError(file, [
      { line: 1, message: 'a runbook.yml must be a map of keys (name, database, backup, …)' },
    ]);
  r.map(root, [], TOP_KEYS);
  const name = r.string(root.name, ['name']) ?? basename(dirname(resolve(file)));
  const top = readLayer(r, root, []);
  const envs =
    r.map(
      root.environments,
      ['environments'],
      Object.keys(isObj(root.environments) ? root.environments : {}),
    ) ?? {};
  const layers: Record<string, Layer> = {};
  for (const [envName, raw] of Object.entries(envs)) {
    const over = r.map(raw ?? {}, ['environments', envName], OVERRIDE_KEYS);
    if (over) layers[envName] = readLayer(r, over, ['environments', envName]);
  }
  const envNames = Object.keys(envs);
  if (environment !== undefined && envNames.length > 0 && !envNames.includes(environment)) {
    r.problem(
      ['environments'],
      `environment '${environment}' is not in environments; known: ${envNames.join(', ')}`,
      true,
    );
  }
  const chosen = environment !== undefined ? layers[environment] : undefined;
  const book = merge(file, name, environment ?? 'default', top, chosen, envNames);
  crossCheck(r, book, top, chosen, env);
  if (r.problems.length > 0) throw new RunbookError(file, r.problems);
  return book;
}

export function loadRunbook(
  file: string,
  environment: string | undefined,
  env = process.env,
): Runbook {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RunbookError(file, [{ message: `cannot read ${file}: ${errorMessage(err)}` }]);
  }
  return parseRunbook(text, resolve(file), environment, env);
}

function merge(
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
function crossCheck(
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
