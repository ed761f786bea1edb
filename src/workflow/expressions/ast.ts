/** A parsed `${{ }}` expression. Offsets are into the expression's source. */
export type Expression =
  | Literal
  | Name
  | Member
  | Index
  | Wildcard
  | Call
  | Not
  | Binary
  | Logical
  | Conditional;

interface Span {
  start: number;
  end: number;
}

export type LiteralValue = string | number | boolean | null;

export interface Literal extends Span {
  kind: "literal";
  value: LiteralValue;
}

/** A top-level name: a namespace such as `parameters` or `stages`. */
export interface Name extends Span {
  kind: "name";
  name: string;
}

/** `object.property` */
export interface Member extends Span {
  kind: "member";
  object: Expression;
  property: string;
  propertyStart: number;
}

/** `object[index]` */
export interface Index extends Span {
  kind: "index";
  object: Expression;
  index: Expression;
}

/** `object.*`: an array's elements, or an object's values. */
export interface Wildcard extends Span {
  kind: "wildcard";
  object: Expression;
}

export interface Call extends Span {
  kind: "call";
  name: string;
  nameEnd: number;
  args: Expression[];
}

export interface Not extends Span {
  kind: "not";
  operand: Expression;
}

export type ComparisonOperator = "==" | "!=" | "<" | "<=" | ">" | ">=";

export interface Binary extends Span {
  kind: "binary";
  operator: ComparisonOperator;
  left: Expression;
  right: Expression;
}

export interface Logical extends Span {
  kind: "logical";
  operator: "&&" | "||";
  left: Expression;
  right: Expression;
}

/** `test ? consequent : alternate` */
export interface Conditional extends Span {
  kind: "conditional";
  test: Expression;
  consequent: Expression;
  alternate: Expression;
}
