/**
 * There is no buildx plugin on this machine (Debian ships none for docker.io 20.10), so the
 * buildx path is exercised with a stand-in: a `docker` on PATH that answers
 * `docker buildx version`, logs every `docker buildx build` command line, and carries the
 * build out with the real docker (classic build, then a push of every tag), writing the
 * metadata file the way buildx does. Everything else goes to the real docker unchanged.
 * It checks what the action asks of buildx and how it uses the answer, not buildx itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = String.raw`#!/usr/bin/env node
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const real = process.env.STANDIN_REAL_DOCKER;
const args = process.argv.slice(2);
const run = (argv, extra = {}) => {
  const r = spawnSync(real, argv, { encoding: 'utf8', env: { ...process.env, ...extra } });
  process.stderr.write(r.stderr || '');
  if (r.status !== 0) process.exit(r.status || 1);
  return r.stdout;
};
if (args[0] === 'buildx' && args[1] === 'version') {
  console.log('github.com/docker/buildx v0.0.0-standin');
  process.exit(0);
}
if (args[0] === 'buildx' && args[1] === 'build') {
  fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify(args) + '\n');
  const build = ['build'];
  const tags = [];
  let metadata = '';
  let push = false;
  for (let i = 2; i < args.length - 1; i++) {
    const a = args[i];
    if (['--file', '--target', '--build-arg', '--label'].includes(a)) build.push(a, args[++i]);
    else if (a === '--tag') { tags.push(args[++i]); build.push('--tag', tags[tags.length - 1]); }
    else if (a === '--metadata-file') metadata = args[++i];
    else if (a === '--output') push = args[++i].includes('push=true');
    else if (a === '--platform') i++;
  }
  build.push(args[args.length - 1]);
  run(build, { DOCKER_BUILDKIT: '0' });
  let digest = '';
  if (push) {
    for (const tag of tags) {
      const out = run(['push', tag]);
      digest = (/digest: (sha256:[a-f0-9]{64})/.exec(out) || [])[1] || digest;
    }
  }
  fs.writeFileSync(metadata, JSON.stringify(push ? { 'containerimage.digest': digest } : {}));
  process.exit(0);
}
const r = spawnSync(real, args, { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
`;

/** Writes the stand-in as `<dir>/docker`; put `dir` first on PATH. */
export function writeBuildxStandin(
  dir: string,
  realDocker: string,
  log: string,
): Record<string, string> {
  writeFileSync(join(dir, 'docker'), SCRIPT, { mode: 0o755 });
  return { STANDIN_REAL_DOCKER: realDocker, STANDIN_LOG: log };
}
