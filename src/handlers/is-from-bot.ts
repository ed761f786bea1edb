import type { Context } from "probot";

/**
 * Bots' comments, the App's own included, never run commands: their text
 * may quote a person's, and answering them could loop.
 */
export function isFromBot(context: Context<"issue_comment.created">): boolean {
  const { comment, sender } = context.payload;
  return (
    context.isBot ||
    sender.type === "Bot" ||
    comment.user?.type === "Bot" ||
    comment.performed_via_github_app != null ||
    (comment.user?.login ?? "").endsWith("[bot]")
  );
}
