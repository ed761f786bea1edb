import picomatch from "picomatch";
import { foldPath } from "./fold-path.js";

const CONFIG = "protected_paths in .github/specwright.yml";

/**
 * Why `protected_paths` forbids changing a path, or undefined: the path
 * matches a glob in any case (a Mac or Windows checkout writes
 * `.GITHUB/Workflows/x.yml` into `.github/workflows`), or it is a glob's
 * fixed folder or above it (`.github/workflows` for `.github/workflows/*.yml`,
 * `.github`), where writing a file or deleting would take the protected
 * paths with it.
 */
export function matchProtectedPaths(
  globs: readonly string[],
): (path: string) => string | undefined {
  if (globs.length === 0) return () => undefined;
  const matches = picomatch(globs as string[], { dot: true, nocase: true });
  const folders = globs.flatMap((glob) => {
    const { base, negated } = picomatch.scan(glob);
    return negated || base === "" ? [] : [{ glob, base: foldPath(base) }];
  });
  return (path) => {
    if (matches(path) || matches(foldPath(path))) {
      return `is a protected path (${CONFIG})`;
    }
    const fold = `${foldPath(path)}/`;
    const above = folders.find(({ base }) => `${base}/`.startsWith(fold));
    return above === undefined
      ? undefined
      : `holds the protected '${above.glob}' (${CONFIG}): writing or deleting it would take them with it`;
  };
}
