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
import {
  djangoCommands,
  parseDjangoTarget,
  type DjangoCommandOptions,
  type DjangoTarget,
} from './commands.js';
import {
  djangoState,
  findingsFromDjangoError,
  parseMigrateOutput,
  parseMigratePlan,
  parseShowPlan,
  revertSteps,
  type DjangoMigration,
} from './parse.js';

/** `{"catalog": "0002_add_price", "shop": "zero"}` */
export function parseDjangoState(state: MigrationState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [app, v] of Object.entries(state)) {
    if (
      typeof v !== 'string' ||
      !/^[A-Za-z0-9_]+$/.test(v) ||
      !/^[A-Za-z_][A-Za-z0-9_]*$/.test(app)
    ) {
      throw new UserError(
        'previous-state for django must be {"<app>": "<migration>" | "zero", ...}',
      );
    }
    out[app] = v;
  }
  return out;
}

export function createDjangoTool(ctx: ToolContext): MigrationTool {
  const o: DjangoCommandOptions = { python: ctx.python };
  const extraEnv: Record<string, string> = ctx.djangoSettings
    ? { DJANGO_SETTINGS_MODULE: ctx.djangoSettings }
    : {};
  const run = (argv: string[], label: string, allowFailure = true) =>
    runTool(ctx, argv, label, { allowFailure, env: extraEnv });

  /** migrate --plan loads the whole graph and checks conflicts and history: it is the check. */
  async function graphFindings(): Promise<Finding[]> {
    const r = await run(djangoCommands.migratePlan(o), 'manage.py migrate --plan');
    if (r.exitCode === 0) return [];
    const findings = findingsFromDjangoError(r.stderr);
    if (findings.length === 0)
      throw new UserError(
        `manage.py migrate --plan failed (exit ${r.exitCode}): ${errorTail(r.stderr)}`,
      );
    return findings;
  }

  async function listMigrations(): Promise<DjangoMigration[]> {
    const r = await run(djangoCommands.showPlan(o), 'manage.py showmigrations');
    if (r.exitCode !== 0) {
      const findings = findingsFromDjangoError(r.stderr);
      if (findings.length) throw new CheckFailedError(findings, 'django');
      throw new UserError(
        `manage.py showmigrations failed (exit ${r.exitCode}): ${errorTail(r.stderr)}`,
      );
    }
    return parseShowPlan(r.stdout);
  }

  function toStatus(ms: DjangoMigration[]): ToolStatus {
    return {
      state: djangoState(ms),
      applied: ms.filter((m) => m.applied).map((m) => `${m.app}.${m.name}`),
      pending: ms.filter((m) => !m.applied).map((m) => `${m.app}.${m.name}`),
    };
  }

  function validateTarget(
    ms: DjangoMigration[],
    text: string | undefined,
  ): DjangoTarget | undefined {
    if (text === undefined) return undefined;
    const t = parseDjangoTarget(text);
    if (!t)
      throw new InputError(
        'target',
        `'${text}' is not a Django target; use <app> or <app>.<migration>`,
      );
    const inApp = ms.filter((m) => m.app === t.app);
    if (inApp.length === 0)
      throw new InputError('target', `app '${t.app}' has no migrations in this project`);
    if (t.migration) {
      const matches = inApp.filter(
        (m) => m.name === t.migration || m.name.startsWith(t.migration ?? ''),
      );
      const exact = inApp.find((m) => m.name === t.migration);
      if (!exact && matches.length !== 1) {
        throw new InputError('target', `migration '${t.app}.${t.migration}' does not exist`);
      }
      return { app: t.app, migration: exact ? exact.name : matches[0].name };
    }
    return t;
  }

  /** Forward steps of `migrate --plan [target]`; a target behind the current state is refused. */
  async function forwardPlan(
    target: DjangoTarget | undefined,
    text: string | undefined,
  ): Promise<string[]> {
    const r = await run(djangoCommands.migratePlan(o, target), 'manage.py migrate --plan');
    if (r.exitCode !== 0) {
      const findings = findingsFromDjangoError(r.stderr);
      if (findings.length) throw new CheckFailedError(findings, 'django');
      throw new UserError(
        `manage.py migrate --plan failed (exit ${r.exitCode}): ${errorTail(r.stderr)}`,
      );
    }
    const steps = parseMigratePlan(r.stdout);
    const back = steps.filter((s) => s.backwards);
    if (back.length) {
      throw new InputError(
        'target',
        `'${text}' is behind the current state: migrating to it would unapply ${back.map((s) => s.migration).join(', ')}; apply only goes forward (use rollback to go back)`,
      );
    }
    return steps.map((s) => s.migration);
  }

  return {
    name: 'django',

    async status() {
      return toStatus(await listMigrations());
    },

    async check() {
      return graphFindings();
    },

    async plan(targetText): Promise<Plan> {
      const findings = await graphFindings();
      if (findings.length) throw new CheckFailedError(findings, 'check');
      const ms = await listMigrations();
      const target = validateTarget(ms, targetText);
      const toApply = await forwardPlan(target, targetText);
      const parts: string[] = [];
      for (const label of toApply) {
        const [app, name] = label.split('.');
        const r = await run(
          djangoCommands.sqlmigrate(o, app, name),
          `manage.py sqlmigrate ${label}`,
        );
        parts.push(
          `-- ${label}\n${r.exitCode === 0 ? r.stdout.trimEnd() : `-- sqlmigrate failed: ${errorTail(r.stderr, 2)}`}\n`,
        );
      }
      return { ...toStatus(ms), toApply, preview: parts.length ? parts.join('\n') : undefined };
    },

    async apply(targetText): Promise<ApplyResult> {
      const db = ctx.database;
      if (!db) throw new UserError('django needs database-url');
      const findings = await graphFindings();
      if (findings.length) throw new CheckFailedError(findings, 'check (run before apply)');
      const target = validateTarget(await listMigrations(), targetText);
      return withMigrationLock(db, ctx.lockWaitMs, ctx.log, async (lock) => {
        const before = await listMigrations();
        const previous = djangoState(before);
        const toApply = await forwardPlan(target, targetText);
        const finish = async (applied: AppliedMigration[]): Promise<ApplyResult> => {
          const after = await listMigrations().catch(() => before);
          return {
            previous,
            current: djangoState(after),
            applied,
            pending: toStatus(after).pending,
            lockWaitedMs: lock.waitedMs,
          };
        };
        if (!toApply.length) return finish([]);
        ctx.log(`applying ${toApply.join(', ')}`);
        const r = await run(djangoCommands.migrate(o, target), 'manage.py migrate');
        const steps = parseMigrateOutput(r.stdout);
        const applied = steps
          .filter((s) => s.ok && !s.backwards)
          .map((s) => ({ name: s.migration, durationMs: s.durationMs }));
        for (const a of applied) ctx.log(`applied ${a.name}`);
        if (r.exitCode !== 0) {
          const failed = steps.find((s) => !s.ok)?.migration;
          throw new ApplyFailedError(
            `manage.py migrate failed${failed ? ` at ${failed}` : ''}: ${errorTail(r.stderr)}`,
            await finish(applied),
          );
        }
        return finish(applied);
      });
    },

    async revertTo(state): Promise<RevertResult> {
      const db = ctx.database;
      if (!db) throw new UserError('django needs database-url');
      const wanted = parseDjangoState(state);
      const ms = await listMigrations();
      for (const [app, name] of Object.entries(wanted)) {
        if (!ms.some((m) => m.app === app))
          throw new UserError(
            `cannot revert django app ${app}: it has no migrations in this project`,
          );
        if (name !== 'zero' && !ms.some((m) => m.app === app && m.name === name)) {
          throw new UserError(
            `cannot revert django app ${app} to ${name}: no such migration in this project`,
          );
        }
      }
      return withMigrationLock(db, ctx.lockWaitMs, ctx.log, async () => {
        const before = await listMigrations();
        const reverted: string[] = [];
        for (const step of revertSteps(before, wanted)) {
          ctx.log(`migrate ${step.app} ${step.migration} (unapplies ${step.unapply.join(', ')})`);
          const r = await run(
            djangoCommands.migrate(o, { app: step.app, migration: step.migration }),
            `manage.py migrate ${step.app}`,
          );
          const done = parseMigrateOutput(r.stdout).filter((s) => s.ok && s.backwards);
          for (const d of done) if (!reverted.includes(d.migration)) reverted.push(d.migration);
          if (r.exitCode !== 0) {
            throw new UserError(
              `manage.py migrate ${step.app} ${step.migration} failed: ${errorTail(r.stderr)}${reverted.length ? `; already reverted: ${reverted.join(', ')}` : ''}`,
            );
          }
        }
        const after = await listMigrations();
        return { previous: djangoState(before), current: djangoState(after), reverted };
      });
    },
  };
}
