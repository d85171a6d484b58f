/** "did you mean ...?" for a name the catalog does not know, when one it knows is near enough. */
import { closest, distance } from 'fastest-levenshtein';

export function suggestion(word: string, candidates: readonly string[]): string {
  if (!candidates.length) return '';
  const near = closest(word, [...candidates]);
  return distance(word, near) <= Math.max(2, Math.floor(word.length / 3)) ? `did you mean "${near}"? ` : '';
}
