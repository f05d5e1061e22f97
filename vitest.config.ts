import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup-audit.ts"],
    // Long statistical runs are CPU-bound; two workers match the 2-core machines we run on.
    maxWorkers: 2,
    testTimeout: 120_000,
  },
});
