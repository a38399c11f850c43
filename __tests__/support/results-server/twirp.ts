// Twirp plumbing: JSON bodies (protobuf-ts `toJson` with proto field names: snake_case keys,
// int64 as strings, wrapper types as bare values, Timestamp as RFC 3339) and Twirp errors.

export const TWIRP_STATUS: Record<string, number> = {
  invalid_argument: 400,
  malformed: 400,
  out_of_range: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  aborted: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unknown: 500,
  unimplemented: 501,
  unavailable: 503,
};

export class TwirpError extends Error {
  constructor(
    readonly code: keyof typeof TWIRP_STATUS,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return TWIRP_STATUS[this.code] ?? 500;
  }
  body(): string {
    return JSON.stringify({ code: this.code, msg: this.message });
  }
}

export type JsonObject = { [key: string]: unknown };

/** A field by its proto name or its camelCase JSON name (protobuf JSON accepts both). */
export function field(body: JsonObject, protoName: string): unknown {
  if (protoName in body) return body[protoName];
  const camel = protoName.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return body[camel];
}

export function str(body: JsonObject, name: string): string {
  const v = field(body, name);
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && v !== null && 'value' in v)
    return String((v as { value: unknown }).value);
  return String(v);
}

/** A wrapper-typed field (google.protobuf.StringValue / Int64Value): undefined when absent. */
export function wrapper(body: JsonObject, name: string): string | undefined {
  const v = field(body, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && 'value' in v) return String((v as { value: unknown }).value);
  return String(v);
}

export function strList(body: JsonObject, name: string): string[] {
  const v = field(body, name);
  return Array.isArray(v) ? v.map(String) : [];
}

export function requireStr(body: JsonObject, name: string): string {
  const v = str(body, name);
  if (v === '') throw new TwirpError('invalid_argument', `${name} is required`);
  return v;
}
