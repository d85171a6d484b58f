/**
 * A cap on distinct label sets per metric. Past the cap, every label value of a new set
 * collapses to one overflow value (so the series count stays bounded) and a counter says how
 * often that happened, by metric.
 */
import { OVERFLOW_LABEL_VALUE } from './contract.js';
import type { Labels } from './backend.js';

/** Label values in call order, walked as a trie: a known set costs a few map lookups and no allocation. */
interface Node {
  readonly next: Map<string, Node>;
  leaf: boolean;
}

const node = (): Node => ({ next: new Map(), leaf: false });

export class CardinalityGuard {
  private readonly roots = new Map<string, { root: Node; count: number }>();

  constructor(
    private readonly cap: number,
    private readonly onOverflow: (metric: string) => void,
  ) {}

  /** The labels to record with: as given while under the cap (or already known), collapsed past it. */
  admit(metric: string, labels: Labels): Labels {
    let entry = this.roots.get(metric);
    if (!entry) {
      entry = { root: node(), count: 0 };
      this.roots.set(metric, entry);
    }
    // Callers pass a metric's labels in one fixed order, so the values alone identify the set.
    let at = entry.root;
    let known = true;
    for (const k in labels) {
      const v = labels[k]!;
      let child = at.next.get(v);
      if (!child) {
        if (entry.count >= this.cap) return this.overflow(metric, labels);
        child = node();
        at.next.set(v, child);
        known = false;
      }
      at = child;
    }
    if (known && at.leaf) return labels;
    if (entry.count >= this.cap) return this.overflow(metric, labels);
    at.leaf = true;
    entry.count++;
    return labels;
  }

  private overflow(metric: string, labels: Labels): Labels {
    this.onOverflow(metric);
    const out: Record<string, string> = {};
    for (const k in labels) out[k] = OVERFLOW_LABEL_VALUE;
    return out;
  }
}
