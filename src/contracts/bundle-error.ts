/** A bundle the App will not trust, with every reason. */
export class BundleError extends Error {
  override name = "BundleError";
  constructor(readonly problems: string[]) {
    super(`specwright: the result bundle was refused: ${problems.join("; ")}`);
  }
}
