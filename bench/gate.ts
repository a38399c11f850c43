/**
 * How fast the health gate reacts when a deployment goes bad. A test app turns bad (every
 * answer 500) at a random moment inside a 60 s window watched with `interval: 1s`,
 * `max-consecutive-failures: 3` and an http probe timeout of 2 s; success-rate is 50% so
 * the consecutive-failure rule is the one that decides. Measured: the time from the turn to
 * the step's exit (the bundled action, run the way the runner does).
 * Target (issue 6): at most (3 + 1) × interval + the probe timeout = 6 s; printed as a ratio.
 *   npm run bench:gate [-- runs]
 */
import { runAction } from '../__tests__/support/run-action.js';
import { startGateServer } from '../__tests__/health-gate/support/gate-server.js';

const runs = Number(process.argv[2] ?? 5);
const intervalMs = 1000;
const timeoutMs = 2000;
const windowMs = 60_000;
const target = (3 + 1) * intervalMs + timeoutMs;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const reactions: number[] = [];
for (let i = 1; i <= runs; i++) {
  const app = await startGateServer();
  // somewhere between 3 s and 57 s into the window, so the turn is always inside it
  const turnAfter = 3000 + Math.floor(Math.random() * (windowMs - 6000));
  let turnedAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const run = await runAction(
    'health-gate',
    {
      duration: '60s',
      interval: '1s',
      'max-consecutive-failures': '3',
      'success-rate': '50%',
      probes: `- name: app\n  http:\n    url: ${app.url}/healthz\n    timeout: 2s\n`,
    },
    {
      timeoutMs: windowMs + 30_000,
      onStart: () => {
        timer = setTimeout(() => {
          app.set({ errorRatio: 1 });
          turnedAt = performance.now();
        }, turnAfter);
      },
    },
  );
  const exitedAt = performance.now();
  clearTimeout(timer);
  await app.stop();
  if (turnedAt === undefined || run.outputs.verdict !== 'fail') {
    console.error(
      `run ${i}: expected a fail after the turn; got ${run.outputs.verdict}: ${run.outputs.reason}`,
    );
    process.exit(1);
  }
  const reaction = exitedAt - turnedAt;
  reactions.push(reaction);
  console.log(
    `run ${i}: turned bad ${(turnAfter / 1000).toFixed(1)}s into the window, step exited ${(reaction / 1000).toFixed(2)}s later (${run.outputs.samples} samples; ${run.outputs.reason})`,
  );
}

const med = median(reactions);
const max = Math.max(...reactions);
console.log('');
console.log(
  `turn -> step exit over ${runs} runs (interval 1s, max-consecutive-failures 3, probe timeout 2s):`,
);
console.log(
  `  median ${(med / 1000).toFixed(2)}s  = ${(med / target).toFixed(2)}x of the target ${target / 1000}s`,
);
console.log(
  `  max    ${(max / 1000).toFixed(2)}s  = ${(max / target).toFixed(2)}x of the target ${target / 1000}s`,
);
if (max > target) {
  console.log('  over the target');
  process.exitCode = 1;
}
