import type { NoDataPolicy, ProbeSpec } from '../types.js';
import { commandProbe } from './command.js';
import { httpProbe } from './http.js';
import type { Probe } from './probe.js';
import { prometheusProbe } from './prometheus.js';
import { sqlProbe } from './sql.js';

export type { Probe } from './probe.js';

export function createProbe(spec: ProbeSpec, opts: { noData: NoDataPolicy }): Probe {
  switch (spec.kind) {
    case 'http':
      return httpProbe(spec);
    case 'prometheus':
      return prometheusProbe(spec, opts.noData);
    case 'command':
      return commandProbe(spec);
    case 'sql':
      return sqlProbe(spec, opts.noData);
  }
}
