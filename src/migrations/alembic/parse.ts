import type { Finding } from '../types.js';

/** One revision from `alembic history`. */
export interface AlembicRevision {
  id: string;
  /** parent revisions; empty for the first one (`<base>`) */
  down: string[];
  message: string;
  tags: string[];
}

const HISTORY_LINE = /^(.+?) -> ([0-9A-Za-z_]+)((?: \([^)]*\))*),\s?(.*)$/;
const REVISION_LINE = /^([0-9A-Za-z_]+)((?: \([^)]*\))*)\s*$/;

/** Parses `alembic history` (newest first) into revisions, newest first. */
export function parseHistory(stdout: string): AlembicRevision[] {
  const out: AlembicRevision[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trimEnd();
    const m = HISTORY_LINE.exec(line);
    if (!m) continue;
    const down = m[1].trim() === '<base>' ? [] : m[1].split(',').map((s) => s.trim());
    const tags = [...m[3].matchAll(/\(([^)]*)\)/g)].map((t) => t[1]);
    out.push({ id: m[2], down, message: m[4].trim(), tags });
  }
  return out;
}

/** Parses `alembic current` or `alembic heads`: one revision per line, with `(head)` style tags. */
export function parseRevisionList(stdout: string): string[] {
  const out: string[] = [];
  for (const raw of stdout.split('\n')) {
    const m = REVISION_LINE.exec(raw.trim());
    if (m && raw.trim() !== '') out.push(m[1]);
  }
  return out;
}

/** `Running upgrade a -> b, message` lines alembic logs while it upgrades: the revision it starts. */
export function parseRunningLine(
  line: string,
): { direction: 'upgrade' | 'downgrade'; revision: string } | undefined {
  const m = /Running (upgrade|downgrade) (.*?) -> ([0-9A-Za-z_, ]*?)(?:,|$)/.exec(line);
  if (!m) return undefined;
  const direction = m[1] as 'upgrade' | 'downgrade';
  const revision = direction === 'upgrade' ? m[3].trim() : m[2].trim();
  return { direction, revision };
}

/** Findings alembic's own error output reveals: a down_revision that names nothing, an unknown current revision. */
export function findingsFromStderr(stderr: string): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const m of stderr.matchAll(/Revision (\S+) referenced from (.+?) -> ([0-9A-Za-z_]+)/g)) {
    const key = `${m[3]}:${m[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      code: 'broken-link',
      message: `revision ${m[3]} has down_revision ${m[1]}, which does not exist (renamed or deleted?)`,
    });
  }
  for (const m of stderr.matchAll(/Can't locate revision identified by '([^']+)'/g)) {
    if (seen.has(`unknown:${m[1]}`)) continue;
    seen.add(`unknown:${m[1]}`);
    out.push({
      code: 'unknown-revision',
      message: `the database is at revision ${m[1]}, which no migration script defines`,
    });
  }
  return out;
}

/** Resolves `head`, `heads`, a revision id or a unique prefix of one; undefined when nothing matches. */
export function resolveTarget(
  history: readonly AlembicRevision[],
  heads: readonly string[],
  target: string,
): string[] | undefined {
  if (target === 'head' || target === 'heads') return [...heads];
  const exact = history.find((r) => r.id === target);
  if (exact) return [exact.id];
  const prefixed = history.filter((r) => r.id.startsWith(target));
  return prefixed.length === 1 ? [prefixed[0].id] : undefined;
}

function ancestorsOf(byId: Map<string, AlembicRevision>, start: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const d of byId.get(id)?.down ?? []) stack.push(d);
  }
  return seen;
}

/**
 * Revisions an upgrade from `current` to `targets` runs, parents first (pure):
 * the targets and their ancestors, minus what current already includes.
 */
export function pendingRevisions(
  history: readonly AlembicRevision[],
  current: readonly string[],
  targets: readonly string[],
): string[] {
  const byId = new Map(history.map((r) => [r.id, r]));
  const done = ancestorsOf(byId, current);
  const wanted = ancestorsOf(byId, targets);
  // history is newest first; oldest first is a valid order, refined so parents always come first
  const candidates = [...history].reverse().filter((r) => wanted.has(r.id) && !done.has(r.id));
  const out: string[] = [];
  const placed = new Set<string>(done);
  while (out.length < candidates.length) {
    const next = candidates.find(
      (r) => !placed.has(r.id) && r.down.every((d) => placed.has(d) || !byId.has(d)),
    );
    if (!next) break;
    placed.add(next.id);
    out.push(next.id);
  }
  return out;
}

/** The multiple-heads finding, naming every head. */
export function headsFinding(
  heads: readonly string[],
  history: readonly AlembicRevision[],
): Finding | undefined {
  if (heads.length <= 1) return undefined;
  const named = heads.map((h) => {
    const msg = history.find((r) => r.id === h)?.message;
    return msg ? `${h} (${msg})` : h;
  });
  return {
    code: 'multiple-heads',
    message: `alembic has ${heads.length} heads: ${named.join(', ')}; merge them (alembic merge heads) before applying`,
  };
}
