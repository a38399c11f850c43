import { UserError } from '../../kit/errors.js';
import { ApplyFailedError } from '../errors.js';
import { withMigrationLock } from '../lock.js';
import { errorTail, runTool } from '../process.js';
import type {
  ApplyResult,
  MigrationState,
  MigrationTool,
  RevertResult,
  ToolContext,
} from '../types.js';

/** The user's command runs as written, by `bash -c`, like a workflow `run:` step (never built from other inputs). */
export function bashArgv(script: string): string[] {
  return ['bash', '--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', script];
}

/**
 * The command tool: `command` applies, `status-command` prints the state (its trimmed
 * stdout becomes `{"status": ...}`), `down-command` reverts with RUNBOOK_PREVIOUS_STATE set.
 * It cannot list pending migrations.
 */
export function createCommandTool(ctx: ToolContext): MigrationTool {
  async function state(): Promise<MigrationState> {
    if (!ctx.statusCommand) return { status: null };
    const r = await runTool(ctx, bashArgv(ctx.statusCommand), 'status-command', {
      allowFailure: true,
    });
    if (r.exitCode !== 0)
      throw new UserError(`status-command exited with code ${r.exitCode}: ${errorTail(r.stderr)}`);
    return { status: r.stdout.trim() };
  }

  async function locked<T>(fn: (waitedMs: number) => Promise<T>): Promise<T> {
    if (!ctx.database) return fn(0);
    return withMigrationLock(ctx.database, ctx.lockWaitMs, ctx.log, (lock) => fn(lock.waitedMs));
  }

  return {
    name: 'command',
    async status() {
      return { state: await state(), applied: [], pending: [] };
    },
    async check() {
      return [];
    },
    async plan() {
      const s = await state();
      return {
        state: s,
        applied: [],
        pending: [],
        toApply: [],
        preview: ctx.command ? `# command (run by bash -c):\n${ctx.command}\n` : undefined,
      };
    },
    async apply(): Promise<ApplyResult> {
      const command = ctx.command;
      if (!command) throw new UserError('the command tool needs command');
      return locked(async (waitedMs) => {
        const previous = await state();
        const started = Date.now();
        const r = await runTool(ctx, bashArgv(command), 'command', {
          allowFailure: true,
          stdout: 'inherit',
          onStderrLine: (l) => ctx.log(l),
        });
        const applied = [{ name: 'command', durationMs: Date.now() - started }];
        if (r.exitCode !== 0) {
          const current = await state().catch(() => previous);
          throw new ApplyFailedError(
            `command exited with code ${r.exitCode}: ${errorTail(r.stderr)}`,
            {
              previous,
              current,
              applied: [],
              pending: [],
              lockWaitedMs: waitedMs,
            },
          );
        }
        return { previous, current: await state(), applied, pending: [], lockWaitedMs: waitedMs };
      });
    },
    async revertTo(target): Promise<RevertResult> {
      const down = ctx.downCommand;
      if (!down)
        throw new UserError('the command tool reverts with down-command, which is not set');
      return locked(async () => {
        const previous = await state();
        const text = typeof target.status === 'string' ? target.status : '';
        const r = await runTool(ctx, bashArgv(down), 'down-command', {
          allowFailure: true,
          stdout: 'inherit',
          env: {
            RUNBOOK_PREVIOUS_STATE: text,
            RUNBOOK_PREVIOUS_STATE_JSON: JSON.stringify(target),
          },
          onStderrLine: (l) => ctx.log(l),
        });
        if (r.exitCode !== 0)
          throw new UserError(
            `down-command exited with code ${r.exitCode}: ${errorTail(r.stderr)}`,
          );
        return { previous, current: await state(), reverted: ['down-command'] };
      });
    },
  };
}
