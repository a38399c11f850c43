import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry-client.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import { describeRun, parseCommandFile, runAction, scratchDir } from '../support/run-action.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { deploy, step } from './load.js';
import { runScript } from './run-script.js';
import { template } from './simulate.js';
import { ourActionName, type Step, type WorkflowParam } from './workflow-lint.js';

/**
 * A release of two images through runbook-deploy's own production job, against a real
 * registry: the build records and the checklist's collection (the real scripts), the
 * promotion of both images (the real build-push-image bundle, with the `with:` the workflow
 * gives it), the payload, the deploy step (the real wrapper and a deploy command that logs
 * what it got), then a failed gate: the rollback plan (the real script) and the rollback
 * action put both tags back and redeploy the previous images. Each leg's build itself is the
 * single-image build already covered by __tests__/build-push-image: here the images are pushed
 * directly, which is what a build leg leaves in the registry.
 */

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
const job = deploy.doc.jobs.production;
const declared = (deploy.doc.on as { workflow_call: { inputs: Record<string, WorkflowParam> } })
  .workflow_call.inputs;
const always = { success: () => true, failure: () => false, cancelled: () => false };

let registry: RegistryServer;
let client: RegistryClient;
let dir: string;

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ registry: registry.host, insecure: true });
  dir = scratchDir('two-images-');
});
afterAll(async () => {
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs some steps of the production job in order, each with its `with:`/`env:` evaluated. */
class JobRun {
  readonly outputs: Record<string, Record<string, string>> = {};
  readonly logs: Record<string, string> = {};
  constructor(
    private readonly inputs: Record<string, Json>,
    private readonly checklist: Record<string, string>,
    private readonly env: Record<string, string>,
  ) {}

  private context(): Record<string, Json> {
    return {
      inputs: this.inputs,
      needs: { checklist: { result: 'success', outputs: this.checklist } },
      steps: Object.fromEntries(
        Object.entries(this.outputs).map(([id, o]) => [id, { outputs: o, outcome: 'success' }]),
      ),
      secrets: {},
      job: { status: 'failure' },
      github: { token: '', actor: 'alice' },
      runner: { temp: dir },
    };
  }

  private evaluated(values: Record<string, unknown> | undefined): Record<string, string> {
    return Object.fromEntries(
      Object.entries(values ?? {}).map(([k, v]) => [k, template(v, this.context(), always)]),
    );
  }

  /** A `uses:` step: the real bundle of our action. */
  async action(id: string): Promise<{ exitCode: number; errors: string[]; stdout: string }> {
    const s: Step = step(job, id);
    const name = ourActionName(s.uses);
    if (!name) throw new Error(`${id} is not one of our actions`);
    const run = await runAction(name, this.evaluated(s.with as Record<string, unknown>), {
      env: { ...this.env, ...this.evaluated(s.env as Record<string, unknown>) },
    });
    this.outputs[id] = run.outputs;
    this.logs[id] = describeRun(run);
    return run;
  }

  /** A `run:` step: its real bash script. */
  async script(id: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const s: Step = step(job, id);
    const r = await runScript(String(s.run), {
      ...this.env,
      ...this.evaluated(s.env as Record<string, unknown>),
    });
    this.outputs[id] = parseCommandFile(r.output);
    return r;
  }
}

function inputs(): Record<string, Json> {
  const values: Record<string, Json> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.default !== undefined) values[name] = spec.default as Json;
  }
  return {
    ...values,
    'insecure-registry': true,
    'production-url': 'http://127.0.0.1:9/',
    'deploy-command':
      'printf "%s %s %s\\n" "$RUNBOOK_IMAGE_REF_BACKEND" "$RUNBOOK_IMAGE_REF_FRONTEND" "$RUNBOOK_IMAGE_REF" >>"$DEPLOY_LOG"',
  };
}

/** What the build legs and the checklist job leave: the collected outputs keyed by name. */
async function buildAndCollect(
  release: string,
  names: string[],
): Promise<{ checklist: Record<string, string>; digests: Record<string, string> }> {
  const records = join(dir, `records-${release}`);
  mkdirSync(records, { recursive: true });
  const digests: Record<string, string> = {};
  const record = String(
    (deploy.doc.jobs.build.steps ?? []).find((s) => s.name === 'Record the build')?.run,
  );
  for (const name of names) {
    const pushed = await pushTinyImage(client, `acme/${name}`, `sha-${release}`);
    digests[name] = pushed.digest;
    const image = `${registry.host}/acme/${name}`;
    const r = await runScript(record, {
      RUNNER_TEMP: join(dir, `leg-${release}-${name}`),
      NAME: name,
      IMAGE: image,
      DIGEST: pushed.digest,
      IMAGE_REF: `${image}@${pushed.digest}`,
      TAGS: JSON.stringify([`${image}:sha-${release}`]),
    });
    expect(r.code).toBe(0);
    // download-artifact with merge-multiple puts every leg's file in one directory
    const path = /^path=(.*)$/m.exec(r.output)?.[1] ?? '';
    writeFileSync(join(records, `${name}.json`), readFileSync(path));
  }
  const collect = await runScript(String(step(deploy.doc.jobs.checklist, 'images').run), {
    IMAGES: JSON.stringify(names.map((name) => ({ name, image: `${registry.host}/acme/${name}` }))),
    RECORDS: records,
  });
  expect(collect.stderr).toBe('');
  expect(collect.code).toBe(0);
  const checklist = parseCommandFile(collect.output);
  return { checklist, digests };
}

const tag = async (name: string, t: string) => (await client.resolve(`acme/${name}`, t))?.digest;

describe('a release of two images through the production job', () => {
  test('promoted together, recorded, deployed with one variable each; a failed gate puts both back', async () => {
    const log = join(dir, 'deploys.log');
    const env = { DEPLOY_LOG: log };

    // release 1: both images reach production
    const r1 = await buildAndCollect('r1', ['backend', 'frontend']);
    const first = new JobRun(inputs(), r1.checklist, env);
    const p1 = await first.action('promote');
    expect(p1.exitCode).toBe(0);
    expect(await tag('backend', 'production')).toBe(r1.digests.backend);
    expect(await tag('frontend', 'production')).toBe(r1.digests.frontend);

    // release 2: promote, describe, deploy
    const r2 = await buildAndCollect('r2', ['backend', 'frontend']);
    const second = new JobRun(inputs(), r2.checklist, env);
    const p2 = await second.action('promote');
    expect(p2.exitCode).toBe(0);
    expect(second.outputs.promote.promoted).toBe('true');
    expect(JSON.parse(second.outputs.promote['previous-digests'])).toEqual(r1.digests);
    expect(await tag('backend', 'production')).toBe(r2.digests.backend);
    expect(await tag('frontend', 'production-previous')).toBe(r1.digests.frontend);

    expect((await second.script('payload')).code).toBe(0);
    const payload = JSON.parse(second.outputs.payload.json) as { images: unknown };
    expect(payload.images).toEqual(
      ['backend', 'frontend'].map((name) => ({
        name,
        image: `${registry.host}/acme/${name}`,
        digest: r2.digests[name],
        'previous-digest': r1.digests[name],
      })),
    );

    const ref = (name: string, digests: Record<string, string>) =>
      `${registry.host}/acme/${name}@${digests[name]}`;
    expect((await second.script('deploy')).code).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n').at(-1)).toBe(
      `${ref('backend', r2.digests)} ${ref('frontend', r2.digests)} ${ref('backend', r2.digests)}`,
    );

    // the health gate fails: the job's rollback steps run
    const plan = await second.script('rollback-plan');
    expect(plan.code).toBe(0);
    expect(second.outputs['rollback-plan'].targets).toBe('image');
    const rolled = await second.action('rollback');
    if (rolled.exitCode !== 0) throw new Error(second.logs.rollback);
    expect(JSON.parse(second.outputs.rollback['rolled-back'])).toEqual(['image']);
    expect(await tag('backend', 'production')).toBe(r1.digests.backend);
    expect(await tag('frontend', 'production')).toBe(r1.digests.frontend);
    expect(JSON.parse(second.outputs.rollback['image-digests'])).toEqual(r1.digests);
    // the deploy command ran again, with the previous images in the same variables
    expect(readFileSync(log, 'utf8').trim().split('\n').at(-1)).toBe(
      `${ref('backend', r1.digests)} ${ref('frontend', r1.digests)} ${ref('backend', r1.digests)}`,
    );
  });

  test('an image added by the release stays when the others are rolled back, with a warning', async () => {
    const env = { DEPLOY_LOG: join(dir, 'deploys-2.log') };
    const base = { ...inputs(), 'production-tag': 'prod-b' };
    const r3 = await buildAndCollect('r3', ['api']);
    expect((await new JobRun(base, r3.checklist, env).action('promote')).exitCode).toBe(0);
    const r4 = await buildAndCollect('r4', ['api', 'worker']);
    const run = new JobRun(base, r4.checklist, env);
    expect((await run.action('promote')).exitCode).toBe(0);
    expect(JSON.parse(run.outputs.promote['previous-digests'])).toEqual({ api: r3.digests.api });
    const plan = await run.script('rollback-plan');
    expect(plan.stdout).toContain(
      '::warning::deployed for the first time, nothing to go back to: worker (left as deployed)',
    );
    const rolled = await run.action('rollback');
    if (rolled.exitCode !== 0) throw new Error(run.logs.rollback);
    expect(await tag('api', 'prod-b')).toBe(r3.digests.api);
    expect(await tag('worker', 'prod-b')).toBe(r4.digests.worker);
  });

  test('a digest missing from the registry: nothing is promoted, so nothing is rolled back', async () => {
    const env = { DEPLOY_LOG: join(dir, 'deploys-3.log') };
    const base = { ...inputs(), 'production-tag': 'prod-c' };
    const r5 = await buildAndCollect('r5', ['shop', 'admin']);
    expect((await new JobRun(base, r5.checklist, env).action('promote')).exitCode).toBe(0);
    const bogus = JSON.parse(r5.checklist.promote) as { name: string; digest: string }[];
    bogus[1].digest = 'sha256:' + '9'.repeat(64);
    const run = new JobRun(base, { ...r5.checklist, promote: JSON.stringify(bogus) }, env);
    const promote = await run.action('promote');
    expect(promote.exitCode).toBe(1);
    expect(promote.errors).toHaveLength(1);
    expect(promote.errors[0]).toContain('admin');
    expect(await tag('shop', 'prod-c')).toBe(r5.digests.shop);
    expect(await tag('admin', 'prod-c')).toBe(r5.digests.admin);
    const plan = await run.script('rollback-plan');
    expect(plan.code).toBe(0);
    expect(run.outputs['rollback-plan'].targets).toBe('');
  });
});
