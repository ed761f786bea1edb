import type { Context } from "probot";
import { errorMessage } from "../github/github-errors.js";

type CommentContext = Context<"issue_comment.created">;

/** Replies on the issue or pull request the comment is on. */
export async function reply(
  context: CommentContext,
  body: string,
): Promise<void> {
  await context.octokit.rest.issues.createComment(context.issue({ body }));
}

/**
 * Reacts to the comment: 👀 accepted, 😕 refused, 🚀 dispatched. A reaction
 * is a courtesy: one GitHub refuses is logged, and the command goes on (the
 * tracking comment and the replies say what happened).
 */
export async function react(
  context: CommentContext,
  content: "eyes" | "confused" | "rocket",
): Promise<void> {
  try {
    await context.octokit.rest.reactions.createForIssueComment(
      context.repo({ comment_id: context.payload.comment.id, content }),
    );
  } catch (error) {
    context.log.warn(
      `specwright: could not react ${content} to comment ${context.payload.comment.id}: ${errorMessage(error)}`,
    );
  }
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
