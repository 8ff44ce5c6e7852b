// Runs before `npm install` finishes, `npm run dev` and `npm test` (see package.json): plain
// CommonJS with nothing newer than Node 10 can parse, because its job is to speak up when Node is
// too old for everything else.
// Usage: node scripts/setup-preflight.cjs [test]
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose, see above */
const fs = require("fs");
const path = require("path");

function fail(problem, fix) {
  console.error(problem + "\n" + fix);
  process.exit(1);
}

// engines.node as ">=X.Y.Z"; any other form of range is left to npm.
const range = (JSON.parse(fs.readFileSync(path.join(process.cwd(), "package.json"), "utf8")).engines || {}).node || "";
const wanted = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
if (wanted) {
  const have = process.versions.node.split(".").map(Number);
  const need = wanted.slice(1).map((n) => Number(n || 0));
  const older = need.map((n, i) => have[i] - n).find((d) => d !== 0) < 0;
  if (older)
    fail(
      "Coach Call needs Node.js " + range + " (package.json engines); this is Node.js " + process.version + ".",
      "Install Node.js " +
        need.join(".") +
        " or newer (https://nodejs.org/en/download), then run `npm install` and the command again.",
    );
}

if (process.argv[2] === "test") {
  const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (!fs.existsSync(chromium))
    fail(
      "`npm test` needs Chromium at " + chromium + " for the browser tests (Playwright cannot download its own here).",
      "Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium), then run `npm test` again.",
    );
}
