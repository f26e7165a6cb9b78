/**
 * "Did you mean ...?" for names a person typed: the known name closest by edit distance
 * (insertions, deletions, substitutions and swaps of neighbours, case-insensitive), when it is close
 * enough to be the likely intent — about one mistake per four characters, at least one.
 */
export function closestName(typed: string, known: Iterable<string>): string | undefined {
  const wanted = typed.toLowerCase();
  const limit = Math.max(1, Math.floor(typed.length / 4));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    if (Math.abs(candidate.length - typed.length) >= bestDistance) continue;
    const distance = editDistance(wanted, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or nothing when no known name is close. */
export function didYouMean(typed: string, known: Iterable<string>): string {
  const suggestion = closestName(typed, known);
  return suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`;
}

/**
 * Optimal string alignment distance between a and b; stops early (returning `stopAt`) once every
 * alignment costs at least `stopAt`, because only close names are of interest.
 */
export function editDistance(a: string, b: string, stopAt = Number.POSITIVE_INFINITY): number {
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowBest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, previous2[j - 2]! + 1);
      current.push(value);
      if (value < rowBest) rowBest = value;
    }
    if (rowBest >= stopAt) return stopAt;
    previous2 = previous;
    previous = current;
  }
  return previous[b.length]!;
}
