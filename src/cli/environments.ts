/**
 * `runbook environments apply|check`: the GitHub environments as code, implemented in
 * src/github/environments-command.ts (runEnvironmentsCommand). Until that module is part of
 * this build, the command explains itself and exits 2.
 * Wiring at merge: `export { runEnvironmentsCommand } from '../github/environments-command.js';`
 */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function runEnvironmentsCommand(
  argv: readonly string[],
  io: CommandIo,
): Promise<number> {
  io.stderr(
    `runbook environments ${argv.join(' ')}: the environments command is not part of this build yet.\n`,
  );
  return 2;
}
