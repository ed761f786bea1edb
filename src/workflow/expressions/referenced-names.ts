import type { Expression } from "./ast.js";

/** The top-level names (namespaces) an expression reads. */
export function referencedNames(
  expression: Expression,
  into = new Set<string>(),
): Set<string> {
  switch (expression.kind) {
    case "name":
      into.add(expression.name);
      break;
    case "member":
    case "wildcard":
      referencedNames(expression.object, into);
      break;
    case "index":
      referencedNames(expression.object, into);
      referencedNames(expression.index, into);
      break;
    case "call":
      for (const arg of expression.args) referencedNames(arg, into);
      break;
    case "not":
      referencedNames(expression.operand, into);
      break;
    case "binary":
    case "logical":
      referencedNames(expression.left, into);
      referencedNames(expression.right, into);
      break;
    case "conditional":
      referencedNames(expression.test, into);
      referencedNames(expression.consequent, into);
      referencedNames(expression.alternate, into);
      break;
    case "literal":
      break;
  }
  return into;
}
