// `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`: where a CPU
// profile's busy time went, by package (or the App's own folder) and by
// function, as a share of the time not idle. For the profiles
// `SPECWRIGHT_APP_CPU_PROF=<dir> npm run bench:e2e` writes.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write(
    "usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]\n",
  );
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

// Self time per node, from the samples and the time between them.
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

/** Where a frame's code lives: a package, the App's folder, or V8's own. */
function placeOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === "") return `(${functionName || "native"})`;
  const packages = url.split("/node_modules/");
  if (packages.length > 1) {
    const rest = packages[packages.length - 1] ?? "";
    const parts = rest.split("/");
    return parts[0]?.startsWith("@")
      ? `${parts[0]}/${parts[1]}`
      : (parts[0] ?? rest);
  }
  const own = url.match(/\/(src|test|bench)\/([^/]+)\//);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith("node:")) return "node";
  return url;
}

const byPlace = new Map<string, number>();
const byFunction = new Map<string, number>();
let busy = 0;
let idle = 0;
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  if (node.callFrame.functionName === "(idle)") {
    idle += us;
    continue;
  }
  busy += us;
  const place = placeOf(node);
  byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  const file = node.callFrame.url.split("/").slice(-2).join("/");
  const name = `${node.callFrame.functionName || "(anonymous)"} ${file}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}

function print(title: string, table: Map<string, number>): void {
  process.stdout.write(`\n${title}\n`);
  const rows = [...table].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, us] of rows) {
    const share = ((100 * us) / busy).toFixed(1).padStart(5);
    const ms = (us / 1000).toFixed(0).padStart(7);
    process.stdout.write(`${share} % ${ms} ms  ${name}\n`);
  }
}

process.stdout.write(
  `busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s\n`,
);
print("by place (self time)", byPlace);
print("by function (self time)", byFunction);
