/**
 * Promotion of an existing digest through the bundled build-push-image action (digest +
 * promote-tag, run the way the runner does) against `skopeo copy docker://…:a docker://…:b`
 * between the same tags of the same local registry. Before every timed run the target tag
 * is reset (untimed) to another image, so both always really move it. Runs alternate.
 * Measured: wall time from spawn to exit of each process. Target (issue 7): ratio ≤ 1.0.
 *   npm run bench:promote [-- runs]
 */
import { spawn } from 'node:child_process';
import { RegistryClient } from '../src/image/registry-client.js';
import { runAction } from '../__tests__/support/run-action.js';
import { ensureService } from '../__tests__/support/services/common.js';
import { startRegistry } from '../__tests__/support/services/registry.js';
import { pushTinyImage } from '../__tests__/build-push-image/support/images.js';

const runs = Number(process.argv[2] ?? 10);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function timed(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
    });
  });
}

ensureService('buildah'); // skopeo comes with it
const registry = await startRegistry();
try {
  const client = new RegistryClient({ registry: registry.host, insecure: true, push: true });
  const repo = 'bench/app';
  const image = `${registry.host}/${repo}`;
  const a = await pushTinyImage(client, repo, 'a');
  const other = await pushTinyImage(client, repo, 'other');
  const otherManifest = (await client.getManifest(repo, other.digest))!;
  const reset = async (): Promise<void> => {
    await client.putManifest(repo, 'b', otherManifest);
  };
  const check = async (what: string): Promise<void> => {
    const b = await client.resolve(repo, 'b');
    if (b?.digest !== a.digest)
      throw new Error(`${what} did not move b to ${a.digest} (b is ${b?.digest})`);
  };

  // one untimed warm-up of each (page cache, registry caches)
  await reset();
  await runAction('build-push-image', {
    image,
    digest: a.digest,
    'promote-tag': 'b',
    'insecure-registry': 'true',
  });
  await reset();
  await timed([
    'skopeo',
    'copy',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${image}:a`,
    `docker://${image}:b`,
  ]);

  const action: number[] = [];
  const skopeo: number[] = [];
  for (let i = 0; i < runs; i++) {
    await reset();
    const run = await runAction('build-push-image', {
      image,
      digest: a.digest,
      'promote-tag': 'b',
      'insecure-registry': 'true',
    });
    if (run.exitCode !== 0) throw new Error(`the action failed: ${run.errors.join(' | ')}`);
    await check('the action');
    action.push(run.durationMs);

    await reset();
    skopeo.push(
      await timed([
        'skopeo',
        'copy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${image}:a`,
        `docker://${image}:b`,
      ]),
    );
    await check('skopeo');
  }
  // the floors: bare node, and this bundle failing at its first input (start-up only)
  const { NODE_OPTIONS: _tsx, ...cleanEnv } = process.env;
  const node: number[] = [];
  const startup: number[] = [];
  for (let i = 0; i < 5; i++) {
    node.push(await timed([process.execPath, '-e', ''], cleanEnv));
    startup.push((await runAction('build-push-image', { image: 'not:valid:ref' })).durationMs);
  }
  const ma = median(action);
  const ms = median(skopeo);
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(' ');
  console.log(
    `promotion of an existing digest, ${runs} runs each, alternating (local registry ${registry.host})`,
  );
  console.log(
    `  action  (build-push-image digest + promote-tag): median ${ma.toFixed(1)} ms   [${fmt(action)}]`,
  );
  console.log(
    `  skopeo copy docker://…:a docker://…:b:          median ${ms.toFixed(1)} ms   [${fmt(skopeo)}]`,
  );
  console.log(
    `  floors: bare node ${median(node).toFixed(1)} ms; the action's bundle start-up (fails at its first input) ${median(startup).toFixed(1)} ms`,
  );
  console.log(`  ratio action/skopeo: ${(ma / ms).toFixed(2)} (target ≤ 1.00)`);
} finally {
  await registry.stop();
}
