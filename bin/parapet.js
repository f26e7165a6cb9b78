#!/usr/bin/env node
"use strict";
// Runs the bundled CLI (`npm run build` writes dist/: `npm ci` runs it in a checkout; the published
// package ships it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// `parapet lint . | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on("error", (err) => {
  if (err && err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
require("../dist/parapet.js")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
