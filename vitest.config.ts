import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/hostile/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "servers",
          include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts", "test/faults/**/*.test.ts"],
          // These start Dovecot, HTTP and SMTP servers and child processes: one file at a time
          // keeps them from competing for the CPU and turning timeouts into flaky failures.
          fileParallelism: false,
        },
      },
    ],
  },
});
