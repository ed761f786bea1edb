// Loaded into the App only when it is profiled (SPECWRIGHT_APP_CPU_PROF):
// Node writes a `--cpu-prof` profile on a normal exit, not when a signal
// ends the process, so SIGTERM becomes one.
process.on("SIGTERM", () => process.exit(0));
