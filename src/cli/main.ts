import { errorMessage, isUserError } from '../kit/errors.js';
import { formatDuration } from '../kit/durations.js';
import { redact } from '../kit/secrets.js';
import { EXIT, runSession, type Mode } from '../runbook/session.js';
import { loadRunbook, RunbookError } from '../runbook/validate.js';
import { runActionBundle } from './action-command.js';
import { ArgsError, checkKnown, parseArgs, single, type Args } from './args.js';
import { CliOutput, type Style } from './output.js';

/** The `runbook` command. Usage and exit codes: docs/runbook.md. */

export const USAGE = `usage:
  runbook release  --file runbook.yml --env <environment> --ref <sha|tag> [--previous-ref <ref>]
  runbook plan     --file runbook.yml --env <environment> [--ref <ref>]
  runbook rollback --file runbook.yml --env <environment>
  runbook validate --file runbook.yml [--env <environment>]
  runbook action <backup-db|migrate|build-push-image|smoke-test|health-gate|rollback> --with key=value ...
  runbook environments apply|check --file <file>
options: --json (machine-readable output; the default when stdout is not a terminal),
         --plain (one line per stage, no spinner), --verbose (every log line)
exit codes: 0 done, 1 release failed and rolled back, 2 bad input (nothing ran),
            3 rollback failed, 4 release failed without automatic rollback, 130 interrupted`;

const FLAGS = ['json', 'plain', 'verbose', 'help'];

function styleOf(args: Args): Style {
  if (args.flags.has('json')) return 'json';
  if (args.flags.has('plain')) return 'plain';
  return process.stdout.isTTY ? 'tty' : 'json';
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (command === 'environments') {
    // GitHub environments as code (docs/environments.md); Octokit loads only on this path
    const { runEnvironmentsCommand } = await import('../github/environments-command.js');
    return runEnvironmentsCommand([...rest], {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    });
  }
  let args: Args;
  try {
    args = parseArgs(rest, FLAGS);
  } catch (err) {
    return usageError(errorMessage(err));
  }
  try {
    switch (command) {
      case 'release':
      case 'plan':
      case 'rollback':
        checkKnown(args, ['file', 'env', 'ref', 'previous-ref']);
        return await runbookCommand(command, args);
      case 'validate':
        checkKnown(args, ['file', 'env']);
        return validateCommand(args);
      case 'action':
        checkKnown(args, ['with']);
        return await actionCommand(args);
      default:
        return usageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof ArgsError) return usageError(err.message);
    throw err;
  }
}

function usageError(message: string): number {
  process.stderr.write(`runbook: ${message}\n${USAGE}\n`);
  return EXIT.badInput;
}

function fileOf(args: Args): string {
  return single(args, 'file') ?? 'runbook.yml';
}

function validateCommand(args: Args): number {
  const style = styleOf(args);
  try {
    const book = loadRunbook(fileOf(args), single(args, 'env'));
    if (style === 'json')
      process.stdout.write(
        `${JSON.stringify({ valid: true, file: book.file, environments: book.environments })}\n`,
      );
    else
      process.stdout.write(
        `${book.file}: valid (${book.environments.length ? `environments: ${book.environments.join(', ')}` : 'no environments'})\n`,
      );
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof RunbookError)) throw err;
    if (style === 'json')
      process.stdout.write(
        `${JSON.stringify({ valid: false, file: err.file, problems: err.problems })}\n`,
      );
    else process.stderr.write(`${err.message}\n`);
    return EXIT.badInput;
  }
}

async function runbookCommand(mode: Mode, args: Args): Promise<number> {
  const style = styleOf(args);
  const out = new CliOutput(style, args.flags.has('verbose'));
  const env = process.env;
  let book;
  try {
    book = loadRunbook(fileOf(args), single(args, 'env'));
  } catch (err) {
    if (!(err instanceof RunbookError)) throw err;
    out.event({ event: 'invalid', problems: err.problems });
    process.stderr.write(`${err.message}\n`);
    return EXIT.badInput;
  }
  const started = Date.now();
  out.print(
    `runbook ${mode}: ${book.name} → ${book.environment}${mode === 'release' ? ` (${single(args, 'ref') ?? env.GITHUB_SHA ?? '?'})` : ''}`,
  );
  // The first Ctrl-C (or SIGTERM) of a release stops the stage in progress and lets the
  // rollback policy undo what was changed, as a cancelled workflow job does; a second one
  // leaves at once, saying how to roll back by hand.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (mode === 'release' && !interrupt.signal.aborted) {
      interrupt.abort(signal);
      process.stderr.write(
        `\nrunbook: ${signal}: stopping the release; what it changed is rolled back (${signal} again to leave without rolling back).\n`,
      );
      return;
    }
    out.release();
    process.stderr.write(
      `\nrunbook: ${signal}: stopped mid-${mode}; the release record is in ${book.stateDir}/${book.environment}.json — run 'runbook rollback --file ${fileOf(args)} --env ${book.environment}' to undo what was done.\n`,
    );
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  out.capture();
  try {
    const r = await runSession({
      book,
      mode,
      ref: single(args, 'ref') ?? env.GITHUB_SHA,
      previousRef: single(args, 'previous-ref'),
      reporter: out,
      env,
      signal: interrupt.signal,
    });
    out.release();
    // interrupted and rolled back (or nothing to roll back): 130, as for any interrupted
    // command; a rollback that failed keeps its own code
    if (interrupt.signal.aborted && r.exitCode !== EXIT.rollbackFailed)
      r.exitCode = EXIT.interrupted;
    for (const line of r.plan ?? []) out.print(`  ${line}`);
    const status = r.record?.status ?? (mode === 'plan' ? 'planned' : 'done');
    out.event({
      event: 'result',
      mode,
      exitCode: r.exitCode,
      status,
      record: r.record,
      plan: r.plan,
    });
    out.print(
      `${r.exitCode === 0 ? '✓' : '✗'} ${mode} ${status} in ${formatDuration(Date.now() - started)}${r.record?.error && r.exitCode !== 0 ? `: ${r.record.error}` : ''}`,
    );
    return r.exitCode;
  } catch (err) {
    out.release();
    const message = redact(errorMessage(err)).replace(/\r?\n/g, ' ');
    out.event({ event: 'error', message });
    process.stderr.write(`runbook: ${isUserError(err) ? '' : 'unexpected error: '}${message}\n`);
    return isUserError(err) ? EXIT.badInput : EXIT.rollbackFailed;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

async function actionCommand(args: Args): Promise<number> {
  const name = args.positional[0];
  if (!name) throw new ArgsError('runbook action needs the action name');
  const style = styleOf(args);
  const r = await runActionBundle(name, args.options.with ?? [], (line, stream) => {
    if (style === 'json') process.stderr.write(`${line}\n`);
    else (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`);
  });
  if (style === 'json')
    process.stdout.write(
      `${JSON.stringify({ action: name, exitCode: r.exitCode, outputs: r.outputs })}\n`,
    );
  else {
    process.stdout.write(`\noutputs of ${name}:\n`);
    for (const [k, v] of Object.entries(r.outputs)) process.stdout.write(`  ${k}=${v}\n`);
  }
  return r.exitCode;
}
