import * as core from '@actions/core';
import type { Cancellation } from '../../kit/cancellation.js';
import { CancelledError } from '../../kit/cancellation.js';
import { errorMessage } from '../../kit/errors.js';
import { redact } from '../../kit/secrets.js';
import { setOutput } from '../../kit/run-action.js';
import { openRegistry } from '../../image/open-registry.js';
import { promote, restoreTag } from '../../image/promote.js';
import type { RestoreTagResult } from '../../image/promote.js';
import { withDigest, withTag } from '../../image/reference.js';
import { RegistryClient, RegistryError } from '../../image/registry-client.js';
import type { Manifest } from '../../image/registry-client.js';
import type { ListSettings } from './settings-list.js';
import type { ListEntryReport, ListReport } from './summary-list.js';

/**
 * Promotion of several images, all or nothing: every digest is checked and what both tags
 * point to is read before anything moves; then the entries are promoted in list order, and
 * when one fails (or the run is cancelled) the entries already moved are moved back to the
 * manifests read before. See actions/build-push-image/README.md ("Several images").
 */

type Entry = ListSettings['entries'][number];

interface EntryState {
  entry: Entry;
  report: ListEntryReport;
  client: RegistryClient;
  /** what promote-tag and previous-tag held before the step */
  before: { promote: Manifest | undefined; previous: Manifest | undefined };
  /** the promotion of this entry started (its tags may have changed) */
  started: boolean;
}

export async function promoteImages(
  s: ListSettings,
  report: ListReport,
  cancellation: Cancellation,
): Promise<void> {
  const cancel = cancellation.signal;
  setOutput('digests', Object.fromEntries(s.entries.map((e) => [e.name, e.digest])));
  setOutput(
    'image-refs',
    Object.fromEntries(s.entries.map((e) => [e.name, withDigest(e.image, e.digest)])),
  );
  const first = s.entries[0];
  setOutput('digest', first.digest);
  setOutput('image-ref', withDigest(first.image, first.digest));
  setOutput('tags', []);
  setOutput('promoted', false);

  const clients = await openClients(s, { signal: cancel, report });
  let states: EntryState[];
  try {
    states = await inspect(s, report, clients);
  } catch (err) {
    if (!cancellation.by) throw err;
    report.outcome = report.cancelled = 'stopped while checking the digests; nothing was moved';
    throw new CancelledError(cancellation.by, report.cancelled);
  }

  let failure: { index: number; error?: unknown } | undefined;
  for (const [i, st] of states.entries()) {
    if (cancel.aborted) {
      failure = { index: i };
      break;
    }
    st.started = true;
    try {
      const result = await promote(st.client, {
        repository: st.entry.image.repository,
        digest: st.entry.digest,
        tag: s.promoteTag,
        previousTag: s.previousTag,
      });
      st.report.result = result;
      logPromotion(s, st.entry, result);
    } catch (error) {
      failure = { index: i, error };
      break;
    }
  }

  if (!failure) {
    const previous = states.flatMap((st) =>
      st.report.result?.previousDigest ? [[st.entry.name, st.report.result.previousDigest]] : [],
    );
    setOutput('previous-digests', Object.fromEntries(previous));
    const firstPrevious = states[0].report.result?.previousDigest;
    if (firstPrevious) setOutput('previous-digest', firstPrevious);
    setOutput('promoted', true);
    report.outcome = `all ${states.length} images promoted`;
    return;
  }

  const cancelled = cancellation.by;
  // after a cancellation the action's clients are aborted: the undo gets fresh, quick ones
  const undoClients = cancelled ? await openClients(s, { quick: true }) : clients;
  const { movedBack, notUndone } = await undo(s, states.slice(0, failure.index + 1), undoClients);
  const failed = states[failure.index];
  const parts = [
    ...(movedBack.length > 0 ? [`moved back: ${movedBack.join(', ')}`] : []),
    ...(notUndone.length > 0 ? [`could not undo: ${notUndone.join(', ')}`] : []),
  ];
  const undone = parts.length > 0 ? parts.join('; ') : 'nothing had moved';
  if (cancelled) {
    const where = failed.started
      ? `stopped while promoting '${failed.entry.name}' (${failure.index + 1} of ${states.length})`
      : `stopped before promoting '${failed.entry.name}' (${failure.index + 1} of ${states.length})`;
    report.outcome = report.cancelled = `${where}; ${undone}`;
    core.info(`after the cancellation: ${report.cancelled}`);
    throw new CancelledError(cancelled, report.cancelled);
  }
  failed.report.error = trimEnd(redact(errorMessage(failure.error)));
  report.outcome = `promoting '${failed.entry.name}' failed: ${failed.report.error}; ${undone}`;
  throw new RegistryError(report.outcome);
}

/**
 * One client per registry (its login is the registry's: given, or the docker config's);
 * `quick`: after a cancellation, short timeouts and no retries (openRegistry).
 */
async function openClients(
  s: ListSettings,
  opts: { signal?: AbortSignal; quick?: boolean; report?: ListReport },
): Promise<Map<string, RegistryClient>> {
  const clients = new Map<string, RegistryClient>();
  for (const e of s.entries) {
    const registry = e.image.registry;
    if (clients.has(registry)) continue;
    const opened = await openRegistry(e.image, {
      credentials: s.credentials,
      insecure: s.insecure,
      signal: opts.signal,
      quick: opts.quick,
    });
    clients.set(registry, opened.client);
    opts.report?.logins.push([registry, opened.credentialSource]);
  }
  return clients;
}

/** Before anything moves: every digest exists, and what both tags hold now is kept. */
async function inspect(
  s: ListSettings,
  report: ListReport,
  clients: Map<string, RegistryClient>,
): Promise<EntryState[]> {
  const looked = await Promise.allSettled(
    s.entries.map(async (entry) => {
      const client = clients.get(entry.image.registry)!;
      const repo = entry.image.repository;
      const [target, promoteBefore, previousBefore] = await Promise.all([
        client.resolve(repo, entry.digest),
        client.getManifest(repo, s.promoteTag),
        client.getManifest(repo, s.previousTag),
      ]);
      return { exists: target !== undefined, promoteBefore, previousBefore };
    }),
  );
  const problems: string[] = [];
  const states: EntryState[] = [];
  looked.forEach((r, i) => {
    const entry = s.entries[i];
    const ref = withDigest(entry.image, entry.digest);
    if (r.status === 'rejected') {
      problems.push(`'${entry.name}': ${trimEnd(errorMessage(r.reason))}`);
      return;
    }
    if (!r.value.exists) {
      problems.push(`'${entry.name}': ${ref} does not exist in the registry; push it first`);
      return;
    }
    const entryReport = report.entries[i];
    entryReport.before = r.value.promoteBefore?.digest;
    states.push({
      entry,
      report: entryReport,
      client: clients.get(entry.image.registry)!,
      before: { promote: r.value.promoteBefore, previous: r.value.previousBefore },
      started: false,
    });
  });
  if (problems.length > 0) {
    report.outcome = `${problems.join('; ')}; nothing was moved`;
    throw new RegistryError(report.outcome);
  }
  return states;
}

/** Moves back the entries whose promotion started, the last one first. */
async function undo(
  s: ListSettings,
  started: EntryState[],
  clients: Map<string, RegistryClient>,
): Promise<{ movedBack: string[]; notUndone: string[] }> {
  const movedBack: string[] = [];
  const notUndone: string[] = [];
  for (const st of [...started].reverse()) {
    if (!st.started) continue;
    const client = clients.get(st.entry.image.registry)!;
    const repo = st.entry.image.repository;
    const back: string[] = [];
    const results: RestoreTagResult[] = [];
    for (const [tag, before] of [
      [s.promoteTag, st.before.promote],
      [s.previousTag, st.before.previous],
    ] as const) {
      try {
        const r = await restoreTag(client, repo, tag, before);
        results.push(r);
        if (r.restored) back.push(`${tag} -> ${r.before}`);
        else if (r.found !== r.before) {
          notUndone.push(
            `'${st.entry.name}' ${tag} stays on ${r.found} (it did not exist before; a registry cannot remove a tag portably)`,
          );
        }
      } catch (err) {
        notUndone.push(
          `'${st.entry.name}' ${tag} (should be ${before?.digest ?? 'absent'}): ${trimEnd(redact(errorMessage(err)))}`,
        );
      }
    }
    st.report.undo = results;
    if (back.length > 0) movedBack.push(`'${st.entry.name}' ${back.join(', ')}`);
    for (const line of back)
      core.info(`${st.entry.name}: moved back ${st.entry.imageText}:${line}`);
  }
  return { movedBack, notUndone };
}

function logPromotion(
  s: ListSettings,
  entry: Entry,
  r: { moved: boolean; previousDigest?: string; previousTagged: boolean },
): void {
  const tagRef = withTag(entry.image, s.promoteTag);
  if (!r.moved) {
    core.info(`${entry.name}: ${tagRef} already points to ${entry.digest}; nothing moved`);
    return;
  }
  if (r.previousTagged) {
    core.info(`${entry.name}: ${withTag(entry.image, s.previousTag)} -> ${r.previousDigest}`);
  }
  core.info(
    `${entry.name}: ${tagRef} -> ${entry.digest}${r.previousDigest ? ` (was ${r.previousDigest})` : ' (new tag)'}`,
  );
}

/** Messages are joined into one line: no final full stop in the middle of it. */
function trimEnd(text: string): string {
  return text.replace(/[.\s]+$/, '');
}
