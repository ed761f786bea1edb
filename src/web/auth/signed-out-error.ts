/**
 * GitHub answered 401 to the person's token: it expired or was revoked.
 * Their session is over; the caller answers 401 and the page signs in again.
 */
export class SignedOutError extends Error {
  readonly status = 401;

  constructor() {
    super(
      "specwright: GitHub no longer accepts this sign-in (the token expired or was revoked); sign in again.",
    );
    this.name = "SignedOutError";
  }
}
