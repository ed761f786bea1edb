/** Caps on what a bundle may hold; the App refuses anything bigger. */
export const BUNDLE_LIMITS = {
  /** The zip as downloaded. */
  archiveBytes: 100 * 1024 * 1024,
  /** Everything, uncompressed. */
  totalBytes: 100 * 1024 * 1024,
  /** One changed file's content, decoded. */
  fileBytes: 10 * 1024 * 1024,
  /** Changed paths. */
  files: 2_000,
  /** Zip entries. */
  entries: 50,
};
