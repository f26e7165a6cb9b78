/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  setupFiles: ["<rootDir>/test/setup-env.js"],
  // The CLI tests run the built CLI: build it from the current sources first.
  globalSetup: "<rootDir>/test/globalSetup.js",
  // CLI tests spawn the built CLI, a few hundred milliseconds each: 5 s is too tight for a test that
  // runs several on a busy 2-core machine.
  testTimeout: 30_000,
};
