// A bounded check of the CloudWatch Logs Insights query language: the command structure
// (`command args | command args …`), the arguments each command needs, and the lexical rules
// (quotes, regular expressions, backquoted names, parentheses, `#` comments). It does not type
// expressions or know every function; it refuses what AWS's parser refuses at a glance, with the
// ANTLR-style messages AWS answers (e.g. "mismatched input 'count' expecting {K_PARSE, …}").

export type QueryCompileError = { message: string; startCharOffset: number; endCharOffset: number };

type Token = {
  kind: "word" | "number" | "string" | "regex" | "symbol";
  text: string;
  start: number;
  end: number;
};

// The commands of the Logs Insights language (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html),
// with the legacy aliases its grammar still names (search, order, head, tail).
const COMMANDS = [
  "parse",
  "search",
  "fields",
  "display",
  "filter",
  "filterIndex",
  "sort",
  "order",
  "head",
  "limit",
  "tail",
  "stats",
  "dedup",
  "unmask",
  "unnest",
  "lookup",
  "pattern",
  "anomaly",
  "diff",
  "source",
];
const EXPECTING = `{${COMMANDS.map((c) => `K_${c.toUpperCase()}`).join(", ")}}`;

class QuerySyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

function quoted(token: Token | undefined): string {
  return token === undefined ? "'<EOF>'" : `'${token.text}'`;
}

function mismatched(
  token: Token | undefined,
  expecting: string,
  queryLength: number,
): QuerySyntaxError {
  return new QuerySyntaxError(
    `mismatched input ${quoted(token)} expecting ${expecting}`,
    token?.start ?? queryLength,
    token?.end ?? queryLength,
  );
}

// A `/` starts a regular expression where a value may start, not after a value (division) —
// except `parse <field> /…/`, whose pattern follows a field name.
function regexMayStart(tokens: Token[]): boolean {
  const previous = tokens[tokens.length - 1];
  if (previous === undefined) return true;
  if (previous.kind === "symbol") return previous.text !== ")" && previous.text !== "]";
  if (/^parse$/i.test(tokens[tokens.length - 2]?.text ?? "")) return true;
  return previous.kind === "word" && /^(like|in|and|or|not|as|by)$/i.test(previous.text);
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < query.length && query.charAt(i) !== "\n") i++;
      continue;
    }
    const start = i;
    const delimited = (close: string, kind: Token["kind"]) => {
      i++;
      while (i < query.length && query.charAt(i) !== close) i += query.charAt(i) === "\\" ? 2 : 1;
      if (i >= query.length)
        throw new QuerySyntaxError(
          `token recognition error at: '${query.slice(start)}'`,
          start,
          query.length,
        );
      i++;
      tokens.push({ kind, text: query.slice(start, i), start, end: i });
    };
    if (c === "'" || c === '"') delimited(c, "string");
    else if (c === "`") delimited("`", "word");
    else if (c === "/" && regexMayStart(tokens)) delimited("/", "regex");
    else if (/[0-9]/.test(c)) {
      while (i < query.length && /[0-9.a-zA-Z]/.test(query.charAt(i))) i++;
      tokens.push({ kind: "number", text: query.slice(start, i), start, end: i });
    } else if (/[A-Za-z_@$]/.test(c)) {
      while (i < query.length && /[A-Za-z0-9_@$.\-:]/.test(query.charAt(i))) {
        // A hyphen belongs to a name only between name characters (`x-forwarded-for`).
        if (query.charAt(i) === "-" && !/[A-Za-z_]/.test(query.charAt(i + 1))) break;
        i++;
      }
      tokens.push({ kind: "word", text: query.slice(start, i), start, end: i });
    } else {
      const two = query.slice(i, i + 2);
      const symbol = ["!=", "<=", ">=", "=~", "!~", "=="].includes(two) ? two : c;
      if (!/^([|,()[\]=<>+\-*/%^!~]|!=|<=|>=|=~|!~|==)$/.test(symbol))
        throw new QuerySyntaxError(`token recognition error at: '${c}'`, start, start + 1);
      i += symbol.length;
      tokens.push({ kind: "symbol", text: symbol, start, end: i });
    }
  }
  return tokens;
}

type Stage = { tokens: Token[]; end: Token | undefined };

/** The query's stages: tokens between top-level pipes, parentheses checked on the way. */
function stages(tokens: Token[], queryLength: number): Stage[] {
  const result: Stage[] = [{ tokens: [], end: undefined }];
  const open: Token[] = [];
  for (const token of tokens) {
    if (token.kind === "symbol" && (token.text === "(" || token.text === "[")) open.push(token);
    if (token.kind === "symbol" && (token.text === ")" || token.text === "]")) {
      const opener = open.pop();
      if (opener === undefined || (opener.text === "(") !== (token.text === ")"))
        throw new QuerySyntaxError(`extraneous input '${token.text}'`, token.start, token.end);
    }
    const current = result[result.length - 1];
    if (current === undefined) break;
    if (token.kind === "symbol" && token.text === "|" && open.length === 0) {
      current.end = token;
      result.push({ tokens: [], end: undefined });
    } else current.tokens.push(token);
  }
  const unclosed = open.pop();
  if (unclosed !== undefined)
    throw new QuerySyntaxError(
      `missing '${unclosed.text === "(" ? ")" : "]"}' at '<EOF>'`,
      queryLength,
      queryLength,
    );
  return result;
}

/** Comma-separated non-empty items (`a, b as c`). */
function checkList(args: Token[], end: Token | undefined, queryLength: number): void {
  let depth = 0;
  let itemLength = 0;
  for (const token of args) {
    if (token.text === "(" || token.text === "[") depth++;
    if (token.text === ")" || token.text === "]") depth--;
    if (token.kind === "symbol" && token.text === "," && depth === 0) {
      if (itemLength === 0) throw mismatched(token, "an expression", queryLength);
      itemLength = 0;
    } else itemLength++;
  }
  if (itemLength === 0) throw mismatched(end, "an expression", queryLength);
}

function checkStage({ tokens, end }: Stage, index: number, queryLength: number): void {
  const [command, ...args] = tokens;
  if (command === undefined) throw mismatched(end, EXPECTING, queryLength);
  const name = COMMANDS.find((c) => c.toLowerCase() === command.text.toLowerCase());
  if (command.kind !== "word" || name === undefined || (name === "source" && index > 0))
    throw mismatched(command, EXPECTING, queryLength);
  const next = args[0];
  const needsArguments = !["diff", "anomaly"].includes(name);
  if (needsArguments && next === undefined) throw mismatched(end, "an expression", queryLength);
  switch (name) {
    case "fields":
    case "display":
    case "dedup":
    case "sort":
    case "order":
      checkList(args, end, queryLength);
      return;
    case "limit":
    case "head":
    case "tail":
      if (args.length !== 1 || next?.kind !== "number" || !/^[1-9][0-9]*$/.test(next.text)) {
        const valid = next?.kind === "number" && /^[1-9][0-9]*$/.test(next.text);
        throw mismatched(valid ? (args[1] ?? end) : next, "INTEGER", queryLength);
      }
      return;
    case "stats": {
      const call = args.findIndex((t, i) => t.kind === "word" && args[i + 1]?.text === "(");
      if (call < 0) throw mismatched(next, "an aggregation function", queryLength);
      checkList(args, end, queryLength);
      return;
    }
    case "parse": {
      const pattern = args.find((t) => t.kind === "string" || t.kind === "regex");
      if (pattern === undefined) throw mismatched(end, "a pattern", queryLength);
      if (pattern.kind === "string" && !args.some((t) => /^as$/i.test(t.text)))
        throw mismatched(end, "'as'", queryLength);
      return;
    }
    default:
      return;
  }
}

/** The first syntax error of a Logs Insights query, as AWS reports it, or undefined. */
export function insightsQueryError(query: string): QueryCompileError | undefined {
  try {
    const tokens = tokenize(query);
    if (tokens.length === 0) return undefined;
    stages(tokens, query.length).forEach((stage, index) => {
      checkStage(stage, index, query.length);
    });
    return undefined;
  } catch (error) {
    if (!(error instanceof QuerySyntaxError)) throw error;
    return { message: error.message, startCharOffset: error.start, endCharOffset: error.end };
  }
}
