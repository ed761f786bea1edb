/**
 * Edit distance counting an adjacent transposition as one edit (optimal
 * string alignment), capped: returns `limit + 1` once it is exceeded.
 */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] ?? 0) + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

/**
 * The candidate closest to `input`, if it is close enough to be a plausible
 * typo (case-insensitive; at most a third of the word may differ), or else
 * the shortest candidate that starts with it (`feature` → `feature_name`).
 */
export function closestMatch(
  input: string,
  candidates: Iterable<string>,
): string | undefined {
  const list = [...candidates];
  const needle = input.toLowerCase();
  const limit = Math.max(1, Math.floor(needle.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of list) {
    const d = distance(needle, candidate.toLowerCase(), limit);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined || needle.length < 3) return best;
  for (const candidate of list) {
    const lower = candidate.toLowerCase();
    if (
      lower.startsWith(needle) &&
      (best === undefined || candidate.length < best.length)
    ) {
      best = candidate;
    }
  }
  return best;
}

/** ` (did you mean 'x'?)` when there is a close candidate, else `""`. */
export function didYouMean(
  input: string,
  candidates: Iterable<string>,
): string {
  const match = closestMatch(input, candidates);
  return match === undefined ? "" : ` (did you mean '${match}'?)`;
}
