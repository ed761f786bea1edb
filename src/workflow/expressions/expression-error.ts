/**
 * The only error the expression parser, checker and evaluator throw. `start`
 * and `end` are character offsets into the expression's source text.
 */
export class ExpressionError extends Error {
  override name = "ExpressionError";
  constructor(
    message: string,
    readonly start: number,
    readonly end: number = start,
  ) {
    super(message);
  }
}
