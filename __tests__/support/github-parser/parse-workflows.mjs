// Parses workflows with GitHub's own parser (@actions/workflow-parser, the one behind its
// VS Code extension) in a plain Node process: stdin a JSON list of {name, content}, stdout a
// JSON object {name: [error message, ...]}. Run as a child of the tests because jest's ESM
// loader cannot take the load hook below (and warns on the attribute-less JSON import).
import { register } from 'node:module';

register(new URL('./json-import-hook.mjs', import.meta.url));
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } =
  await import('@actions/workflow-parser');
// ErrorPolicy.TryConversion: also the errors found while converting (needs, expressions).
const TRY_CONVERSION = 1;

let input = '';
for await (const chunk of process.stdin) input += chunk;
const result = {};
for (const file of JSON.parse(input)) {
  const parsed = parseWorkflow(file, new NoOperationTraceWriter());
  if (parsed.value) {
    await convertWorkflowTemplate(parsed.context, parsed.value, undefined, {
      errorPolicy: TRY_CONVERSION,
    });
  }
  result[file.name] = parsed.context.errors.getErrors().map((e) => e.message);
}
process.stdout.write(JSON.stringify(result));
