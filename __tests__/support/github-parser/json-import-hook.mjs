// @actions/workflow-parser imports its JSON schema without an import attribute, which Node 24
// refuses; this load hook adds `type: 'json'` to every .json import.
export async function load(url, context, nextLoad) {
  if (url.endsWith('.json')) {
    return nextLoad(url, {
      ...context,
      importAttributes: { ...context.importAttributes, type: 'json' },
    });
  }
  return nextLoad(url, context);
}
