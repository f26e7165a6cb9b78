#!/usr/bin/env node
"use strict";
// Runs the compiled CLI (`npm run build`, done by `npm ci` through the `prepare` script).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// `parapet lint . | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on("error", (err) => {
  if (err && err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = require("../dist/src/cli/main.js");
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`parapet: internal error: ${(err && err.stack) || String(err)}\n`);
    process.exitCode = 70;
  },
);
