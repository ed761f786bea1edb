import { ExpressionError } from "../../src/workflow/expressions/expression-error.js";

/** The ExpressionError `run` throws; fails if it throws nothing or another error. */
export function thrown(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error("expected an ExpressionError, but nothing was thrown");
}
