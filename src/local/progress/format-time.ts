function two(n: number): string {
  return String(n).padStart(2, "0");
}

/** A recorded time as the local clock showed it: `HH:MM:SS`. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** A recorded time in local time: `YYYY-MM-DD HH:MM`, with `:SS` if asked. */
export function formatDateTime(iso: string, seconds = false): string {
  const date = new Date(iso);
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  const time = seconds
    ? formatClock(iso)
    : `${two(date.getHours())}:${two(date.getMinutes())}`;
  return `${day} ${time}`;
}
