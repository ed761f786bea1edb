import type { Dependencies } from "../app/dependencies.js";

/**
 * Whether to answer a person refused for lack of permission: once per
 * issue or pull request. Anyone can comment on a public repository, and a
 * reply to every command a reader types would let them make the App write
 * comments at will (noise, and the installation's rate limit). The first
 * refusal is remembered in the store, as a delivery only this one can be.
 */
export async function shouldAnswerRefusal(
  deps: Pick<Dependencies, "store">,
  where: { repositoryId: number; number: number; login: string },
): Promise<boolean> {
  const key = `refusal:${where.repositoryId}#${where.number}:${where.login.toLowerCase()}`;
  return deps.store.recordDelivery(key, "refusal");
}

/** What the one answer adds, so the silence after it is not a surprise. */
export const REFUSED_ONCE_NOTE =
  "Specwright does not answer your commands here again.";
