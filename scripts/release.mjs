#!/usr/bin/env node
// Cuts a release vX.Y.Z whose reusable workflows pin this repository's actions to a commit.
//
// Usage: node scripts/release.mjs vX.Y.Z [--dry-run] [--repo owner/name] [--notes FILE]
//                                        [--push REMOTE]
//
// Why: `uses:` cannot take an expression, so .github/workflows/runbook-*.yml name the actions
// as <repo>/actions/<name>@v1. A caller pinning runbook-deploy.yml@<sha> would still run
// whatever v1 points to later. A release therefore makes one extra commit R whose only change
// is those refs rewritten to a commit SHA.
//
// Which SHA: a commit cannot name itself (its SHA depends on its content), so R references
// its PARENT P, the commit being released. R changes nothing but .github/workflows/, so
// P's actions/ and dist/ are byte for byte R's: pinning P is pinning the code R ships. R is
// made with a private index (git read-tree / hash-object / commit-tree): the working tree and
// the branch are not touched, and R is reachable only from the tags vX.Y.Z and vX (moved).
// The release notes are the commit subjects since the previous vX.Y.Z tag.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const version = args.find(
  (a, i) => !a.startsWith('--') && !args[i - 1]?.match(/^--(repo|notes|push)$/),
);
const dryRun = flag('--dry-run');
const repo = option('--repo') ?? process.env.GITHUB_REPOSITORY ?? 'runbook-actions/runbook-actions';
const notesFile = option('--notes');
const remote = option('--push');

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

if (!version || !/^v\d+\.\d+\.\d+$/.test(version))
  fail(`version: expected vX.Y.Z, got '${version ?? ''}'`);
if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) fail(`--repo: expected owner/name, got '${repo}'`);
const major = version.split('.')[0];

const git = (gitArgs, options = {}) =>
  (execFileSync('git', gitArgs, { encoding: 'utf8', ...options }) ?? '').trimEnd();
const tryGit = (gitArgs) => {
  try {
    return git(gitArgs, { stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
};

if (git(['status', '--porcelain', '--untracked-files=no']) !== '')
  fail('the working tree has uncommitted changes: release a commit, not a working tree');
if (tryGit(['rev-parse', '-q', '--verify', `refs/tags/${version}`]) !== undefined)
  fail(`the tag ${version} exists already`);

const parent = git(['rev-parse', 'HEAD']);
const escaped = repo.replace(/[.]/g, '\\.');
// <repo>/actions/<name>@<any ref>, with an optional trailing "# vX.Y.Z" comment of a release
const ACTION_REF = new RegExp(
  `(${escaped}/actions/[\\w-]+)@[\\w./-]+( # v\\d+\\.\\d+\\.\\d+)?`,
  'g',
);

// The workflows as P has them, rewritten.
const workflows = git(['ls-tree', '--name-only', parent, '.github/workflows/'])
  .split('\n')
  .filter((p) => /\.ya?ml$/.test(p));
const changes = [];
for (const path of workflows) {
  const before = execFileSync('git', ['show', `${parent}:${path}`], { encoding: 'utf8' });
  let count = 0;
  const after = before.replace(ACTION_REF, (_m, action) => {
    count += 1;
    return `${action}@${parent} # ${version}`;
  });
  if (count > 0) changes.push({ path, after, count });
}
if (changes.length === 0)
  fail(`no workflow of .github/workflows/ uses ${repo}/actions/<name>@<ref>`);

// The previous release: the newest vX.Y.Z tag whose release commit's parent is in this
// history (release commits are side commits, so `git describe` does not see them).
const previous = git(['tag', '-l', 'v*.*.*', '--sort=-v:refname'])
  .split('\n')
  .filter((tag) => /^v\d+\.\d+\.\d+$/.test(tag))
  .find((tag) => tryGit(['merge-base', '--is-ancestor', `${tag}^{commit}^`, parent]) !== undefined);
const range = previous ? `${previous}..${parent}` : parent;
const subjects = git(['log', '--no-merges', '--format=- %s (%h)', range]);
const notes = [
  `## ${version}`,
  '',
  `The reusable workflows of this release run the actions of commit ${parent}.`,
  `Pin them with \`uses: ${repo}/.github/workflows/runbook-deploy.yml@<${version} commit sha>\`.`,
  '',
  previous ? `### Changes since ${previous}` : '### Changes',
  '',
  subjects || '- (no changes)',
  '',
].join('\n');

for (const c of changes) console.log(`${c.path}: ${c.count} action refs -> @${parent}`);
if (dryRun) {
  console.log(`dry run: would tag ${version} and move ${major}; nothing was written\n`);
  console.log(notes);
  process.exit(0);
}

// The release commit, built in a private index.
const scratch = mkdtempSync(join(tmpdir(), 'release-'));
try {
  const env = { ...process.env, GIT_INDEX_FILE: join(scratch, 'index') };
  git(['read-tree', parent], { env });
  for (const c of changes) {
    const blob = git(['hash-object', '-w', '--stdin'], { input: c.after });
    git(['update-index', '--cacheinfo', `100644,${blob},${c.path}`], { env });
  }
  const tree = git(['write-tree'], { env });
  const message = `Release ${version}: the workflows pin the actions to ${parent}\n\n${notes}`;
  const release = git(['commit-tree', tree, '-p', parent, '-F', '-'], { input: message });
  git(['tag', '-a', '--cleanup=verbatim', version, release, '-F', '-'], { input: notes });
  git(['tag', '-f', '-a', major, release, '-m', `${major}: ${version}`]);
  console.log(`tagged ${version} and moved ${major} to ${release} (child of ${parent})`);
  if (notesFile) writeFileSync(notesFile, notes);
  if (remote) {
    git(['push', remote, `refs/tags/${version}`], { stdio: 'inherit' });
    git(['push', '--force', remote, `refs/tags/${major}`], { stdio: 'inherit' });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
