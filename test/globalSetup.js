"use strict";
const { execFileSync } = require("node:child_process");
const path = require("node:path");

/**
 * Builds what ships (dist/) from the current sources before any test runs, so the CLI tests, which
 * spawn bin/parapet.js, always test this checkout's code and never a stale build.
 */
module.exports = function buildBeforeTests() {
  execFileSync(process.execPath, [path.join(__dirname, "..", "scripts", "build.js"), "--quiet", "--if-changed"], { stdio: "inherit" });
};
