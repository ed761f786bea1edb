/**
 * A duration as people read it in a terminal: tenths of a second under a
 * minute (`42.1s`), minutes and seconds under an hour (`4m 2s`), then
 * hours and minutes (`1h 3m`). Zero parts after the first are left out.
 */
export function formatDuration(ms: number): string {
  const tenths = Math.round(Math.max(0, ms) / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  const [big, small, units] =
    seconds < 3600
      ? [Math.floor(seconds / 60), seconds % 60, ["m", "s"]]
      : [
          Math.floor(seconds / 3600),
          Math.floor((seconds % 3600) / 60),
          ["h", "m"],
        ];
  return small === 0
    ? `${big}${units[0]}`
    : `${big}${units[0]} ${small}${units[1]}`;
}
