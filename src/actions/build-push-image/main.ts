import * as core from '@actions/core';
import { CancelledError, watchCancellation } from '../../kit/cancellation.js';
import { errorMessage } from '../../kit/errors.js';
import { redact } from '../../kit/secrets.js';
import { runAction, setOutput } from '../../kit/run-action.js';
import { promote } from '../../image/promote.js';
import type { PromoteResult } from '../../image/promote.js';
import { repositoryName, withDigest, withTag } from '../../image/reference.js';
import { openRegistry } from '../../image/open-registry.js';
import { RegistryClient, RegistryError } from '../../image/registry-client.js';
import type { RegistryCredentials } from '../../image/credentials.js';
import type { Builder } from '../../image/builders/types.js';
import { checkPlatforms, readSettings } from './settings.js';
import type { BuildSettings, Settings } from './settings.js';
import { writeSummary } from './summary.js';
import type { Report } from './summary.js';
import { listModeAsked, readListSettings } from './settings-list.js';
import { promoteImages } from './promote-list.js';
import { newListReport, writeListSummary } from './summary-list.js';

export async function run(): Promise<void> {
  await runAction(async () => {
    if (listModeAsked()) {
      await runList();
      return;
    }
    const settings = readSettings();
    // the builder is known before anything happens, so a platform it cannot build is an input error
    const builder = settings.build ? await chooseBuilder(settings.build) : undefined;
    const report: Report = {
      image: repositoryName(settings.image),
      refs: settings.tags.map((t) => withTag(settings.image, t)),
      promoteTag: settings.promoteTag,
      previousTag: settings.previousTag,
    };
    const cancellation = watchCancellation();
    try {
      await execute(settings, builder, report, cancellation.signal);
      cancellation.dispose();
    } catch (err) {
      if (!cancellation.by) throw err;
      core.info(`stopped: ${redact(errorMessage(err))}`);
      if (err instanceof Error && 'digest' in err && typeof err.digest === 'string') {
        report.digest = err.digest;
      }
      // whatever failed after the signal failed because of it: say what the registry holds
      throw new CancelledError(cancellation.by, await describePushed(settings, report));
    } finally {
      await writeSummary(report);
    }
  });
}

/** `images`: several pushed images promoted together, all or nothing (promote-list.ts). */
async function runList(): Promise<void> {
  const settings = readListSettings();
  const report = newListReport(settings);
  const cancellation = watchCancellation();
  try {
    await promoteImages(settings, report, cancellation);
    cancellation.dispose();
  } finally {
    await writeListSummary(report);
  }
}

async function chooseBuilder(b: BuildSettings): Promise<Builder> {
  // the build path loads the builders only when it runs: promotion alone stays small
  const { selectBuilder } = await import('../../image/build-push.js');
  const builder = await selectBuilder(b.builder);
  checkPlatforms(b, builder.kind, builder.multiPlatform);
  return builder;
}

async function execute(
  settings: Settings,
  builder: Builder | undefined,
  report: Report,
  cancel: AbortSignal,
): Promise<void> {
  const started = Date.now();
  const { client, credentials, credentialSource } = await openRegistry(settings.image, {
    credentials: settings.credentials,
    insecure: settings.insecure,
    signal: cancel,
  });
  report.credentialSource = credentialSource;

  if (settings.build && builder) {
    // docker reads its own config; buildah may not look there, so it gets the login found in it
    const login = settings.credentials ?? (builder.kind === 'buildah' ? credentials : undefined);
    report.digest = await build(
      settings,
      settings.build,
      builder,
      { client, login, cancel },
      report,
    );
  } else {
    report.digest = settings.digest;
  }
  const digest = report.digest;
  if (digest) {
    setOutput('digest', digest);
    setOutput('image-ref', withDigest(settings.image, digest));
  }
  setOutput('tags', report.refs);
  if (!digest) {
    setOutput('promoted', false);
    return;
  }

  const repo = settings.image.repository;
  if (!settings.build) {
    // digest mode: the tags and the promotion are the whole job
    const manifest = settings.tags.length > 0 ? await client.getManifest(repo, digest) : undefined;
    if (settings.tags.length > 0 && !manifest) {
      throw new RegistryError(
        `${withDigest(settings.image, digest)} does not exist in the registry; push it first.`,
      );
    }
    for (const tag of settings.tags) {
      throwIfCancelled(cancel);
      if (manifest) await client.putManifest(repo, tag, manifest);
      core.info(`tagged ${withTag(settings.image, tag)} -> ${digest}`);
    }
  }
  // without a build, the labels of what is promoted come from its config (read alongside)
  const labels = settings.build ? undefined : readLabels(client, repo, digest);
  let result: PromoteResult | undefined;
  if (settings.promoteTag !== undefined) {
    throwIfCancelled(cancel);
    result = await promote(client, {
      repository: repo,
      digest,
      tag: settings.promoteTag,
      previousTag: settings.previousTag,
    });
    report.promotion = result;
    describePromotion(settings, result);
    if (result.previousDigest) setOutput('previous-digest', result.previousDigest);
  }
  setOutput('promoted', result !== undefined);
  if (labels) report.labels = await labels;
  report.totalMs = Date.now() - started;
}

/** The image's labels for the summary; a config that cannot be read only costs a warning. */
async function readLabels(
  client: RegistryClient,
  repo: string,
  digest: string,
): Promise<Record<string, string> | undefined> {
  try {
    return (await client.getImageConfig(repo, digest)).labels;
  } catch (err) {
    core.warning(`could not read the labels of ${repo}@${digest}: ${errorMessage(err)}`);
    return undefined;
  }
}

async function build(
  settings: Settings,
  b: BuildSettings,
  builder: Builder,
  {
    client,
    login,
    cancel,
  }: { client: RegistryClient; login: RegistryCredentials | undefined; cancel: AbortSignal },
  report: Report,
): Promise<string | undefined> {
  const { buildAndPush } = await import('../../image/build-push.js');
  const { imageLabels } = await import('../../image/labels.js');
  report.builder = builder.kind;
  const server = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = process.env.GITHUB_REPOSITORY;
  const labels = imageLabels(
    {
      source: repository ? `${server}/${repository}` : undefined,
      revision: process.env.GITHUB_SHA,
      created: new Date(),
    },
    b.labels,
  );
  report.labels = Object.fromEntries(labels);
  core.info(`building ${report.refs.join(', ')} with ${builder.kind}`);
  const result = await buildAndPush({
    image: settings.image,
    tags: settings.tags,
    builder,
    credentials: login,
    client,
    tempRoot: process.env.RUNNER_TEMP || undefined,
    spec: {
      context: b.context,
      file: b.file,
      buildArgs: b.buildArgs,
      labels,
      target: b.target,
      platforms: b.platforms,
      push: b.push,
      insecure: settings.insecure,
    },
    onLine: (line) => core.info(line),
    signal: cancel,
  });
  report.buildMs = result.durationMs;
  report.imageId = result.outcome.imageId;
  if (result.labels) report.labels = result.labels;
  if (result.digest) core.info(`pushed ${report.refs.join(', ')} -> ${result.digest}`);
  return result.digest;
}

function describePromotion(settings: Settings, r: PromoteResult): void {
  const tagRef = withTag(settings.image, r.tag);
  if (!r.moved) {
    core.info(`${tagRef} already points to ${r.digest}; nothing moved`);
    return;
  }
  if (r.previousTagged)
    core.info(
      `${withTag(settings.image, settings.previousTag)} -> ${r.previousDigest} (was ${r.tag})`,
    );
  core.info(
    `${tagRef} -> ${r.digest}${r.previousDigest ? ` (was ${r.previousDigest})` : ' (new tag)'}`,
  );
}

function throwIfCancelled(cancel: AbortSignal): void {
  if (cancel.aborted) throw new Error('cancelled');
}

/**
 * After a cancellation: where the tags stand now, read with a fresh client (the action's own
 * one was aborted) and a short timeout, since the runner kills the step a few seconds later.
 */
async function describePushed(settings: Settings, report: Report): Promise<string> {
  const { client: quick } = await openRegistry(settings.image, {
    credentials: settings.credentials,
    insecure: settings.insecure,
    push: false,
    quick: true,
  });
  const tags = [...settings.tags, ...(settings.promoteTag ? [settings.promoteTag] : [])];
  const states: string[] = [];
  for (const tag of new Set(tags)) {
    try {
      const got = await quick.resolve(settings.image.repository, tag);
      states.push(`${tag} -> ${got ? got.digest : 'absent'}`);
    } catch {
      states.push(`${tag} -> unknown (registry not answering)`);
    }
  }
  const pushed = report.digest
    ? `image ${report.digest}`
    : settings.build
      ? 'the push was not confirmed'
      : 'nothing was pushed';
  const moved = report.promotion ? '' : '; the promotion did not start';
  report.cancelled = `${pushed}; tags now: ${states.join(', ')}${moved}`;
  core.info(`after the cancellation: ${report.cancelled}`);
  return `stopped before the next tag move; ${report.cancelled}`;
}
