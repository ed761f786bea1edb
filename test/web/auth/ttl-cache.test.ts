import { describe, expect, it } from "vitest";
import { TtlCache } from "../../../src/web/auth/ttl-cache.js";

describe("the access cache", () => {
  it("keeps a value for its lifetime, sharing one load between callers", async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<string>(1000, 10, () => now);
    const load = async () => `value ${++loads}`;
    const [a, b] = await Promise.all([
      cache.remember("k", load),
      cache.remember("k", load),
    ]);
    expect([a, b, loads]).toEqual(["value 1", "value 1", 1]);
    now = 999;
    expect(await cache.remember("k", load)).toBe("value 1");
    now = 1000;
    expect(await cache.remember("k", load)).toBe("value 2");
  });

  it("forgets a failed load, and the oldest entry when full", async () => {
    const cache = new TtlCache<number>(1000, 2, () => 0);
    await expect(
      cache.remember("bad", () => Promise.reject(new Error("GitHub down"))),
    ).rejects.toThrow("GitHub down");
    expect(cache.peek("bad")).toBeUndefined();
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect(cache.peek("a")).toBeUndefined();
    expect(await cache.peek("c")).toBe(3);
  });
});
