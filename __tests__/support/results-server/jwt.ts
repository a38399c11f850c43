// ACTIONS_RUNTIME_TOKEN: a JWT like the runner's. @actions/artifact decodes (does not verify)
// it and reads the backend ids from the `scp` claim:
//   "Actions.GenericRead:... Actions.Results:<workflowRunBackendId>:<workflowJobRunBackendId>"
import { createHmac, randomBytes } from 'node:crypto';

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function makeRuntimeToken(runBackendId: string, jobBackendId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'HS256' };
  const claims = {
    scp: `Actions.ExampleScope Actions.Results:${runBackendId}:${jobBackendId}`,
    iss: 'results-test-server',
    aud: 'vso:results-test-server',
    nbf: now - 60,
    iat: now,
    exp: now + 6 * 3600,
    ac: '[{"Scope":"refs/heads/main","Permission":3}]',
  };
  const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = createHmac('sha256', randomBytes(32)).update(body).digest();
  return `${body}.${b64url(sig)}`;
}
