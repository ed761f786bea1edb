import { Redis } from "ioredis";
import type {
  BucketCounts,
  PacingCharge,
  PacingLedger,
} from "../github/pacing/pacing-ledger.js";

/**
 * One take, atomic in Redis. KEYS: each charge's bucket keys, oldest to
 * current. ARGV: force (1/0), then per charge: limit, amount, number of
 * keys, and for how long its current bucket still counts (PEXPIRE, ms). Returns
 * 1, or 0 followed by every key's count (nothing is counted then).
 */
const TAKE = `
local force = ARGV[1] == '1'
local charges = {}
local counts = {}
local fits = true
local a, k = 2, 1
while a <= #ARGV do
  local limit, amount, n = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local sum = 0
  for i = k, k + n - 1 do
    local v = tonumber(redis.call('GET', KEYS[i]) or '0')
    counts[#counts + 1] = v
    sum = sum + v
  end
  if sum + amount > limit then fits = false end
  charges[#charges + 1] = { KEYS[k + n - 1], amount, ARGV[a + 3] }
  a, k = a + 4, k + n
end
if not fits and not force then
  table.insert(counts, 1, 0)
  return counts
end
for _, c in ipairs(charges) do
  redis.call('INCRBY', c[1], c[2])
  redis.call('PEXPIRE', c[1], c[3])
end
return { 1 }
`;

/** A bucket's key; one installation's keys share a hash slot (Redis Cluster). */
function key(installationId: number, budget: string, bucket: number): string {
  return `specwright:pacing:{${installationId}}:${budget}:${bucket}`;
}

/**
 * The pacer's counts in Redis (`REDIS_URL`), shared by every replica: one
 * key per installation, budget and bucket, expiring when no longer counted.
 */
export function redisPacingLedger(
  redisUrl: string,
  options: { connectionName?: string; now?: () => Date } = {},
): PacingLedger {
  const now = options.now ?? (() => new Date());
  const redis = new Redis(redisUrl, {
    connectionName: options.connectionName ?? "specwright-pacing",
  });
  return {
    async take(installationId, charges, takeOptions = {}) {
      const keys: string[] = [];
      const args: (string | number)[] = [takeOptions.force ? 1 : 0];
      for (const charge of charges) {
        for (let b = charge.oldest; b <= charge.bucket; b++)
          keys.push(key(installationId, charge.budget, b));
        args.push(
          charge.limit,
          charge.amount,
          charge.bucket - charge.oldest + 1,
          // Relative, so that Redis's clock does not matter.
          Math.max(1, charge.countedUntil - now().getTime()),
        );
      }
      const reply = (await redis.eval(
        TAKE,
        keys.length,
        ...keys,
        ...args,
      )) as number[];
      if (reply[0] === 1) return { taken: true };
      return { taken: false, counts: split(charges, reply.slice(1)) };
    },
    async close() {
      await redis.quit();
    },
  };
}

function split(charges: readonly PacingCharge[], flat: number[]): BucketCounts {
  const counts: BucketCounts = {};
  let at = 0;
  for (const charge of charges) {
    const n = charge.bucket - charge.oldest + 1;
    counts[charge.budget] = flat.slice(at, at + n);
    at += n;
  }
  return counts;
}
