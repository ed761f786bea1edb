// @ts-check
// A definition list of facts, leaving out the ones with no value.

import { h } from "./dom.js";

/**
 * @param {[string, Node | string | null | undefined | false][]} rows
 * @param {string} [className]
 */
export function renderFacts(rows, className = "facts") {
  return h(
    "dl",
    { class: className },
    ...rows.flatMap(([term, value]) =>
      value === null || value === undefined || value === false || value === ""
        ? []
        : [h("div", {}, h("dt", {}, term), h("dd", {}, value))],
    ),
  );
}
