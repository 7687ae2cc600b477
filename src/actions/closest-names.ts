import { distance } from "fastest-levenshtein";

/**
 * Names longer than any AWS name are compared by their start only: the edit distance costs the
 * product of both lengths, and a request may carry a megabyte where a name goes.
 */
export const MAX_COMPARED_LENGTH = 128;

/** At most this many suggestions: a person reads the first, a program may offer the rest. */
const MAX_SUGGESTIONS = 3;

/**
 * The candidates nearest to a mistyped name, best first: fewest edits ignoring case (AWS's own
 * casing, DescribeDBInstances, is the usual typo), a name the user typed part of counting as near.
 * Only names close enough to be what was meant: none when nothing is.
 */
export function closestNames(given: string, candidates: Iterable<string>): string[] {
  const typed = given.slice(0, MAX_COMPARED_LENGTH).toLowerCase();
  // A third of the name may be wrong (at least 2 edits), as with Git's and the AWS CLI's hints.
  const limit = Math.max(2, Math.floor(typed.length / 3));
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(candidates)) {
    const lower = name.toLowerCase();
    const partial =
      typed.length >= 3 && (lower.startsWith(typed) || typed.startsWith(lower))
        ? Math.abs(lower.length - typed.length) / 4
        : Number.POSITIVE_INFINITY;
    const score = Math.min(distance(typed, lower), partial);
    if (score <= limit) scored.push({ name, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, MAX_SUGGESTIONS)
    .map((s) => s.name);
}

/** " did you mean X?" with the best suggestion (details carry the others), or "" without one. */
export function didYouMean(suggestions: readonly string[]): string {
  const best = suggestions[0];
  return best === undefined ? "" : ` did you mean ${best}?`;
}
