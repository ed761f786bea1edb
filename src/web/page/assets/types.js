// @ts-check
// The API's shapes, taken from the server's zod schemas so the page and
// the server cannot drift apart. Types only: nothing imports this at run
// time.

/** @typedef {typeof import("../../api/schemas.js")} Schemas */
/** @typedef {import("zod").infer<Schemas["SessionView"]>} SessionView */
/** @typedef {import("../../api/schemas.js").RunSummary} RunSummary */
/** @typedef {import("../../api/schemas.js").RunPage} RunPage */
/** @typedef {import("../../api/schemas.js").RunDetail} RunDetail */
/** @typedef {import("../../api/schemas.js").StageView} StageView */
/** @typedef {import("../../api/schemas.js").AttemptView} AttemptView */
/** @typedef {import("../../api/schemas.js").UsageTotals} UsageTotals */
/** @typedef {import("zod").infer<Schemas["ControlResult"]>} ControlResult */
/** @typedef {RunSummary["status"]} RunStatus */
/** @typedef {StageView["status"]} StageStatus */
/** @typedef {AttemptView["artifacts"][number]} ArtifactView */

/**
 * Settings a test may put on `window.specwrightSettings` before the page
 * loads (none are needed in use).
 * @typedef {{ pollMs?: number }} PageSettings
 */

export {};
