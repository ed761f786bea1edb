// @ts-check
// Builds elements from data. Text always goes in as text nodes: nothing
// from the API (features, errors, logs) is ever parsed as HTML.

/**
 * @typedef {string | number | boolean | null | undefined} AttrValue
 * @typedef {Node | string | null | undefined | false} Child
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * @param {Element} el
 * @param {Record<string, AttrValue>} attrs
 * @param {Child[]} children
 */
function fill(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(
      typeof child === "string" ? document.createTextNode(child) : child,
    );
  }
}

/**
 * An HTML element with attributes and children (strings become text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  fill(el, attrs, children);
  return el;
}

/**
 * An SVG element, the same way.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...Child} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  fill(el, attrs, children);
  return el;
}

/**
 * A link's address if it is a web address; null for anything else (a
 * `javascript:` URL from the API must never become a link).
 * @param {string | null | undefined} url
 * @returns {string | null}
 */
export function safeHref(url) {
  if (!url) return null;
  try {
    const parsed = new URL(url, window.location.origin);
    return parsed.protocol === "https:" || parsed.protocol === "http:"
      ? parsed.href
      : null;
  } catch {
    return null;
  }
}

/**
 * Replaces a container's content, keeping keyboard focus on the element
 * with the same `data-focus-key` (and a text field's caret), so a refresh
 * under way does not throw the person out of what they were doing.
 * @param {Element} container
 * @param {...Child} children
 */
export function replaceKeepingFocus(container, ...children) {
  const active = document.activeElement;
  const key =
    active instanceof HTMLElement || active instanceof SVGElement
      ? active.dataset.focusKey
      : undefined;
  const field =
    active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement
      ? { start: active.selectionStart, end: active.selectionEnd }
      : undefined;
  const inside = key !== undefined && container.contains(active);
  container.replaceChildren();
  fill(container, {}, children);
  if (!inside) return;
  const again = container.querySelector(
    `[data-focus-key="${CSS.escape(key)}"]`,
  );
  if (!(again instanceof HTMLElement || again instanceof SVGElement)) return;
  again.focus();
  if (
    field &&
    (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)
  ) {
    again.setSelectionRange(field.start, field.end);
  }
}
