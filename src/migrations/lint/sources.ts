import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { loadMigrations, scanDir } from '../sql/files.js';
import type { Plan, ToolContext, ToolName } from '../types.js';
import type { LintSource } from './index.js';

/**
 * The SQL a release will run, per migration, with the file each finding points at:
 * sql files (a dbmate file's up section), Prisma's migration.sql files, and the SQL that
 * `alembic upgrade --sql` and Django's `sqlmigrate` print, mapped back to the Python
 * migration behind each part. `workspace`: findings' paths are relative to it.
 */
export function lintSourcesFor(
  tool: ToolName,
  ctx: ToolContext,
  plan: Plan,
  workspace: string,
): LintSource[] {
  const rel = (path: string): string => relative(workspace, path) || path;
  switch (tool) {
    case 'sql': {
      const dir = resolve(ctx.cwd, ctx.migrationsDir);
      const migrations = loadMigrations(dir, scanDir(dir, ctx.sqlLayout));
      return migrations
        .filter((m) => plan.toApply.includes(m.file) && !m.sectionError)
        .map((m) => ({ file: rel(join(dir, m.file)), sql: m.sql }));
    }
    case 'prisma':
      return plan.toApply.flatMap((name) => {
        const path = join(ctx.cwd, 'prisma/migrations', name, 'migration.sql');
        return existsSync(path) ? [{ file: rel(path), sql: readFileSync(path, 'utf8') }] : [];
      });
    case 'alembic':
      return alembicSources(ctx.cwd, plan.preview ?? '').map((s) => ({ ...s, file: rel(s.file) }));
    case 'django':
      return djangoSources(ctx.cwd, plan.preview ?? '').map((s) => ({ ...s, file: rel(s.file) }));
    case 'command':
      return [];
  }
}

/** Splits generated SQL at header lines; each part keeps its own line numbers from 1. */
function parts(
  preview: string,
  header: RegExp,
): Array<{ key: string; sql: string; inTransaction: boolean }> {
  const lines = preview.split('\n');
  const out: Array<{ key: string; sql: string; inTransaction: boolean }> = [];
  // the tools print BEGIN;/COMMIT; on lines of their own: whether a part starts inside one
  let open = false;
  let current: { key: string; lines: string[]; inTransaction: boolean } | undefined;
  for (const line of lines) {
    const m = header.exec(line);
    if (m) {
      if (current)
        out.push({
          key: current.key,
          sql: current.lines.join('\n'),
          inTransaction: current.inTransaction,
        });
      current = { key: m[1], lines: [], inTransaction: open };
      continue;
    }
    if (/^BEGIN;\s*$/.test(line)) open = true;
    else if (/^COMMIT;\s*$/.test(line)) open = false;
    current?.lines.push(line);
  }
  if (current)
    out.push({
      key: current.key,
      sql: current.lines.join('\n'),
      inTransaction: current.inTransaction,
    });
  return out;
}

/** Python files under dir (a few levels deep; virtualenvs and caches skipped). */
function pythonFiles(dir: string, depth = 5): string[] {
  if (depth < 0) return [];
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      if (/^(\.|__pycache__|node_modules|venv|env|site-packages)/.test(e.name)) continue;
      out.push(...pythonFiles(join(dir, e.name), depth - 1));
    } else if (e.name.endsWith('.py')) out.push(join(dir, e.name));
  }
  return out;
}

function lineOf(text: string, pattern: RegExp): number {
  const i = text.split('\n').findIndex((l) => pattern.test(l));
  return i < 0 ? 1 : i + 1;
}

/** `-- Running upgrade <from> -> <to>` parts, each at its revision file's upgrade(). */
function alembicSources(cwd: string, preview: string): LintSource[] {
  const files = pythonFiles(cwd);
  return parts(preview, /^-- Running upgrade\s+\S*\s*->\s*(\S+)\s*$/).map((p) => {
    const revision = new RegExp(
      `^revision(?:\\s*:\\s*[\\w\\[\\], |]+)?\\s*=\\s*['"]${p.key}['"]`,
      'm',
    );
    const file = files.find((f) => revision.test(readFileSync(f, 'utf8')));
    const line = file ? lineOf(readFileSync(file, 'utf8'), /^def upgrade\b/) : 1;
    return {
      file: file ?? `alembic revision ${p.key}`,
      sql: p.sql,
      mapLine: () => line,
      startsInTransaction: p.inTransaction,
    };
  });
}

/** `-- <app>.<migration>` parts (the django tool's plan), each at its migration file. */
function djangoSources(cwd: string, preview: string): LintSource[] {
  const files = pythonFiles(cwd);
  return parts(preview, /^-- ([A-Za-z0-9_]+\.[A-Za-z0-9_]+)$/).map((p) => {
    const [app, name] = p.key.split('.');
    const candidates = files.filter(
      (f) => basename(f) === `${name}.py` && basename(resolve(f, '..')) === 'migrations',
    );
    const file = candidates.find((f) => basename(resolve(f, '../..')) === app) ?? candidates[0];
    const line = file ? lineOf(readFileSync(file, 'utf8'), /^\s*operations\s*=/) : 1;
    return {
      file: file ?? `django migration ${p.key}`,
      sql: p.sql,
      mapLine: () => line,
      startsInTransaction: p.inTransaction,
    };
  });
}
