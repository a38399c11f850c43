import type { Stage } from './record.js';

/**
 * Where the stage chain reports to: the root action (log groups, annotations) or the CLI
 * (one line per stage in a terminal, JSON lines otherwise). The chain never prints itself.
 */
export interface Reporter {
  stageStart(stage: Stage | 'rollback' | `hook ${string}`, title: string): void;
  stageEnd(
    stage: Stage | 'rollback' | `hook ${string}`,
    outcome: 'passed' | 'failed' | 'skipped',
    detail: string,
    durationMs: number,
  ): void;
  log(line: string): void;
  warn(line: string): void;
}
