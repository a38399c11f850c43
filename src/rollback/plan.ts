/**
 * What rollback undoes, and in which order. The image goes back first (the old code can
 * run against the newer schema for the moment it takes), then the migrations, then the
 * data: always image -> migrations -> database, whatever order the input lists them in.
 */
export const TARGETS = ['image', 'migrations', 'database'] as const;
export type Target = (typeof TARGETS)[number];

/**
 * The targets of a `targets` list in rollback order; returns the first unknown entry
 * instead when there is one.
 */
export function orderTargets(items: readonly string[]): Target[] | { unknown: string } {
  const wanted = new Set<Target>();
  for (const raw of items) {
    const item = raw.trim().toLowerCase();
    if (item === '') continue;
    const t = TARGETS.find((x) => x === item);
    if (t === undefined) return { unknown: raw.trim() };
    wanted.add(t);
  }
  return TARGETS.filter((t) => wanted.has(t));
}

/** One step of the plan, printed in dry-run and in the summary. */
export interface PlanStep {
  target: Target;
  /** what the step will do, one line, no secrets */
  action: string;
}
