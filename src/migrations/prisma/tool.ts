import { readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError, UserError } from '../../kit/errors.js';
import { ApplyFailedError } from '../errors.js';
import { errorTail, runTool } from '../process.js';
import {
  CheckFailedError,
  type MigrationTool,
  type ToolContext,
  type ToolStatus,
} from '../types.js';
import { prismaCommands, type PrismaCommandOptions } from './commands.js';
import {
  parseDeployOutput,
  parsePrismaStatus,
  prismaFindings,
  type PrismaStatus,
} from './parse.js';

export const PRISMA_SCHEMA = 'prisma/schema.prisma';

/** The migration folders of prisma/migrations, oldest first (their names start with a timestamp). */
export function localPrismaMigrations(cwd: string, schema = PRISMA_SCHEMA): string[] {
  const dir = join(dirname(resolve(cwd, schema)), 'migrations');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

/**
 * Prisma Migrate has no down migrations: revertTo refuses, and rollback restores the
 * backup instead (README). Prisma itself takes an advisory lock around deploy.
 */
export function createPrismaTool(ctx: ToolContext): MigrationTool {
  const o: PrismaCommandOptions = { schema: PRISMA_SCHEMA };

  async function readStatus(): Promise<{ parsed: PrismaStatus; status: ToolStatus }> {
    // migrate status exits 1 when migrations are pending: read the text, not the code
    const r = await runTool(ctx, prismaCommands.status(o), 'prisma migrate status', {
      allowFailure: true,
    });
    const text = `${r.stdout}\n${r.stderr}`;
    const parsed = parsePrismaStatus(text);
    if (parsed.found === undefined && !parsed.upToDate && !parsed.noHistory) {
      throw new UserError(
        `prisma migrate status failed (exit ${r.exitCode}): ${errorTail(r.stderr || r.stdout)}`,
      );
    }
    const local = localPrismaMigrations(ctx.cwd);
    const applied = local.filter((m) => !parsed.pending.includes(m) && !parsed.failed.includes(m));
    return { parsed, status: { state: { migrations: applied }, applied, pending: parsed.pending } };
  }

  function noTarget(target: string | undefined): void {
    if (target !== undefined)
      throw new InputError(
        'target',
        'prisma migrate deploy always applies every pending migration; leave target empty',
      );
  }

  return {
    name: 'prisma',
    async status() {
      return (await readStatus()).status;
    },
    async check() {
      return prismaFindings((await readStatus()).parsed);
    },
    async plan(target) {
      noTarget(target);
      const { parsed, status } = await readStatus();
      const findings = prismaFindings(parsed);
      if (findings.length) throw new CheckFailedError(findings, 'check');
      let preview: string | undefined;
      if (status.pending.length) {
        const d = await runTool(ctx, prismaCommands.diffScript(o), 'prisma migrate diff', {
          allowFailure: true,
        });
        preview =
          d.exitCode === 0 ? d.stdout : `-- prisma migrate diff failed: ${errorTail(d.stderr, 2)}`;
      }
      return { ...status, toApply: status.pending, preview };
    },
    async apply(target) {
      noTarget(target);
      const before = await readStatus();
      const findings = prismaFindings(before.parsed);
      if (findings.length) throw new CheckFailedError(findings, 'check (run before apply)');
      const started = Date.now();
      const r = await runTool(ctx, prismaCommands.deploy(o), 'prisma migrate deploy', {
        allowFailure: true,
      });
      const elapsed = Date.now() - started;
      const deployed = parseDeployOutput(`${r.stdout}\n${r.stderr}`);
      const after = await readStatus().catch(() => before);
      const result = {
        previous: before.status.state,
        current: after.status.state,
        // prisma does not time each migration; the run's duration is shared out evenly
        applied: deployed.applied.map((name) => ({
          name,
          durationMs: Math.round(elapsed / Math.max(1, deployed.applied.length)),
        })),
        pending: after.status.pending,
        lockWaitedMs: 0,
      };
      if (r.exitCode !== 0) {
        const at = deployed.failed ? ` at ${deployed.failed}` : '';
        throw new ApplyFailedError(
          `prisma migrate deploy failed${at}: ${deployed.error ?? errorTail(r.stderr || r.stdout)}`,
          result,
        );
      }
      return result;
    },
    async revertTo() {
      throw new UserError(
        'Prisma migrations cannot be reverted by the tool (Prisma Migrate has no down migrations); roll back with targets: database to restore the backup',
      );
    },
  };
}
