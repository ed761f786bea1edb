import { foldPath } from "./fold-path.js";

/**
 * Paths by folded name (see {@link foldPath}), so that a walk down one path
 * finds every listed path above it in one step per name, whatever the
 * paths' lengths.
 */
export interface PathTree<T> {
  children: Map<string, PathTree<T>>;
  /** The entries whose path ends here. */
  entries: T[];
}

/** A tree holding each entry at its path. */
export function buildPathTree<T>(
  entries: Iterable<T>,
  pathOf: (entry: T) => string,
): PathTree<T> {
  const root: PathTree<T> = { children: new Map(), entries: [] };
  for (const entry of entries) {
    let node = root;
    for (const name of foldPath(pathOf(entry)).split("/")) {
      let child = node.children.get(name);
      if (child === undefined) {
        child = { children: new Map(), entries: [] };
        node.children.set(name, child);
      }
      node = child;
    }
    node.entries.push(entry);
  }
  return root;
}
