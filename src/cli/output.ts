import { formatDuration } from '../kit/durations.js';
import type { Reporter } from '../runbook/reporter.js';

/**
 * The CLI's output. The libraries print through @actions/core (process.stdout), so while a
 * runbook runs, stdout is taken over: their lines become log lines of the current stage
 * (hidden in a terminal unless --verbose, shown on failure), workflow commands are turned
 * into plain text or dropped (::add-mask:: never reaches the screen).
 */
export type Style = 'tty' | 'plain' | 'json';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MARK = { passed: '✓', failed: '✗', skipped: '-' } as const;

export class CliOutput implements Reporter {
  private readonly write: (text: string) => void;
  private readonly original: typeof process.stdout.write;
  private spinner: NodeJS.Timeout | undefined;
  private current: { stage: string; title: string; started: number } | undefined;
  private recent: string[] = [];
  private partial = '';
  readonly rows: Array<{ stage: string; outcome: string; ms: number; detail: string }> = [];

  constructor(
    readonly style: Style,
    private readonly verbose: boolean,
  ) {
    this.original = process.stdout.write.bind(process.stdout);
    this.write = (text) => {
      this.original(text);
    };
  }

  /** Routes what libraries print to stdout into log lines until release(). */
  capture(): void {
    const take = (text: string): void => {
      const parts = (this.partial + text).split('\n');
      this.partial = parts.pop() ?? '';
      for (const p of parts) this.libraryLine(p);
    };
    process.stdout.write = function (chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      take(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    } as typeof process.stdout.write;
  }

  release(): void {
    process.stdout.write = this.original;
    if (this.spinner) clearInterval(this.spinner);
    this.spinner = undefined;
  }

  private libraryLine(line: string): void {
    const cmd = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (!cmd) return this.log(line);
    const [, name, msg] = cmd;
    const text = msg.replace(/%0A/g, ' ').replace(/%0D/g, '').replace(/%25/g, '%');
    if (name === 'warning' || name === 'error' || name === 'notice') this.log(`${name}: ${text}`);
    // add-mask, debug, group, endgroup, set-output...: nothing for a person to read
  }

  event(e: Record<string, unknown>): void {
    if (this.style === 'json') this.write(`${JSON.stringify(e)}\n`);
  }

  print(line: string): void {
    if (this.style === 'json') return;
    this.clearSpinner();
    this.write(`${line}\n`);
    this.drawSpinner();
  }

  stageStart(stage: string, title: string): void {
    this.recent = [];
    this.current = { stage, title, started: Date.now() };
    this.event({ event: 'stage-start', stage, title });
    if (this.style === 'tty') {
      this.drawSpinner();
      this.spinner ??= setInterval(() => this.drawSpinner(), 100);
      this.spinner.unref();
    }
  }

  stageEnd(
    stage: string,
    outcome: 'passed' | 'failed' | 'skipped',
    detail: string,
    ms: number,
  ): void {
    this.rows.push({ stage, outcome, ms, detail });
    this.event({ event: 'stage-end', stage, outcome, durationMs: ms, detail });
    if (this.style !== 'json') this.clearSpinner();
    this.current = undefined;
    if (this.style === 'json') return;
    const time = outcome === 'skipped' ? '' : formatDuration(ms).padStart(7);
    this.write(`${MARK[outcome]} ${stage.padEnd(20)} ${time}  ${detail}\n`);
    if (outcome === 'failed' && !this.verbose && this.recent.length > 0) {
      for (const l of this.recent.slice(-12)) this.write(`    │ ${l}\n`);
    }
  }

  log(line: string): void {
    if (line.trim() === '') return;
    this.recent.push(line);
    if (this.recent.length > 50) this.recent.shift();
    if (this.style === 'json')
      return this.event({ event: 'log', stage: this.current?.stage, line });
    if (this.verbose) this.print(`    │ ${line}`);
  }

  warn(line: string): void {
    this.event({ event: 'warning', line });
    this.print(`! ${line}`);
  }

  private clearSpinner(): void {
    if (this.style === 'tty' && this.current) this.write('\r\x1b[2K');
  }

  private drawSpinner(): void {
    if (this.style !== 'tty' || !this.current) return;
    const c = this.current;
    const frame = FRAMES[Math.floor(Date.now() / 100) % FRAMES.length];
    const el = formatDuration(Date.now() - c.started);
    this.write(`\r\x1b[2K${frame} ${c.stage.padEnd(20)} ${el.padStart(7)}  ${c.title}`);
  }
}
