import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { YamlSource, YamlSyntaxError } from '../http/yaml-source.js';
import { parseSuccessRate } from '../gate/rules.js';
import { errorMessage } from '../kit/errors.js';
import { checkAcrossKeys, mergeLayers } from './merge.js';
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
export interface Layer {
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
  const book = mergeLayers(file, name, environment ?? 'default', top, chosen, envNames);
  checkAcrossKeys(r, book, top, chosen, env);
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
