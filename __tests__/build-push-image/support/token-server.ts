/**
 * A small token server for the registry's `auth.token` mode (the distribution token spec):
 * GET /token?service=&scope= with Basic credentials answers a JWT signed RS256 with a test
 * key; the certificate goes into the JWT's x5c header and into the registry's
 * rootcertbundle. Unknown users get 401; no credentials get a token without access.
 */
import { execFileSync } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { removeDir, tempDir } from '../../support/services/common.js';

export interface TokenServer {
  url: string;
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  /** the registry config part: pass as startRegistry({ config: tokenServer.registryConfig }) */
  registryConfig: Record<string, unknown>;
  /** every request: scopes asked, user (or '' for anonymous), status answered */
  requests: Array<{ user: string; scopes: string[]; status: number }>;
  stop(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * `users`: name -> password for GET with Basic auth; `identityTokens`: refresh token -> user
 * for the OAuth2 POST that docker clients make with an identity token.
 */
export async function startTokenServer(
  users: Record<string, string>,
  identityTokens: Record<string, string> = {},
): Promise<TokenServer> {
  const dir = tempDir('rb-token');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=runbook-test-token',
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(keyFile, 'utf8');
  const certDer = new X509Certificate(readFileSync(certFile)).raw.toString('base64');
  const service = 'runbook-test-registry';
  const issuer = 'runbook-test-issuer';
  const requests: TokenServer['requests'] = [];

  const sign = (user: string, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = user
      ? scopes.map((s) => {
          const [type, ...rest] = s.split(':');
          const actions = rest.pop() ?? '';
          return { type, name: rest.join(':'), actions: actions.split(',').filter(Boolean) };
        })
      : [];
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }));
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: user,
        aud: service,
        exp: now + 300,
        nbf: now - 30,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key);
    return `${header}.${claims}.${b64url(signature)}`;
  };

  const answer = (res: ServerResponse, user: string, scopes: string[], status: number): void => {
    requests.push({ user, scopes, status });
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ details: status === 401 ? 'bad credentials' : 'not found' }));
      return;
    }
    const token = sign(user, scopes);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: 300,
        issued_at: new Date().toISOString(),
      }),
    );
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/token') {
      answer(res, '', [], 404);
      return;
    }
    if (req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        const user =
          form.get('grant_type') === 'refresh_token'
            ? identityTokens[form.get('refresh_token') ?? '']
            : undefined;
        answer(res, user ?? '', scopes, user ? 200 : 401);
      });
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    let user = '';
    let status = 200;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      if (colon > 0 && users[name] !== undefined && users[name] === decoded.slice(colon + 1))
        user = name;
      else status = 401;
    }
    answer(res, user, scopes, status);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('token server: no address');
  const url = `http://127.0.0.1:${address.port}`;
  const realm = `${url}/token`;
  return {
    url,
    realm,
    service,
    issuer,
    certFile,
    registryConfig: { auth: { token: { realm, service, issuer, rootcertbundle: certFile } } },
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await removeDir(dir);
    },
  };
}
