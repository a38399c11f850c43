import { describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, scratchDir } from '../support/run-action.js';

/**
 * scripts/release.mjs against real git in a scratch repository: the release commit's
 * workflows reference only one commit, whose tree holds exactly the actions it ships.
 */

const ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: '/nonexistent',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Rel Ease',
  GIT_AUTHOR_EMAIL: 'release@example.com',
  GIT_COMMITTER_NAME: 'Rel Ease',
  GIT_COMMITTER_EMAIL: 'release@example.com',
};
const ACTION_REF = /runbook-actions\/runbook-actions\/actions\/([\w-]+)@([\w./-]+)/g;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trimEnd();
}

function release(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/release.mjs'), ...args], {
    cwd,
    env: ENV,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A repository with this project's workflows and action.yml files, one commit. */
function project(): string {
  const dir = scratchDir('release-repo-');
  git(dir, 'init', '-q', '-b', 'main');
  cpSync(join(repoRoot, '.github/workflows'), join(dir, '.github/workflows'), { recursive: true });
  for (const action of readdirSync(join(repoRoot, 'actions'))) {
    mkdirSync(join(dir, 'actions', action), { recursive: true });
    cpSync(
      join(repoRoot, 'actions', action, 'action.yml'),
      join(dir, 'actions', action, 'action.yml'),
    );
  }
  mkdirSync(join(dir, 'dist/backup-db'), { recursive: true });
  writeFileSync(join(dir, 'dist/backup-db/index.js'), 'export {};\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Initial toolkit');
  return dir;
}

/** Every action ref of the workflows in a commit: name@ref. */
function refsAt(dir: string, commit: string): string[] {
  const files = git(dir, 'ls-tree', '--name-only', commit, '.github/workflows/').split('\n');
  return files.flatMap((f) =>
    [...git(dir, 'show', `${commit}:${f}`).matchAll(ACTION_REF)].map((m) => `${m[1]}@${m[2]}`),
  );
}

describe('scripts/release.mjs', () => {
  test('the release commit pins every action ref to its parent, which holds the same actions', () => {
    const dir = project();
    const released = git(dir, 'rev-parse', 'HEAD');
    const r = release(dir, 'v1.0.0');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    const commit = git(dir, 'rev-parse', 'v1.0.0^{commit}');
    expect(git(dir, 'rev-parse', `${commit}^`)).toBe(released);
    expect(git(dir, 'rev-parse', 'v1^{commit}')).toBe(commit);

    const refs = refsAt(dir, commit);
    expect(refs.length).toBeGreaterThan(20);
    expect(new Set(refs.map((ref) => ref.split('@')[1]))).toEqual(new Set([released]));
    // the pinned commit has each action; the release commit changed nothing but the workflows
    for (const name of new Set(refs.map((ref) => ref.split('@')[0]))) {
      expect(git(dir, 'cat-file', '-t', `${released}:actions/${name}/action.yml`)).toBe('blob');
    }
    expect(git(dir, 'diff', '--name-only', released, commit).split('\n')).toEqual([
      '.github/workflows/runbook-deploy.yml',
      '.github/workflows/runbook-rollback.yml',
    ]);
    expect(git(dir, 'diff', released, commit, '--', 'actions', 'dist')).toBe('');
    // the branch and the working tree are untouched: main still names the actions @v1
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(released);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(new Set(refsAt(dir, 'HEAD').map((ref) => ref.split('@')[1]))).toEqual(new Set(['v1']));
  });

  test('the next release pins its own parent, moves v1 and lists only the new commits', () => {
    const dir = project();
    expect(release(dir, 'v1.0.0').code).toBe(0);
    writeFileSync(join(dir, 'dist/backup-db/index.js'), 'export const fixed = true;\n');
    git(dir, 'commit', '-q', '-am', 'Fix the backup size check');
    const released = git(dir, 'rev-parse', 'HEAD');
    const notes = join(scratchDir('release-notes-'), 'notes.md');

    const r = release(dir, 'v1.1.0', '--notes', notes);
    expect(r.code).toBe(0);
    const commit = git(dir, 'rev-parse', 'v1.1.0^{commit}');
    expect(git(dir, 'rev-parse', 'v1^{commit}')).toBe(commit);
    expect(new Set(refsAt(dir, commit).map((ref) => ref.split('@')[1]))).toEqual(
      new Set([released]),
    );
    const text = git(dir, 'tag', '-l', '--format=%(contents)', 'v1.1.0');
    expect(text).toContain('### Changes since v1.0.0');
    expect(text).toContain('- Fix the backup size check (');
    expect(text).not.toContain('Initial toolkit');
    expect(execFileSync('cat', [notes], { encoding: 'utf8' })).toContain(`commit ${released}`);
  });

  test('--dry-run prints the plan and the notes and writes nothing', () => {
    const dir = project();
    const objects = git(dir, 'count-objects', '-v');
    const r = release(dir, 'v2.0.0', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('.github/workflows/runbook-deploy.yml: ');
    expect(r.stdout).toContain('dry run: would tag v2.0.0 and move v2; nothing was written');
    expect(r.stdout).toContain('- Initial toolkit (');
    expect(git(dir, 'tag', '-l')).toBe('');
    expect(git(dir, 'count-objects', '-v')).toBe(objects);
  });

  test('--push sends the tag and the moved major tag to the remote', () => {
    const dir = project();
    const remote = scratchDir('release-remote-');
    git(remote, 'init', '-q', '--bare');
    expect(release(dir, 'v1.0.0', '--push', remote).code).toBe(0);
    expect(git(remote, 'rev-parse', 'v1.0.0^{commit}')).toBe(
      git(dir, 'rev-parse', 'v1.0.0^{commit}'),
    );
    expect(git(remote, 'rev-parse', 'v1^{commit}')).toBe(git(dir, 'rev-parse', 'v1.0.0^{commit}'));
  });

  test.each([
    [['1.0.0'], "release: version: expected vX.Y.Z, got '1.0.0'"],
    [['v1.0.0', '--repo', 'nope'], "release: --repo: expected owner/name, got 'nope'"],
  ])('%j is refused with one line', (args, message) => {
    const r = release(project(), ...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${message}\n`);
  });

  test('an existing tag and uncommitted changes are refused before anything is written', () => {
    const dir = project();
    expect(release(dir, 'v1.0.0').code).toBe(0);
    const again = release(dir, 'v1.0.0');
    expect(again.stderr).toBe('release: the tag v1.0.0 exists already\n');
    writeFileSync(join(dir, 'dist/backup-db/index.js'), 'changed\n');
    const dirty = release(dir, 'v1.0.1');
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain('uncommitted changes');
    expect(git(dir, 'tag', '-l')).toBe('v1\nv1.0.0');
  });
});
