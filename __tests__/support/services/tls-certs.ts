/**
 * Test certificates made with openssl: a CA, a server certificate it signs for 127.0.0.1
 * and localhost, and a second, unrelated CA (the "wrong CA" of verification tests).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './common.js';

export interface TestCertificates {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** a CA that did not sign the server certificate */
  otherCaCert: string;
  /** a server certificate for another host name, signed by caCert */
  wrongHostCert: string;
  wrongHostKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=runbook-actions test ${name}`,
      '-keyout',
      key,
      '-out',
      cert,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return { cert, key };
}

function makeServer(
  dir: string,
  name: string,
  ca: { cert: string; key: string },
  san: string,
): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', key, '-out', csr],
    dir,
  );
  writeFileSync(
    ext,
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      cert,
    ],
    dir,
  );
  chmodSync(key, 0o600);
  return { cert, key };
}

export function makeTestCertificates(): TestCertificates {
  const dir = tempDir('rb-tls');
  const ca = makeCa(dir, 'ca');
  const other = makeCa(dir, 'other-ca');
  const server = makeServer(dir, 'server', ca, 'IP:127.0.0.1,DNS:localhost');
  const wrong = makeServer(dir, 'elsewhere', ca, 'DNS:db.elsewhere.example');
  return {
    dir,
    caCert: ca.cert,
    serverCert: server.cert,
    serverKey: server.key,
    otherCaCert: other.cert,
    wrongHostCert: wrong.cert,
    wrongHostKey: wrong.key,
  };
}
