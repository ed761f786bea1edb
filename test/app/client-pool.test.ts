import { describe, expect, it, vi } from "vitest";
import { ClientPool } from "../../src/app/client-pool.js";
import type { Octokit } from "../../src/github/octokit.js";

/** Stand-ins for installation clients: the pool only hands them around. */
function pool(
  options: { idlePerInstallation?: number; installations?: number } = {},
) {
  let made = 0;
  const make = vi.fn(
    async (installationId: number) =>
      ({ installationId, n: ++made }) as unknown as Octokit,
  );
  const reuse = vi.fn();
  return { clients: new ClientPool({ make, reuse, ...options }), make, reuse };
}

describe("the installation client pool", () => {
  it("hands a client back to the next effect of its installation, readied for it, and makes one for another", async () => {
    const { clients, make, reuse } = pool();
    const first = await clients.acquire(1);
    clients.release(1, first);

    const again = await clients.acquire(1);
    const other = await clients.acquire(2);

    expect(again).toBe(first);
    expect(reuse).toHaveBeenCalledExactlyOnceWith(first);
    expect(other).not.toBe(first);
    expect(make.mock.calls).toEqual([[1], [2]]);
  });

  it("hands one client to one effect at a time", async () => {
    const { clients, make } = pool();
    const a = await clients.acquire(1);
    const b = await clients.acquire(1);

    expect(b).not.toBe(a);
    expect(make).toHaveBeenCalledTimes(2);
    clients.release(1, a);
    clients.release(1, b);
    expect(clients.size).toBe(2);
  });

  it("keeps a bounded number of idle clients, per installation and of installations, the least recent going first", async () => {
    const { clients, make } = pool({
      idlePerInstallation: 1,
      installations: 2,
    });
    const [a, b] = [await clients.acquire(1), await clients.acquire(1)];
    clients.release(1, a);
    clients.release(1, b);
    expect(clients.size).toBe(1);

    clients.release(2, await clients.acquire(2));
    clients.release(3, await clients.acquire(3));
    expect(clients.size).toBe(2);

    make.mockClear();
    await clients.acquire(1);
    await clients.acquire(3);
    // Installation 1's client went when a third installation came.
    expect(make.mock.calls).toEqual([[1]]);
  });
});
