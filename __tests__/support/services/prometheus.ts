/**
 * A throwaway Prometheus (/usr/bin/prometheus) scraping the given targets every second,
 * TSDB in a temp dir, web on 127.0.0.1. Config changes go through /-/reload.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  deepMerge,
  ensureService,
  freePort,
  httpAnswers,
  removeDir,
  startProcess,
  tempDir,
  waitFor,
  type ManagedProcess,
  type PlainObject,
} from './common.js';

export interface PrometheusOptions {
  /** scrape targets, '127.0.0.1:<port>' */
  targets: string[];
  /** default '1s' (the scrape timeout is the same) */
  scrapeInterval?: string;
  /** default '/metrics' */
  metricsPath?: string;
  /** the job label; default 'test' */
  jobName?: string;
  /** rule groups (the `groups:` of a rules file), e.g. alerting rules */
  ruleGroups?: PlainObject[];
  /** merged into the generated prometheus.yml */
  config?: PlainObject;
  startTimeoutMs?: number;
}

/** One series of an instant query. For a matrix, `value` is the last of `values`. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
  values?: [number, string][];
}

export interface PromTarget {
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  labels: Record<string, string>;
}

export interface PrometheusServer {
  /** 'http://127.0.0.1:<port>' */
  url: string;
  port: number;
  readonly pid: number;
  dir: string;
  configFile: string;
  logFile: string;
  /** instant query over /api/v1/query; resolves with data.result as samples */
  query(promql: string): Promise<PromSample[]>;
  /** the first sample's value as a number, undefined when the result is empty */
  queryValue(promql: string): Promise<number | undefined>;
  /** the active targets as /api/v1/targets reports them */
  targets(): Promise<PromTarget[]>;
  /** waits until every configured target is active and 'up' */
  waitForTargetsUp(timeoutMs: number): Promise<void>;
  /** replaces the scrape targets (rewrites the config and reloads) */
  setTargets(targets: string[]): Promise<void>;
  /** stops Prometheus and removes the temp dir; safe to call twice */
  stop(): Promise<void>;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

async function api<T>(base: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as ApiResponse<T>;
  if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
  return body.data;
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  ensureService('prometheus');
  const dir = tempDir('rb-prom');
  const configFile = join(dir, 'prometheus.yml');
  const rulesFile = join(dir, 'rules.yml');
  const logFile = join(dir, 'prometheus.log');
  const interval = options.scrapeInterval ?? '1s';
  let targets = [...options.targets];
  let proc: ManagedProcess | undefined;

  const writeConfig = (): void => {
    const config = deepMerge(
      {
        global: {
          scrape_interval: interval,
          scrape_timeout: interval,
          evaluation_interval: interval,
        },
        ...(options.ruleGroups ? { rule_files: [rulesFile] } : {}),
        scrape_configs: [
          {
            job_name: options.jobName ?? 'test',
            metrics_path: options.metricsPath ?? '/metrics',
            static_configs: [{ targets }],
          },
        ],
      },
      options.config,
    );
    writeFileSync(configFile, stringify(config));
    if (options.ruleGroups) writeFileSync(rulesFile, stringify({ groups: options.ruleGroups }));
  };

  try {
    writeConfig();
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      proc = startProcess({
        name: 'prometheus',
        command: '/usr/bin/prometheus',
        args: [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--web.enable-lifecycle',
          '--log.level=info',
        ],
        cwd: dir,
        logFile,
        cleanupDir: dir,
        stopTimeoutMs: 15_000,
      });
      try {
        await proc.waitReady(
          () => httpAnswers(`http://127.0.0.1:${port}/-/ready`, [200]),
          options.startTimeoutMs ?? 60_000,
          `Prometheus on 127.0.0.1:${port}`,
        );
        break;
      } catch (err) {
        await proc.stop();
        // another worker may have taken the port between freePort() and bind()
        if (attempt >= 3 || !/already in use/i.test(String(err))) throw err;
      }
    }

    const base = `http://127.0.0.1:${port}`;
    const running = proc;
    const query = async (promql: string): Promise<PromSample[]> => {
      const data = await api<{ resultType: string; result: unknown }>(
        base,
        `/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      if (data.resultType === 'scalar' || data.resultType === 'string') {
        return [{ metric: {}, value: data.result as [number, string] }];
      }
      const series = data.result as {
        metric: Record<string, string>;
        value?: [number, string];
        values?: [number, string][];
      }[];
      return series.map((s) => ({
        metric: s.metric,
        value: s.value ?? s.values?.at(-1) ?? [0, 'NaN'],
        ...(s.values ? { values: s.values } : {}),
      }));
    };
    const listTargets = async (): Promise<PromTarget[]> =>
      (await api<{ activeTargets: PromTarget[] }>(base, '/api/v1/targets?state=active'))
        .activeTargets;

    return {
      url: base,
      port,
      pid: running.pid,
      dir,
      configFile,
      logFile,
      query,
      async queryValue(promql) {
        const first = (await query(promql))[0];
        return first ? Number(first.value[1]) : undefined;
      },
      targets: listTargets,
      async waitForTargetsUp(timeoutMs) {
        let last: PromTarget[] = [];
        try {
          await waitFor(
            async () => {
              last = await listTargets();
              const urls = new Set(last.map((t) => new URL(t.scrapeUrl).host));
              return targets.every((t) => urls.has(t)) && last.every((t) => t.health === 'up');
            },
            timeoutMs,
            `Prometheus targets ${targets.join(', ')} to be up`,
          );
        } catch (err) {
          const states = last.map((t) => `${t.scrapeUrl}: ${t.health} ${t.lastError}`).join('; ');
          throw new Error(`${(err as Error).message}; targets: ${states || 'none active'}`, {
            cause: err,
          });
        }
      },
      async setTargets(next) {
        targets = [...next];
        writeConfig();
        const res = await fetch(`${base}/-/reload`, { method: 'POST' });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`prometheus reload: HTTP ${res.status}\n${running.logTail()}`);
      },
      async stop() {
        await running.stop();
        await removeDir(dir);
      },
    };
  } catch (err) {
    await proc?.stop().catch(() => undefined);
    await removeDir(dir).catch(() => undefined);
    throw err;
  }
}
