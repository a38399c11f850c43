import * as core from '@actions/core';
import { UserError } from '../../kit/errors.js';
import { runAction, setOutput } from '../../kit/run-action.js';
import { redact } from '../../kit/secrets.js';
import { flush, heading, raw, resultTable, escapeHtml } from '../../kit/summary.js';
import { connect, type GitHub } from '../../github/client.js';
import { readEnvironmentsFile } from '../../github/environments-file.js';
import { preflight, problemLine } from '../../github/preflight.js';
import { assertRoles, runSignOff, type Role } from '../../github/sign-off-issue.js';
import { readSettings, type Settings } from './settings.js';

const log = (line: string): void => core.info(redact(line));

async function runPreflight(gh: GitHub, s: Settings): Promise<void> {
  const { problems, warnings, planLine } = await preflight(gh, s.environments);
  for (const w of warnings) core.warning(redact(w));
  setOutput('problems', problems);
  setOutput('approved', problems.length === 0);
  heading('sign-off preflight', 3);
  resultTable(
    ['Environment', 'Protected', 'Problem', 'Fix'],
    s.environments.map((e) => {
      const mine = problems.filter((p) => p.environment === e);
      return [
        e,
        mine.length === 0 ? '✅' : '❌',
        mine.map((p) => p.problem).join('; '),
        mine.map((p) => p.fix).join('; '),
      ];
    }),
  );
  if (planLine) raw(`<p>${escapeHtml(planLine)}</p>`);
  if (problems.length === 0) {
    log(`every sign-off environment is protected: ${s.environments.join(', ')}`);
    return;
  }
  for (const p of problems) core.error(redact(problemLine(p)));
  if (planLine) core.error(redact(planLine));
  const names = [...new Set(problems.map((p) => p.environment))];
  throw new UserError(
    `sign-off preflight failed: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not protected (see the lines above); nothing was built or changed.`,
  );
}

async function runIssue(gh: GitHub, s: Settings): Promise<void> {
  const file = readEnvironmentsFile(s.environmentsFile);
  const known = [...file.roles.keys()];
  assertRoles(s.roles, known, s.environmentsFile);
  const wanted = s.roles.length > 0 ? s.roles : known;
  if (wanted.length === 0)
    throw new UserError(`${s.environmentsFile} has no roles: nothing to sign off.`);
  const roles: Role[] = wanted.map((r) => {
    const name = known.find((k) => k.toLowerCase() === r.toLowerCase()) as string;
    return { name, reviewers: file.roles.get(name)?.reviewers ?? [] };
  });
  const result = await runSignOff(gh, {
    title: s.title,
    roles,
    evidence: s.evidence,
    excluded: s.excluded,
    timeoutMs: s.timeoutMs,
    intervalMs: s.intervalMs,
    sha: s.sha || '0000000',
    log,
    onIssue: (i) => {
      setOutput('issue-number', i.number);
      setOutput('issue-url', i.url);
    },
  });
  setOutput('approvals', result.approvals);
  setOutput('approved', result.outcome === 'approved');
  heading('sign-off', 3);
  raw(
    `<p>Issue <a href="${escapeHtml(result.issue.url)}">#${result.issue.number}</a>: ${escapeHtml(result.outcome)}${result.detail ? ` — ${escapeHtml(result.detail)}` : ''}</p>`,
  );
  resultTable(
    ['Role', 'Approved by', 'At'],
    roles.map((r) => {
      const a = result.approvals.find((x) => x.role === r.name);
      return [r.name, a ? `@${a.user}` : 'missing', a?.at];
    }),
  );
  if (result.outcome === 'rejected')
    throw new UserError(`sign-off rejected: ${result.detail} (issue #${result.issue.number}).`);
  if (result.outcome === 'timeout') {
    throw new UserError(
      `sign-off timed out after ${Math.round(s.timeoutMs / 1000)}s: ${result.detail} (issue #${result.issue.number}).`,
    );
  }
  log(`every role approved: ${result.approvals.map((a) => `${a.role} by @${a.user}`).join(', ')}`);
}

export async function run(): Promise<void> {
  await runAction(async () => {
    const s = readSettings();
    const gh = await connect({ token: s.token, log });
    try {
      if (s.mode === 'preflight') await runPreflight(gh, s);
      else await runIssue(gh, s);
    } finally {
      await flush();
    }
  });
}
