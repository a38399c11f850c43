import { errorMessage } from '../kit/errors.js';
import { redact } from '../kit/secrets.js';
import { factsEnv, type ReleaseContext } from './context.js';
import { runShell } from './shell.js';
import type { HookName } from './types.js';

/**
 * Runs one hook if the runbook has it. Returns false when it failed; `before-migrate` and
 * `after-deploy` failing fail the release (the caller throws), the others only warn.
 */
export async function runHook(ctx: ReleaseContext, hook: HookName): Promise<boolean> {
  const command = ctx.book.hooks[hook];
  if (!command) return true;
  const started = Date.now();
  ctx.reporter.stageStart(`hook ${hook}`, `hook ${hook}`);
  let ok = true;
  let detail = 'ok';
  try {
    await runShell(command, {
      cwd: ctx.book.dir,
      env: factsEnv(ctx, { RUNBOOK_HOOK: hook }),
      timeoutMs: ctx.book.timeoutMs,
      label: `hook ${hook}`,
      log: (line) => ctx.reporter.log(redact(line)),
    });
  } catch (err) {
    ok = false;
    detail = redact(errorMessage(err));
  }
  const ms = Date.now() - started;
  ctx.record.hooks.push({ hook, ok, durationMs: ms });
  ctx.persist(ctx.record);
  ctx.reporter.stageEnd(`hook ${hook}`, ok ? 'passed' : 'failed', detail, ms);
  return ok;
}
