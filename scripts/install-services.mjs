#!/usr/bin/env node
// Makes sure the Debian packages behind the test services are installed.
// Usage: node scripts/install-services.mjs [service ...]   (default: all)
// As root with apt-get it installs what is missing; otherwise it fails naming the packages.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const pgBin = () => {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return false;
  return readdirSync(base).some((v) => existsSync(`${base}/${v}/bin/initdb`));
};
const onPath = (name) =>
  spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
const pyModule = (mod) =>
  existsSync('/usr/bin/python3') &&
  spawnSync('/usr/bin/python3', ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;

/** service -> [present?, Debian packages] */
export const SERVICES = {
  postgres: [() => pgBin() && onPath('pg_dump'), ['postgresql', 'postgresql-client']],
  mariadb: [
    () => (onPath('mariadbd') || existsSync('/usr/sbin/mariadbd')) && onPath('mariadb-dump'),
    ['mariadb-server', 'mariadb-client'],
  ],
  sqlite: [() => onPath('sqlite3'), ['sqlite3']],
  compression: [() => onPath('zstd') && onPath('gzip'), ['zstd', 'gzip']],
  age: [() => onPath('age') && onPath('age-keygen'), ['age']],
  registry: [
    () => existsSync('/usr/bin/docker-registry') && onPath('htpasswd'),
    ['docker-registry', 'apache2-utils'],
  ],
  dockerd: [() => onPath('dockerd') || existsSync('/usr/sbin/dockerd'), ['docker.io']],
  buildah: [() => onPath('buildah') && onPath('skopeo'), ['buildah', 'skopeo']],
  prometheus: [() => existsSync('/usr/bin/prometheus'), ['prometheus']],
  alembic: [
    () => pyModule('alembic') && existsSync('/usr/bin/alembic'),
    ['python3-alembic', 'alembic'],
  ],
  django: [() => pyModule('django'), ['python3-django']],
  psycopg2: [
    () => pyModule('psycopg2') && pyModule('pymysql'),
    ['python3-psycopg2', 'python3-pymysql'],
  ],
};

export function missingPackages(names) {
  const out = [];
  for (const n of names) {
    const entry = SERVICES[n];
    if (!entry)
      throw new Error(`unknown service '${n}'; known: ${Object.keys(SERVICES).join(', ')}`);
    if (!entry[0]()) out.push(...entry[1]);
  }
  return [...new Set(out)];
}

function main() {
  const names = process.argv.slice(2);
  const wanted = names.length > 0 ? names : Object.keys(SERVICES);
  const missing = missingPackages(wanted);
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !onPath('apt-get')) {
    console.error(
      `Missing test services. Install as root: apt-get install -y --no-install-recommends ${missing.join(' ')}`,
    );
    process.exit(1);
  }
  console.log(`installing: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  const still = missingPackages(wanted);
  if (still.length > 0) {
    console.error(`still missing after apt-get install: ${still.join(' ')}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
