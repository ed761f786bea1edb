import { checkRepositoryPath } from "./check-repository-path.js";
import { foldPath } from "./fold-path.js";
import { buildPathTree, type PathTree } from "./path-tree.js";

/** A symbolic link the bundle writes. */
export interface SymbolicLink {
  path: string;
  /** What the link holds, decoded. */
  target: string;
}

/** Linux's MAXSYMLINKS: resolving through more links fails with ELOOP. */
const MAX_LINKS_FOLLOWED = 40;

/** PATH_MAX less its NUL: symlink(2) refuses a longer target. */
const MAX_TARGET_BYTES = 4095;

/** The longest path {@link checkRepositoryPath} takes. */
const MAX_PATH_LENGTH = 4096;

/** A path the bundle's links may lead on from. */
type LinkNode = PathTree<SymbolicLink> | undefined;

type Resolution =
  | {
      kind: "inside";
      /** Where the link leads, `""` for the root. */
      path: string;
      depth: number;
      node: LinkNode;
      /** The links followed on the way, as the kernel counts them. */
      followed: number;
    }
  | { kind: "outside"; through: string | undefined }
  /** A `..` after a name: where it leads cannot be known here. */
  | { kind: "unresolved" }
  /** Through a link that is `unresolved`. */
  | { kind: "unresolved-through" }
  | { kind: "loop" }
  | { kind: "too-many-links" }
  | { kind: "target-too-long" };

/**
 * A target that leads outside on some system before any name is looked up:
 * empty, absolute (`/x`, or `C:` on Windows), with a NUL or a backslash (a
 * separator on Windows), or with a name of dots and spaces other than `.`
 * and `..` (Windows trims trailing dots and spaces, so `.. ` is `..` there).
 */
function isUnusable(target: string): boolean {
  return (
    target === "" ||
    target.startsWith("/") ||
    /^[A-Za-z]:/.test(target) ||
    target.includes("\0") ||
    target.includes("\\") ||
    /(?:^|\/)(?:\.{3,}|[. ]* [. ]*)(?=\/|$)/.test(target)
  );
}

function describe(link: SymbolicLink, resolution: Resolution): string | null {
  switch (resolution.kind) {
    case "outside":
      return resolution.through === undefined
        ? "points outside the repository"
        : `points outside the repository through the symbolic link '${resolution.through}'`;
    case "unresolved":
      // Any name may be a symbolic link already in the repository, which
      // the App does not see, and `..` after a link leaves from where the
      // link points: `s/..` is not the folder holding `s`.
      return `has a '..' after a name in its target '${link.target}': the name may be a symbolic link, so where it leads cannot be checked (put every '..' first)`;
    case "unresolved-through":
      return null; // The link it goes through is refused.
    case "loop":
      return "leads into a loop of symbolic links";
    case "too-many-links":
      return `goes through more than ${MAX_LINKS_FOLLOWED} symbolic links`;
    case "target-too-long":
      return `has a target over ${MAX_TARGET_BYTES} bytes`;
    case "inside":
      // The root itself (a loop), somewhere in .git, or too long a path.
      return resolution.path === "" ||
        checkRepositoryPath(resolution.path) !== undefined
        ? "points outside the repository"
        : null;
  }
}

/**
 * Every symbolic link of the bundle that may lead outside the repository,
 * with why. Each target is resolved name by name from the link's folder,
 * as the kernel does, following the bundle's other links (matched in any
 * case, as macOS and Windows would): a link is refused when a step leaves
 * the root, when it ends at the root or in `.git`, when it leads into a
 * loop or through more than 40 links, and when a `..` comes after a name,
 * since the links already in the repository are not visible here. Time and
 * memory grow with the targets' length, whatever the links' shape.
 */
export function checkSymlinks(links: readonly SymbolicLink[]): string[] {
  const tree = buildPathTree(links, (link) => link.path);
  const resolutions = new Map<SymbolicLink, Resolution | "resolving">();

  function resolve(link: SymbolicLink): Resolution {
    const known = resolutions.get(link);
    if (known === "resolving") return { kind: "loop" };
    if (known !== undefined) return known;
    resolutions.set(link, "resolving");
    const resolution = walk(link);
    resolutions.set(link, resolution);
    return resolution;
  }

  function walk(link: SymbolicLink): Resolution {
    if (Buffer.byteLength(link.target) > MAX_TARGET_BYTES) {
      return { kind: "target-too-long" };
    }
    if (isUnusable(link.target)) return { kind: "outside", through: undefined };
    const names = link.target.split("/").filter((n) => n !== "" && n !== ".");
    // Leading '..' climb the link's own folders: real folders, since the
    // bundle writes the link below them.
    const folders = link.path.split("/").slice(0, -1);
    let at = 0;
    for (; names[at] === ".."; at++) {
      if (folders.pop() === undefined) {
        return { kind: "outside", through: undefined };
      }
    }
    let prefix = folders.join("/");
    let node: LinkNode = tree;
    for (const name of folders) node = node?.children.get(foldPath(name));
    let depth = folders.length;
    let length = prefix.length;
    let below: string[] = [];
    let followed = 0;
    let through: string | undefined;
    let counting = false;
    for (const name of names.slice(at)) {
      if (name === "..") {
        // From here on the depth is only counted, as if no later name were
        // a link: the link is refused either way, this says how.
        counting = true;
        if (--depth < 0) return { kind: "outside", through };
        continue;
      }
      depth++;
      if (counting) continue;
      below.push(name);
      length += name.length + 1;
      if (length > MAX_PATH_LENGTH) return { kind: "outside", through };
      node = node?.children.get(foldPath(name));
      const next = node?.entries[0];
      if (next === undefined) continue;
      const resolution = resolve(next);
      switch (resolution.kind) {
        case "inside":
          break;
        case "outside":
        case "target-too-long":
          return { kind: "outside", through: next.path };
        case "unresolved":
        case "unresolved-through":
          return { kind: "unresolved-through" };
        default:
          return resolution;
      }
      followed += 1 + resolution.followed;
      if (followed > MAX_LINKS_FOLLOWED) return { kind: "too-many-links" };
      ({ path: prefix, node, depth } = resolution);
      length = prefix.length;
      below = [];
      through = next.path;
    }
    if (counting) return { kind: "unresolved" };
    const path = [prefix, ...below].filter((p) => p !== "").join("/");
    return { kind: "inside", path, depth, node, followed };
  }

  const problems: string[] = [];
  for (const link of links) {
    const reason = describe(link, resolve(link));
    if (reason !== null) {
      problems.push(`changes.json: the symbolic link '${link.path}' ${reason}`);
    }
  }
  return problems;
}
