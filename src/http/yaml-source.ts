import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  YAMLParseError,
  type Document,
} from 'yaml';

/**
 * A parsed YAML text that can say on which line a value sits, so every problem in a
 * check file is reported with its line.
 */
export class YamlSource {
  private constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly value: unknown,
  ) {}

  /** Parses the text; a syntax error throws YamlSyntaxError with its line and column. */
  static parse(text: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    const err = doc.errors[0];
    if (err) throw YamlSyntaxError.from(err);
    return new YamlSource(doc, lines, doc.toJS({ maxAliasCount: 100 }));
  }

  /** The 1-based line of the value at `path` (or of its key with `key: true`); undefined if unknown. */
  line(path: ReadonlyArray<string | number>, opts: { key?: boolean } = {}): number | undefined {
    let node: unknown = this.doc.contents;
    let offset: number | undefined = rangeStart(node);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (!pair) break;
        const keyStart = rangeStart(pair.key);
        node = pair.value;
        offset =
          opts.key && seg === path[path.length - 1] ? keyStart : (rangeStart(node) ?? keyStart);
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range ? range[0] : undefined;
  }
  return undefined;
}

export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
  ) {
    super(message);
  }

  static from(err: YAMLParseError): YamlSyntaxError {
    const pos = err.linePos?.[0];
    const first = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return new YamlSyntaxError(first, pos?.line, pos?.col);
  }
}
