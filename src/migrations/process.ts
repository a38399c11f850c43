import { databaseEnvForTool } from '../db/tool-env.js';
import { execArgv, type ExecOptions, type ExecResult } from '../kit/exec.js';
import type { ToolContext } from './types.js';

/**
 * The environment every migration tool runs with: DATABASE_URL in the tool's convention,
 * the database's TLS settings (db/tool-env.ts), plus the caller's extras.
 */
export function toolEnv(
  ctx: ToolContext,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  const db = ctx.database ? databaseEnvForTool(ctx.database, ctx.toolName ?? 'command') : {};
  return { ...ctx.env, ...db, ...extra };
}

/** Runs a tool in the project directory; stderr is captured whole (redacted) for parsers. */
export async function runTool(
  ctx: ToolContext,
  argv: readonly string[],
  label: string,
  opts: Pick<ExecOptions, 'allowFailure' | 'onStderrLine' | 'stdout' | 'env'> = {},
): Promise<ExecResult & { stderr: string }> {
  const lines: string[] = [];
  const result = await execArgv(argv, {
    cwd: ctx.cwd,
    env: { ...toolEnv(ctx), ...opts.env },
    timeoutMs: ctx.timeoutMs,
    label,
    allowFailure: opts.allowFailure,
    stdout: opts.stdout ?? 'capture',
    stderrTailLines: 40,
    onStderrLine: (line) => {
      lines.push(line);
      if (lines.length > 2000) lines.shift();
      opts.onStderrLine?.(line);
    },
  });
  return { ...result, stderr: lines.join('\n') };
}

/**
 * The meaningful end of a failed tool's stderr: its last lines, without Python traceback
 * frames (the `File "..."` lines and the source line under each), log noise and doc links.
 */
export function errorTail(stderr: string, max = 4): string {
  const kept: string[] = [];
  let afterFrame = false;
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    const frame = /^File "/.test(line);
    const sourceUnderFrame = afterFrame && /^\s/.test(raw);
    afterFrame = frame;
    if (frame || sourceUnderFrame || line === '') continue;
    if (/^(Traceback|\^+$|~+$|INFO\s)/.test(line) || /^\(Background on this error at:/.test(line))
      continue;
    kept.push(line);
  }
  return kept.slice(-max).join(' | ');
}
