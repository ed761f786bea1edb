/**
 * Escape sequences a terminal would act on: CSI (colours, cursor moves,
 * clearing the screen), OSC (window titles, hyperlinks, clipboard writes),
 * DCS/SOS/PM/APC strings, and two-character ESC commands (a full reset);
 * each in its 7-bit (ESC …) and 8-bit (C1) form. Unterminated strings run
 * to the end of the text, as a terminal would swallow them.
 * https://invisible-island.net/xterm/ctlseqs/ctlseqs.html
 */
const ESC = "\u001b";
const BEL = "\u0007";
/** The 8-bit forms: CSI, ST, and the string openers DCS, SOS, OSC, PM, APC. */
const C1_CSI = "\u009b";
const C1_ST = "\u009c";
const C1_STRINGS = "\u0090\u0098\u009d\u009e\u009f";
const SEQUENCES = new RegExp(
  [
    `(?:${ESC}\\[|${C1_CSI})[0-?]*[ -/]*[@-~]?`,
    `(?:${ESC}[\\]PX^_]|[${C1_STRINGS}])[^${BEL}${ESC}${C1_ST}]*(?:${BEL}|${ESC}\\\\|${C1_ST})?`,
    `${ESC}[ -/]*[0-~]?`,
  ].join("|"),
  "g",
);

/** C0 and C1 controls and DEL, but for the line break (kept or not by the caller). */
const CONTROLS = /(?!\n)\p{Cc}/gu;

/** Bidirectional overrides and isolates, which reorder what a line shows. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Untrusted text (the feature request, agents' errors and output) made
 * safe to print to a terminal: no escape sequence or control character
 * that could recolour, move the cursor, clear the screen, set the window
 * title or write the clipboard. A tab becomes a space; `multiline` keeps
 * line breaks, otherwise each run of them becomes one space.
 */
export function terminalSafe(
  text: string,
  options: { multiline: boolean } = { multiline: false },
): string {
  const bare = text
    .replace(SEQUENCES, "")
    .replace(/\r\n?|[\u2028\u2029]/g, "\n")
    .replace(/\t/g, " ")
    .replace(CONTROLS, "")
    .replace(BIDI, "");
  return options.multiline ? bare : bare.replace(/\s*\n[\s\n]*/g, " ");
}
