import type { ProbeResult, ProbeSpec } from '../types.js';

/** One probe: takes a sample when asked. It never throws; problems are failed samples. */
export interface Probe {
  readonly spec: ProbeSpec;
  /** undefined when `stop` aborted the sample (the gate is over and does not want it) */
  sample(stop: AbortSignal): Promise<ProbeResult | undefined>;
}
