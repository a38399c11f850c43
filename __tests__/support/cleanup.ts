import { afterAll } from '@jest/globals';
import { removeRunDirs } from './run-action.js';

// Every test file removes the temporary directories of the actions it ran.
afterAll(() => removeRunDirs());

// Library code run in-process writes the runner's workflow commands (::debug::, ::add-mask::,
// ::group::) to stdout. They mean something to a runner, not to a person reading `npm test`:
// keep them out of the test output unless RUNNER_DEBUG=1 asks for them. Tests that read what
// an action printed spy on process.stdout.write themselves, on top of this filter, or run the
// bundle in a child process (support/run-action.ts), which this does not touch.
if (process.env.RUNNER_DEBUG !== '1') {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && /^::[a-z-]+(?: [^:]*)?::/.test(chunk)) return true;
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
}
