// The `specwright` executable run from source (tsx), for tests that need
// a real process: signals, a second process, exit codes.
import { main } from "../../src/cli/main.js";

await main(process.argv.slice(2));
