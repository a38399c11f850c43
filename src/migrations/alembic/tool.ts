import { InputError, UserError } from '../../kit/errors.js';
import { ApplyFailedError } from '../errors.js';
import { withMigrationLock } from '../lock.js';
import { errorTail, runTool } from '../process.js';
import {
  CheckFailedError,
  type ApplyResult,
  type AppliedMigration,
  type Finding,
  type MigrationState,
  type MigrationTool,
  type Plan,
  type RevertResult,
  type ToolContext,
  type ToolStatus,
} from '../types.js';
import { alembicCommands, type AlembicCommandOptions } from './commands.js';
import {
  findingsFromStderr,
  headsFinding,
  parseHistory,
  parseRevisionList,
  parseRunningLine,
  pendingRevisions,
  resolveTarget,
  type AlembicRevision,
} from './parse.js';

interface Graph {
  history: AlembicRevision[];
  heads: string[];
  findings: Finding[];
}

/** `{"revisions": ["abc123"]}`; an empty list is the base (nothing applied). */
export function parseAlembicState(state: MigrationState): string[] {
  const r = state.revisions;
  if (Array.isArray(r) && r.every((x) => typeof x === 'string' && /^[0-9A-Za-z_]+$/.test(x)))
    return r as string[];
  throw new UserError('previous-state for alembic must be {"revisions": ["<revision>", ...]}');
}

export function createAlembicTool(ctx: ToolContext): MigrationTool {
  const o: AlembicCommandOptions = { python: ctx.python };
  const database = ctx.database;

  async function graph(): Promise<Graph> {
    const h = await runTool(ctx, alembicCommands.history(o), 'alembic history', {
      allowFailure: true,
    });
    const findings = findingsFromStderr(h.stderr);
    if (h.exitCode !== 0 && findings.length === 0) {
      throw new UserError(`alembic history failed (exit ${h.exitCode}): ${errorTail(h.stderr)}`);
    }
    const history = parseHistory(h.stdout);
    let heads: string[] = [];
    if (findings.length === 0) {
      const hd = await runTool(ctx, alembicCommands.heads(o), 'alembic heads');
      heads = parseRevisionList(hd.stdout);
      const f = headsFinding(heads, history);
      if (f) findings.push(f);
    }
    return { history, heads, findings };
  }

  async function current(): Promise<{ revisions: string[]; findings: Finding[] }> {
    const r = await runTool(ctx, alembicCommands.current(o), 'alembic current', {
      allowFailure: true,
    });
    const findings = findingsFromStderr(r.stderr);
    if (r.exitCode !== 0 && findings.length === 0) {
      throw new UserError(`alembic current failed (exit ${r.exitCode}): ${errorTail(r.stderr)}`);
    }
    return { revisions: parseRevisionList(r.stdout), findings };
  }

  function targets(g: Graph, target: string | undefined): string[] {
    if (target === undefined) return g.heads;
    const t = resolveTarget(g.history, g.heads, target);
    if (!t)
      throw new InputError('target', `revision '${target}' does not exist in the alembic history`);
    return t;
  }

  async function status(): Promise<ToolStatus & { graph: Graph; current: string[] }> {
    const g = await graph();
    if (g.findings.some((f) => f.code === 'broken-link'))
      throw new CheckFailedError(g.findings, 'alembic');
    const c = await current();
    if (c.findings.length) throw new CheckFailedError(c.findings, 'alembic');
    const applied = [...g.history]
      .reverse()
      .map((r) => r.id)
      .filter((id) => !pendingRevisions(g.history, c.revisions, [id]).length);
    return {
      state: { revisions: c.revisions },
      applied,
      pending: pendingRevisions(g.history, c.revisions, g.heads),
      graph: g,
      current: c.revisions,
    };
  }

  function requireDb(): NonNullable<ToolContext['database']> {
    if (!database) throw new UserError('alembic needs database-url');
    return database;
  }

  return {
    name: 'alembic',

    async status() {
      const s = await status();
      return { state: s.state, applied: s.applied, pending: s.pending };
    },

    async check() {
      const g = await graph();
      if (g.findings.some((f) => f.code === 'broken-link')) return g.findings;
      const c = await current();
      return [...g.findings, ...c.findings];
    },

    async plan(target): Promise<Plan> {
      const s = await status();
      // apply would refuse: say so now, before anyone approves this plan
      if (s.graph.findings.length) throw new CheckFailedError(s.graph.findings, 'check');
      const t = targets(s.graph, target);
      const toApply = pendingRevisions(s.graph.history, s.current, t);
      let preview: string | undefined;
      if (toApply.length && t.length === 1) {
        const r = await runTool(
          ctx,
          alembicCommands.upgradeSql(o, s.current[0], t[0]),
          'alembic upgrade --sql',
        );
        preview = r.stdout;
      }
      return { state: s.state, applied: s.applied, pending: s.pending, toApply, preview };
    },

    async apply(target): Promise<ApplyResult> {
      const db = requireDb();
      const first = await graph();
      if (first.findings.length)
        throw new CheckFailedError(first.findings, 'check (run before apply)');
      const t = targets(first, target);
      return withMigrationLock(db, ctx.lockWaitMs, ctx.log, async (lock) => {
        // the scripts were read before the lock; the database's revision must be read under it
        const c = await current();
        if (c.findings.length) throw new CheckFailedError(c.findings, 'check (run before apply)');
        const previous = { revisions: c.revisions };
        const toApply = pendingRevisions(first.history, c.revisions, t);
        const applied: AppliedMigration[] = [];
        const result = async (): Promise<ApplyResult> => {
          const after = await current().catch(() => ({ revisions: c.revisions }));
          return {
            previous,
            current: { revisions: after.revisions },
            applied,
            pending: pendingRevisions(first.history, after.revisions, first.heads),
            lockWaitedMs: lock.waitedMs,
          };
        };
        if (!toApply.length) return result();
        let running: { revision: string; started: number } | undefined;
        const finish = (now: number): void => {
          if (running) applied.push({ name: running.revision, durationMs: now - running.started });
          running = undefined;
        };
        const r = await runTool(
          ctx,
          alembicCommands.upgrade(o, target ?? 'head'),
          'alembic upgrade',
          {
            allowFailure: true,
            onStderrLine: (line) => {
              const step = parseRunningLine(line);
              if (!step || step.direction !== 'upgrade') return;
              const now = Date.now();
              finish(now);
              running = { revision: step.revision, started: now };
              ctx.log(`applying alembic revision ${step.revision}`);
            },
          },
        );
        if (r.exitCode !== 0) {
          const failedAt = running?.revision;
          running = undefined;
          const partial = await result();
          // the revision that was running did not finish: it is not applied
          const done = applied.filter((a) => a.name !== failedAt);
          partial.applied = done;
          throw new ApplyFailedError(
            `alembic upgrade failed${failedAt ? ` at revision ${failedAt}` : ''}: ${errorTail(r.stderr)}`,
            partial,
          );
        }
        finish(Date.now());
        return result();
      });
    },

    async revertTo(state): Promise<RevertResult> {
      const db = requireDb();
      const wanted = parseAlembicState(state);
      if (wanted.length > 1) {
        throw new UserError(
          `cannot revert alembic to several revisions at once (${wanted.join(', ')}); downgrade by hand`,
        );
      }
      const g = await graph();
      if (wanted[0] && !g.history.some((r) => r.id === wanted[0])) {
        throw new UserError(
          `cannot revert alembic to revision ${wanted[0]}: no migration script defines it`,
        );
      }
      return withMigrationLock(db, ctx.lockWaitMs, ctx.log, async () => {
        const before = await current();
        const reverted: string[] = [];
        const r = await runTool(
          ctx,
          alembicCommands.downgrade(o, wanted[0] ?? null),
          'alembic downgrade',
          {
            allowFailure: true,
            onStderrLine: (line) => {
              const step = parseRunningLine(line);
              if (step?.direction === 'downgrade') {
                reverted.push(step.revision);
                ctx.log(`reverting alembic revision ${step.revision}`);
              }
            },
          },
        );
        if (r.exitCode !== 0)
          throw new UserError(`alembic downgrade failed: ${errorTail(r.stderr)}`);
        const after = await current();
        return {
          previous: { revisions: before.revisions },
          current: { revisions: after.revisions },
          reverted,
        };
      });
    },
  };
}
