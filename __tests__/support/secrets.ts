import type { ActionRun } from './run-action.js';

/** Fails when any secret (raw or URL-encoded) shows in the run's stdout, stderr, summary or outputs. */
export function expectNoSecret(run: ActionRun, secrets: ReadonlyArray<string | undefined>): void {
  const places: Array<[string, string]> = [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
    ['summary', run.summary],
    ['outputs', JSON.stringify(run.outputs)],
    ['outputs (raw)', Object.values(run.outputs).join('\n')],
  ];
  for (const secret of secrets) {
    if (!secret) continue;
    const forms = new Set([secret, encodeURIComponent(secret)]);
    for (const form of forms) {
      for (const [where, text] of places) {
        if (text.includes(form)) {
          const at = text.indexOf(form);
          const context = text.slice(Math.max(0, at - 60), at).replace(/\n/g, '⏎');
          throw new Error(`a secret appears in ${where} after: "${context}"`);
        }
      }
    }
  }
}
