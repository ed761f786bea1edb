/** A `format` template split into text and placeholder indexes. */
export type FormatParts = (string | number)[];

/**
 * Reads a `format('{0} and {1}', a, b)` template: `{N}` placeholders, with
 * `{{` and `}}` for literal braces. Returns the parts, or the problem.
 */
export function parseFormat(
  template: string,
): { parts: FormatParts } | { error: string } {
  const parts: FormatParts = [];
  let text = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if ((c === "{" || c === "}") && template[i + 1] === c) {
      text += c;
      i++;
    } else if (c === "{") {
      const close = template.indexOf("}", i);
      const digits = close === -1 ? "" : template.slice(i + 1, close);
      if (!/^\d+$/.test(digits)) {
        return {
          error: `format: invalid placeholder at position ${i} of '${template}'; use {0}, {1}, … or {{ and }} for braces`,
        };
      }
      if (text !== "") parts.push(text);
      text = "";
      parts.push(Number(digits));
      i = close;
    } else if (c === "}") {
      return {
        error: `format: unmatched '}' at position ${i} of '${template}'; use }} for a literal brace`,
      };
    } else {
      text += c;
    }
  }
  if (text !== "") parts.push(text);
  return { parts };
}

/** The problem with a placeholder that has no argument. */
export function missingArgument(index: number, given: number): string {
  return `format: placeholder {${index}} has no argument (${given} given)`;
}
