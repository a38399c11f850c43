import * as core from '@actions/core';
import { runAction, setOutput } from '../../kit/run-action.js';
import { redact } from '../../kit/secrets.js';
import { flush, heading, keyValueTable } from '../../kit/summary.js';
import { connect } from '../../github/client.js';
import { guardDeploy } from '../../github/deployment-guard.js';
import { createDeployment, lastSuccess, setStatus } from '../../github/deployments.js';
import { readSettings } from './settings.js';

const log = (line: string): void => core.info(redact(line));

export async function run(): Promise<void> {
  await runAction(async () => {
    const s = readSettings();
    const gh = await connect({ token: s.token, log });
    const rows: Array<[string, string | undefined]> = [
      ['Mode', s.mode],
      ['Environment', s.environment || undefined],
    ];
    try {
      if (s.mode === 'guard') {
        const g = await guardDeploy(gh, {
          environment: s.environment,
          ref: s.ref,
          branch: s.branch,
          runId: s.runId,
        });
        setOutput('previous-deployment-id', g.previous ? String(g.previous.id) : '');
        log(
          `${s.ref.slice(0, 7)} is the newest approved commit for ${s.environment}${s.branch ? ` (head of ${s.branch})` : ''}; last successful deployment: ${g.previous ? `${g.previous.id} (${g.previous.sha.slice(0, 7)})` : 'none'}`,
        );
        rows.push(
          ['Commit', s.ref],
          [
            'Branch head',
            s.branch ? `${s.branch}: still ${s.ref.slice(0, 7)}` : 'not checked (no branch)',
          ],
          [
            'Last successful deployment',
            g.previous ? `${g.previous.id} (${g.previous.sha.slice(0, 7)})` : 'none',
          ],
        );
      } else if (s.mode === 'start') {
        const previous = await lastSuccess(gh, s.environment);
        const d = await createDeployment(gh, {
          ref: s.ref,
          environment: s.environment,
          payload: s.payload,
          description: s.description,
        });
        setOutput('deployment-id', String(d.id));
        setOutput('previous-deployment-id', previous ? String(previous.id) : '');
        await setStatus(gh, d.id, 'in_progress', {
          description: s.description,
          environmentUrl: s.environmentUrl,
        });
        log(
          `deployment ${d.id} of ${d.sha.slice(0, 7)} to ${s.environment} created, status in_progress; payload keys: ${Object.keys(s.payload).join(', ') || 'none'}`,
        );
        rows.push(
          ['Deployment', String(d.id)],
          ['Commit', d.sha],
          ['Status', 'in_progress'],
          ['Previous successful', previous ? String(previous.id) : 'none'],
          ['Rollback facts', Object.keys(s.payload).join(', ') || 'none'],
          ['Run', gh.runUrl],
        );
      } else {
        const id = s.deploymentId as number;
        const state = s.state as string;
        await setStatus(gh, id, s.state ?? 'error', {
          description: s.description,
          environmentUrl: s.environmentUrl,
        });
        setOutput('state', state);
        log(`deployment ${id}: status ${state}`);
        rows.push(['Deployment', String(id)], ['Status', state]);
      }
    } finally {
      heading(`deployment (${s.mode})`, 3);
      keyValueTable(rows);
      await flush();
    }
  });
}
