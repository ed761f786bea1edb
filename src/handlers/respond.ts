import type { Context } from "probot";

type CommentContext = Context<"issue_comment.created">;

/** Replies on the issue or pull request the comment is on. */
export async function reply(
  context: CommentContext,
  body: string,
): Promise<void> {
  await context.octokit.rest.issues.createComment(context.issue({ body }));
}

/** Reacts to the comment: 👀 accepted, 😕 refused, 🚀 dispatched. */
export async function react(
  context: CommentContext,
  content: "eyes" | "confused" | "rocket",
): Promise<void> {
  await context.octokit.rest.reactions.createForIssueComment(
    context.repo({ comment_id: context.payload.comment.id, content }),
  );
}

/** A fence longer than any run of backticks in the text, for a code block. */
export function codeBlock(text: string): string {
  const longest = Math.max(
    2,
    ...[...text.matchAll(/`+/g)].map((m) => m[0].length),
  );
  const fence = "`".repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}
