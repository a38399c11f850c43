import { afterAll } from '@jest/globals';
import { removeRunDirs } from './run-action.js';

// Every test file removes the temporary directories of the actions it ran.
afterAll(() => removeRunDirs());

// Library code run in-process writes the runner's workflow commands (::debug::, ::add-mask::,
// ::group::) to stdout. They mean something to a runner, not to a person reading `npm test`:
// keep them out of the test output unless RUNNER_DEBUG=1 asks for them. Tests that read what
// an action printed spy on process.stdout.write themselves, on top of this filter, or run the
// bundle in a child process (support/run-action.ts), which this does not touch.
// The same goes for the progress lines @actions/artifact, @actions/cache and @actions/exec
// print through core.info when the tests drive them in-process (the runner's log shows them;
// a test run does not need them), and for the retry lines of the registry client's fault tests.
const RUNNER_CHATTER = [
  /^::[a-z-]+(?: [^:]*)?::/,
  /^\[command\]\//,
  /^(Artifact name is valid!|Root directory input is valid!|Beginning upload of artifact content|Finished uploading artifact content|Finalizing artifact upload|Artifact download completed successfully\.|Starting download of artifact to: |Redirecting to blob download url: |Downloading raw file \(non-zip\) to: |Cache hit for|Cache Size: |Cache restored successfully|Cache saved successfully|Cache saved with key: |Lookup only - skipping download|Sent \d+ of \d+ |Received \d+ of \d+ |Uploaded bytes |Artifact '[^']*' \(ID: \d+\) (deleted|has been successfully uploaded))/,
  /^(SHA256 digest of (downloaded|uploaded) artifact is |Uploading artifact: |Found \d+ artifact\(s\)|Artifact \S+ successfully finalized\. |Failed to save: )/,
  /^registry: [\s\S]* (retry \d+\/\d+ in |giving up after \d+ attempts)/,
];
if (process.env.RUNNER_DEBUG !== '1') {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && RUNNER_CHATTER.some((re) => re.test(chunk))) return true;
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
}
