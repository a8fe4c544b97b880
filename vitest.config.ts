import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two cores: the e2e and Kafka files start servers and a browser of their own.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // A poll waits for something that must happen eventually; one second (vitest's default) is
    // too short on a busy 2-core machine, where a flush or a browser frame can wait that long.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default'],
  },
});
