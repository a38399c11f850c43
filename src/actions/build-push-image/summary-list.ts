import { flush, heading, keyValueTable, resultTable } from '../../kit/summary.js';
import type { PromoteResult, RestoreTagResult } from '../../image/promote.js';
import { repositoryName } from '../../image/reference.js';
import type { ListSettings } from './settings-list.js';

/** One image of the list: filled in as the step goes, so a failure still shows each row. */
export interface ListEntryReport {
  name: string;
  /** registry/repository */
  image: string;
  digest: string;
  /** what promote-tag pointed to before the step (read before anything moved) */
  before?: string;
  result?: PromoteResult;
  /** the promotion failed with this */
  error?: string;
  /** the entry was moved back after a later failure: the tags, one each */
  undo?: RestoreTagResult[];
}

export interface ListReport {
  promoteTag: string;
  previousTag: string;
  entries: ListEntryReport[];
  /** [registry, where the login came from] */
  logins: Array<[string, string]>;
  /** one line: all promoted, or what failed and what was moved back */
  outcome?: string;
  cancelled?: string;
}

export function newListReport(s: ListSettings): ListReport {
  return {
    promoteTag: s.promoteTag,
    previousTag: s.previousTag,
    entries: s.entries.map((e) => ({
      name: e.name,
      image: repositoryName(e.image),
      digest: e.digest,
    })),
    logins: [],
  };
}

function short(digest: string | undefined): string {
  return digest ? digest.slice(0, 'sha256:'.length + 12) : 'absent';
}

function undoText(undo: RestoreTagResult | undefined): string | undefined {
  if (!undo) return undefined;
  if (undo.restored) return `moved back to ${short(undo.before)}`;
  if (undo.found !== undo.before) return `stays on ${short(undo.found)} (was absent)`;
  return undefined;
}

function promoteCell(e: ListEntryReport): string {
  const undone = undoText(e.undo?.[0]);
  const r = e.result;
  let text: string;
  if (e.error) text = `failed: ${e.error}`;
  else if (!r) text = 'not moved';
  else if (!r.moved) text = `already on ${short(r.digest)}`;
  else text = `${r.previousDigest ? short(r.previousDigest) : '(new tag)'} → ${short(r.digest)}`;
  return undone ? `${text}; ${undone}` : text;
}

function previousCell(e: ListEntryReport): string {
  const undone = undoText(e.undo?.[1]);
  const r = e.result;
  let text: string;
  if (!r) text = 'not moved';
  else if (r.previousTagged) text = `now ${short(r.previousDigest)}`;
  else text = r.previousDigest ? `unchanged (${short(r.previousDigest)})` : 'unchanged';
  return undone ? `${text}; ${undone}` : text;
}

export async function writeListSummary(r: ListReport): Promise<void> {
  heading('build-push-image');
  keyValueTable([
    ['Images', String(r.entries.length)],
    ['Promotion', `${r.promoteTag} (the tag it replaces is kept on ${r.previousTag})`],
    ['Registry login', r.logins.map(([reg, src]) => `${reg}: ${src}`).join(', ')],
    ['Result', r.outcome],
    ...(r.cancelled ? [['Cancelled', r.cancelled] as [string, string]] : []),
  ]);
  resultTable(
    ['Name', 'Image', 'Digest', `${r.promoteTag} (from → to)`, r.previousTag],
    r.entries.map((e) => [e.name, e.image, e.digest, promoteCell(e), previousCell(e)]),
  );
  await flush();
}
