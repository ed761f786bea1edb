import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate` writes a migration for schema changes into
// migrations/; the App applies them at start (src/store/open-store.ts).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/schema.ts",
  out: "./migrations",
});
