import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { removeDir, runTool, tempDir } from '../support/services/common.js';

/**
 * Local https servers with certificates made by openssl for the test: a CA, and leaf
 * certificates for 127.0.0.1 and localhost that expire in a given number of days.
 */

export interface TestCa {
  dir: string;
  /** path of the CA certificate (PEM) */
  certFile: string;
  certPem: string;
  /** a leaf certificate and key, valid for `days` days from now */
  issue(name: string, days: number): Promise<{ cert: string; key: string }>;
  remove(): Promise<void>;
}

export async function makeTestCa(): Promise<TestCa> {
  const dir = tempDir('smoke-tls');
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca.key');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await runTool('openssl', [
    'req',
    '-x509',
    ...ec,
    '-days',
    '30',
    '-subj',
    '/CN=Smoke Test CA/O=runbook-actions tests',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return {
    dir,
    certFile,
    certPem: readFileSync(certFile, 'utf8'),
    async issue(name, days) {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const cert = join(dir, `${name}.pem`);
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
      await runTool('openssl', ['req', ...ec, '-subj', `/CN=${name}`, '-keyout', key, '-out', csr]);
      await runTool('openssl', [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        certFile,
        '-CAkey',
        keyFile,
        '-CAcreateserial',
        '-days',
        String(days),
        '-extfile',
        ext,
        '-out',
        cert,
      ]);
      return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
    },
    remove: () => removeDir(dir),
  };
}

export interface TlsServer {
  url: string;
  /** TCP connections so far (the certificate probe adds one per origin and run) */
  handshakes: number;
  stop(): Promise<void>;
}

/** An https server on 127.0.0.1 answering `{"ok":true}` on every path. */
export async function startTlsServer(pair: { cert: string; key: string }): Promise<TlsServer> {
  const server: Server = createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  const state = { handshakes: 0 };
  server.on('connection', () => state.handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    get handshakes() {
      return state.handshakes;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
