/**
 * Code points HFS+ ignores in a name, so that `.g\u200cit` is `.git` on a
 * Mac (the list git itself checks, in `is_hfs_dotgit`).
 */
export const IGNORED_BY_HFS =
  /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * A path as a case-insensitive file system sees it, to compare two paths:
 * without the code points HFS+ ignores, composed (macOS does not tell NFC
 * from NFD) and in lower case (neither do macOS and Windows tell cases).
 * Two paths with the same fold are one file in a checkout there.
 */
export function foldPath(path: string): string {
  return path.replace(IGNORED_BY_HFS, "").normalize("NFC").toLowerCase();
}
