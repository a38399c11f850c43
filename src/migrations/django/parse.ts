import type { Finding } from '../types.js';

export interface DjangoMigration {
  app: string;
  name: string;
  applied: boolean;
  /** `app.name` of the dependencies (showmigrations --plan --verbosity 2) */
  dependencies: string[];
}

/** Parses `showmigrations --plan [--verbosity 2]`: `[X]  app.0001_initial ... (dep, dep)`, in plan order. */
export function parseShowPlan(stdout: string): DjangoMigration[] {
  const out: DjangoMigration[] = [];
  for (const raw of stdout.split('\n')) {
    const m = /^\[([ X-])\]\s+([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)(?:\s+\.\.\.\s+\((.*)\))?\s*$/.exec(
      raw.trim(),
    );
    if (!m) continue;
    out.push({
      app: m[2],
      name: m[3],
      applied: m[1] !== ' ',
      dependencies: m[4]
        ? m[4]
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    });
  }
  return out;
}

export interface PlannedStep {
  migration: string;
  backwards: boolean;
}

/** Parses `migrate --plan`: migration labels at column 0, their operations indented (`Undo ...` going back). */
export function parseMigratePlan(stdout: string): PlannedStep[] {
  const out: PlannedStep[] = [];
  let inPlan = false;
  for (const line of stdout.split('\n')) {
    if (/^Planned operations:/.test(line)) {
      inPlan = true;
      continue;
    }
    if (!inPlan || line.trim() === '') continue;
    if (/^\S/.test(line)) {
      const m = /^([A-Za-z0-9_]+\.[A-Za-z0-9_]+)\s*$/.exec(line);
      if (m) out.push({ migration: m[1], backwards: false });
    } else if (/^\s+Undo\s/.test(line) && out.length) {
      out[out.length - 1].backwards = true;
    }
  }
  return out;
}

/** `  Applying app.0002_x... OK (0.015s)` (verbosity 2) -> name and milliseconds. */
export function parseMigrateOutput(
  stdout: string,
): Array<{ migration: string; ok: boolean; durationMs?: number; backwards: boolean }> {
  const out: Array<{ migration: string; ok: boolean; durationMs?: number; backwards: boolean }> =
    [];
  for (const line of stdout.split('\n')) {
    const m =
      /^\s*(Applying|Unapplying) ([A-Za-z0-9_]+\.[A-Za-z0-9_]+)\.\.\.(?: (OK|FAKED)(?: \((\d+(?:\.\d+)?)s\))?)?/.exec(
        line,
      );
    if (!m) continue;
    out.push({
      migration: m[2],
      ok: m[3] !== undefined,
      durationMs: m[4] !== undefined ? Math.round(Number(m[4]) * 1000) : undefined,
      backwards: m[1] === 'Unapplying',
    });
  }
  return out;
}

/** Graph problems Django reports while loading migrations: conflicts, missing dependencies, inconsistent history. */
export function findingsFromDjangoError(stderr: string): Finding[] {
  const out: Finding[] = [];
  const conflict =
    /Conflicting migrations detected; multiple leaf nodes in the migration graph: \((.*)\)\./.exec(
      stderr,
    );
  if (conflict) {
    for (const part of conflict[1].split(';')) {
      const m = /^\s*(.*) in ([A-Za-z0-9_]+)\s*$/.exec(part);
      if (!m) continue;
      out.push({
        code: 'conflict',
        message: `app ${m[2]} has conflicting migrations (several leaf nodes): ${m[1]}; merge them (makemigrations --merge)`,
      });
    }
  }
  for (const m of stderr.matchAll(
    /NodeNotFoundError: Migration ([A-Za-z0-9_]+\.[A-Za-z0-9_]+) dependencies reference nonexistent parent node \('([^']+)', '([^']+)'\)/g,
  )) {
    out.push({
      code: 'missing-dependency',
      message: `migration ${m[1]} depends on ${m[2]}.${m[3]}, which does not exist (renamed or deleted?)`,
    });
  }
  for (const m of stderr.matchAll(
    /InconsistentMigrationHistory: Migration (\S+) is applied before its dependency (\S+) on database '([^']*)'/g,
  )) {
    out.push({
      code: 'inconsistent-history',
      message: `migration ${m[1]} is applied before its dependency ${m[2]}`,
    });
  }
  return out;
}

/** `{app: last applied migration | "zero"}` for every app with migrations. */
export function djangoState(migrations: readonly DjangoMigration[]): Record<string, string> {
  const state: Record<string, string> = {};
  for (const m of migrations) {
    if (!(m.app in state)) state[m.app] = 'zero';
    if (m.applied) state[m.app] = m.name;
  }
  return state;
}

/**
 * The order in which to run `migrate <app> <migration>` to get back to `wanted` (pure):
 * dependents first, i.e. apps by the plan position of their last migration to unapply, latest first.
 * Apps not named in `wanted` are left alone.
 */
export function revertSteps(
  migrations: readonly DjangoMigration[],
  wanted: Readonly<Record<string, string>>,
): Array<{ app: string; migration: string; unapply: string[] }> {
  const keepIndex = new Map<string, number>();
  for (const [app, name] of Object.entries(wanted)) {
    const appMigrations = migrations.filter((m) => m.app === app);
    keepIndex.set(app, name === 'zero' ? -1 : appMigrations.findIndex((m) => m.name === name));
  }
  const byApp = new Map<string, { last: number; unapply: string[] }>();
  const seenInApp = new Map<string, number>();
  migrations.forEach((m, planIndex) => {
    const i = seenInApp.get(m.app) ?? 0;
    seenInApp.set(m.app, i + 1);
    const keep = keepIndex.get(m.app);
    if (keep === undefined || !m.applied || i <= keep) return;
    const entry = byApp.get(m.app) ?? { last: -1, unapply: [] };
    entry.last = planIndex;
    entry.unapply.push(`${m.app}.${m.name}`);
    byApp.set(m.app, entry);
  });
  return [...byApp.entries()]
    .sort((a, b) => b[1].last - a[1].last)
    .map(([app, e]) => ({ app, migration: wanted[app], unapply: e.unapply }));
}
