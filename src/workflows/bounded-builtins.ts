/**
 * Replacements for JSONata builtins whose own implementation takes quadratic time in one
 * synchronous stretch. JSONata checks its time bound only between the nodes it evaluates, so a
 * builtin that loops for seconds inside one call blocks the whole process (API, UI and every
 * worker job) for that long: `$distinct` compares each item with every kept one, and `$sort`
 * copies the rest of a list at each step of its merge (`right.slice(1)`) and so also holds
 * O(n²) memory. These give the same results in O(n) and O(n log n).
 */

/** What JSONata passes as `this` to a registered function. */
interface JsonataFocus {
  createSequence?: () => unknown[];
}

type Comparator = (left: unknown, right: unknown) => unknown;

/**
 * $distinct as JSONata defines it (the first of each group of deep-equal values, in order; a
 * sequence in gives a sequence out), with a Map keyed by each value's canonical form instead of
 * comparing every pair. Deep equality as JSONata's: strict equality for scalars, arrays item by
 * item, objects by the same keys (in any order) with deep-equal values. One difference, for
 * values JSON cannot hold: a function is equal only to itself, and an array never equals an
 * object (JSONata compares `[1]` and `{"0": 1, "length": 1}` by their property names).
 */
export function distinct(this: unknown, values: unknown): unknown {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.length <= 1) return values;
  const result = isSequence(values) ? newSequence(this as JsonataFocus) : [];
  const seen = new Set<string>();
  const identities = new Map<unknown, number>();
  for (const value of values) {
    const key = canonical(value, identities);
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(value);
  }
  return result;
}

/**
 * $sort as JSONata defines it: a stable merge sort where the right item goes first only when
 * the comparator says "swap" (truthy), split at the same middle so that even a comparator that
 * is not a consistent order sees the same comparisons; without a comparator, numbers or strings
 * ascending. Merges walk indices instead of slicing.
 */
export async function sort(
  this: unknown,
  values: unknown,
  comparator?: Comparator,
): Promise<unknown> {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.length <= 1) return values;
  if (comparator === undefined) {
    if (
      !values.every((v) => typeof v === "number") &&
      !values.every((v) => typeof v === "string")
    ) {
      // JSONata's own code and message, so what a user sees does not change.
      throw Object.assign(
        new Error(
          "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
        ),
        { code: "D3070" },
      );
    }
    // For numbers and strings "a > b" is a strict order, so a stable sort gives what the merge
    // sort gives.
    return [...(values as (number | string)[])].sort((a, b) => (a > b ? 1 : a < b ? -1 : 0));
  }
  return mergeSort(values, comparator);
}

async function mergeSort(values: unknown[], swap: Comparator): Promise<unknown[]> {
  if (values.length <= 1) return values;
  const middle = Math.floor(values.length / 2);
  const left = await mergeSort(values.slice(0, middle), swap);
  const right = await mergeSort(values.slice(middle), swap);
  const merged: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < left.length && r < right.length) {
    if (await swap(left[l], right[r])) merged.push(right[r++]);
    else merged.push(left[l++]);
  }
  while (l < left.length) merged.push(left[l++]);
  while (r < right.length) merged.push(right[r++]);
  return merged;
}

function isSequence(value: unknown[]): boolean {
  return (value as { sequence?: unknown }).sequence === true;
}

function newSequence(focus: JsonataFocus): unknown[] {
  if (focus.createSequence !== undefined) return focus.createSequence();
  const sequence: unknown[] = [];
  (sequence as { sequence?: boolean }).sequence = true;
  return sequence;
}

/**
 * A string that two values share exactly when JSONata's deepEquals holds between them (see
 * distinct for the two exceptions). Object keys are sorted, as deepEquals ignores their order.
 */
function canonical(value: unknown, identities: Map<unknown, number>): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      // 0 and -0 are equal (String gives "0" for both); NaN never equals itself.
      return Number.isNaN(value) ? `nan:${identityOf(Symbol(), identities)}` : `n${String(value)}`;
    case "boolean":
      return value ? "t" : "f";
    case "undefined":
      return "u";
    case "object": {
      if (value === null) return "z";
      if (isJsonataFunction(value)) return `fn:${identityOf(value, identities)}`;
      if (Array.isArray(value)) {
        return `[${value.map((item) => canonical(item, identities)).join(",")}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.getOwnPropertyNames(record).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k], identities)}`).join(",")}}`;
    }
    default:
      return `fn:${identityOf(value, identities)}`;
  }
}

function isJsonataFunction(value: object): boolean {
  return "_jsonata_lambda" in value || "_jsonata_function" in value;
}

function identityOf(value: unknown, identities: Map<unknown, number>): number {
  let id = identities.get(value);
  if (id === undefined) {
    id = identities.size;
    identities.set(value, id);
  }
  return id;
}
