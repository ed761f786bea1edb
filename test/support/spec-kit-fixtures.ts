import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cp } from "node:fs/promises";
import { join, relative, resolve } from "node:path";

/**
 * The real Spec Kit layouts (`specify init --integration …`) kept beside
 * the project in `../shared/fixtures/spec-kit/` (its README says what each
 * is): test data, read from there, never copied into the project.
 */
export const SPEC_KIT_FIXTURES = resolve(
  process.env.SPECWRIGHT_SPEC_KIT_FIXTURES ?? "../shared/fixtures/spec-kit",
);

export type SpecKitLayout =
  | "claude"
  | "codex"
  | "gemini"
  | "copilot"
  | "copilot-cmd"
  | "classic";

/** The folder of one layout; fails clearly when the fixtures are not there. */
export function specKitLayout(layout: SpecKitLayout): string {
  const dir = join(SPEC_KIT_FIXTURES, layout);
  if (!existsSync(dir)) {
    throw new Error(
      `the Spec Kit fixtures are not at ${SPEC_KIT_FIXTURES}: check out shared/ beside the project, or set SPECWRIGHT_SPEC_KIT_FIXTURES`,
    );
  }
  return dir;
}

/** Copies a layout into a checkout, writable (the fixtures are read-only). */
export async function installSpecKit(
  layout: SpecKitLayout,
  target: string,
): Promise<void> {
  await cp(specKitLayout(layout), target, { recursive: true, force: true });
  // The copies keep the fixtures' read-only modes; a checkout is writable.
  execFileSync("chmod", ["-R", "u+w,go+rX", target]);
}

/** Every file of a layout, by its path in a repository. */
export function specKitFiles(layout: SpecKitLayout): Record<string, string> {
  const root = specKitLayout(layout);
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path, "utf8");
    }
  };
  walk(root);
  return files;
}
