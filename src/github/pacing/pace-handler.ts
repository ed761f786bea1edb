/** What a webhook handler's context has that pacing needs. */
interface HandlerContext {
  octokit: object;
  payload: object;
}

function installationOf(payload: object): number | undefined {
  const installation = (payload as { installation?: { id?: unknown } })
    .installation;
  return typeof installation?.id === "number" ? installation.id : undefined;
}

/**
 * Wraps webhook handlers so that their installation client is paced (see
 * pace-octokit.ts, mode `handler`) before they run; with no pacing, the
 * handlers as they are.
 */
export function pacedHandlers(
  pace: ((octokit: object, installationId: number) => void) | undefined,
) {
  return <C extends HandlerContext>(handler: (context: C) => Promise<void>) =>
    (context: C): Promise<void> => {
      const installationId = installationOf(context.payload);
      if (pace && installationId !== undefined)
        pace(context.octokit, installationId);
      return handler(context);
    };
}
