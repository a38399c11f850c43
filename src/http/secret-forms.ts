/**
 * The shapes a secret takes in what a smoke test prints besides its raw text: form-encoded
 * (query strings and form bodies write a space as `+`) and JSON-escaped (a response body
 * quoted inside a message is escaped once, and again when that message is JSON itself).
 * The kit adds the URL-encoded forms.
 */
export function secretForms(value: string): string[] {
  if (value === '') return [];
  const out = new Set<string>([value]);
  out.add(new URLSearchParams([['', value]]).toString().slice(1));
  const once = JSON.stringify(value).slice(1, -1);
  out.add(once);
  out.add(JSON.stringify(once).slice(1, -1));
  return [...out];
}
