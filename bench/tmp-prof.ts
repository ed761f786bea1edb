import cp from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
const orig = cp.spawn;
const log: [string, number][] = [];
(cp as any).spawn = (file: string, args: string[], opts: any) => {
  const t = performance.now();
  const child = orig(file, args, opts);
  child.on("close", () => log.push([`${file} ${args.filter(a=>!a.startsWith("core.")&&a!=="-c").slice(0,3).join(" ")}`, performance.now() - t]));
  return child;
};
syncBuiltinESMExports();
const { measureLocalOverhead } = await import("./local-run.js");
await measureLocalOverhead();
const agg = new Map<string, [number, number]>();
for (const [k, v] of log) { const a = agg.get(k) ?? [0, 0]; a[0]++; a[1] += v; agg.set(k, a); }
for (const [k, [n, t]] of [...agg].sort((a, b) => b[1][1] - a[1][1]).slice(0, 30)) console.log(n, t.toFixed(0), (t/n).toFixed(1), k);
