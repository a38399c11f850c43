import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../kit/errors.js';
import { redact } from '../kit/secrets.js';
import { imageBack } from './adapters/image.js';
import { migrationTool } from './adapters/migrations.js';
import { restoreFromManifest } from './adapters/restore.js';
import { databaseTarget, databaseUrl, factsEnv, type ReleaseContext } from './context.js';
import { runHook } from './hooks.js';
import type { RollbackStep, Stage } from './record.js';
import { runShell } from './shell.js';
import type { RollbackPart } from './types.js';

/**
 * The rollback policy: the parts of `rollback.parts` that the release touched, always in
 * the order deploy -> migrations -> database (the old code comes back first; it runs
 * against the newer schema only for the moment the restore takes). Migrations are not
 * reverted when the database is restored from the backup taken before them: the restore
 * brings the schema back with the data.
 */
export async function rollBack(ctx: ReleaseContext, trigger: string): Promise<boolean> {
  const { book, record, reporter } = ctx;
  const started = Date.now();
  const touched = new Set<Stage>(
    record.stages.filter((s) => s.status !== 'skipped').map((s) => s.stage as Stage),
  );
  const wants = (p: RollbackPart): boolean => book.rollback.parts.includes(p);
  const willRestore = wants('database') && record.backup !== undefined && touched.has('migrate');
  record.rollback = { trigger, steps: [] };
  reporter.stageStart('rollback', `roll back (${trigger})`);
  const step = async (
    part: RollbackPart,
    run: () => Promise<string | undefined>,
  ): Promise<void> => {
    const t = Date.now();
    const s: RollbackStep = { part, status: 'done', detail: '', durationMs: 0 };
    try {
      const detail = await run();
      if (detail === undefined) return;
      s.detail = detail;
      reporter.log(`${part}: ${detail}`);
    } catch (err) {
      s.status = 'failed';
      s.detail = redact(errorMessage(err)).replace(/\r?\n/g, ' ');
      reporter.log(`${part}: FAILED ${s.detail}`);
    }
    s.durationMs = Date.now() - t;
    record.rollback!.steps.push(s);
    ctx.persist(record);
  };

  if (wants('deploy') && touched.has('deploy')) {
    await step('deploy', async () => {
      const parts: string[] = [];
      let imageRef = '';
      if (book.image) {
        imageRef = await imageBack(book.image, record.previousImageDigest);
        parts.push(`${book.image.promoteTag} moved back to ${imageRef}`);
      }
      if (book.deploy) {
        if (!record.previousRef)
          throw new Error(
            'no previous ref is recorded (first release?); deploy the old version by hand',
          );
        await runShell(book.deploy, {
          cwd: book.dir,
          env: factsEnv(ctx, {
            RUNBOOK_REF: record.previousRef,
            RUNBOOK_IMAGE_REF: imageRef,
            RUNBOOK_ROLLBACK: 'true',
          }),
          timeoutMs: book.timeoutMs,
          label: 'deploy (rollback)',
          log: (l) => reporter.log(l),
        });
        parts.push(`deploy re-ran with RUNBOOK_REF=${record.previousRef}`);
      }
      return parts.join('; ');
    });
  }
  if (wants('migrations') && touched.has('migrate') && record.migrations && book.migrations) {
    if (willRestore) {
      const detail = 'not reverted: the database restore brings the schema back';
      record.rollback.steps.push({ part: 'migrations', status: 'skipped', detail, durationMs: 0 });
      reporter.log(`migrations: ${detail}`);
    } else
      await step('migrations', async () => {
        const tool = migrationTool({
          config: book.migrations!,
          baseDir: book.dir,
          databaseUrl: databaseUrl(book, ctx.env),
          timeoutMs: book.timeoutMs,
          log: (l) => reporter.log(redact(l)),
        });
        const r = await tool.revertTo(record.migrations!.previous);
        return `reverted ${r.reverted.length}: ${r.reverted.join(', ') || 'nothing'}; now ${JSON.stringify(r.current)}`;
      });
  }
  if (willRestore) {
    await step('database', async () => {
      const scratch = mkdtempSync(join(book.dir, '.runbook-restore-'));
      try {
        const r = await restoreFromManifest({
          target: databaseTarget(book, ctx.env)!,
          manifestPath: record.backup!.manifestPath,
          scratchDir: scratch,
          timeoutMs: book.timeoutMs,
          log: (l) => reporter.log(l),
        });
        record.rollback!.restoredTables = Object.keys({ ...r.expected, ...r.tables })
          .sort()
          .map((t) => [t, r.expected[t], r.tables[t]]);
        return `${r.method}; row counts of ${Object.keys(r.expected).length} tables match the backup`;
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  }
  const failed = record.rollback.steps.filter((s) => s.status === 'failed');
  record.status = failed.length > 0 ? 'rollback-failed' : 'rolled-back';
  ctx.persist(record);
  const done =
    record.rollback.steps.map((s) => `${s.part} ${s.status}`).join(', ') || 'nothing to undo';
  reporter.stageEnd('rollback', failed.length ? 'failed' : 'passed', done, Date.now() - started);
  await runHook(ctx, 'on-rollback');
  return failed.length === 0;
}
