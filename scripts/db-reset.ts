// `npm run db:reset`: deletes the embedded database; the next `npm run dev` starts over with demo data.
import fs from "node:fs";
import path from "node:path";
import { clusterDir, lockHolder } from "@/lib/db/embedded-postgres";
import { exitOnSetupError, SetupError } from "@/lib/setup/errors";
import { isRoot } from "@/lib/setup/postgres-as-root";

function reset() {
  if (process.env.DATABASE_URL)
    throw new SetupError(
      "DATABASE_URL is set: `npm run db:reset` only deletes the embedded database.",
      "Unset DATABASE_URL to reset the embedded one; drop or recreate your own database yourself.",
    );
  const dir = clusterDir("data/pg");
  const pid = lockHolder(dir);
  if (pid)
    throw new SetupError(
      `The embedded database in ${dir} is running (process ${pid}).`,
      "Stop `npm run dev` first, then run `npm run db:reset` again.",
    );
  // As root the cluster's folder also holds a note of the checkout it belongs to.
  fs.rmSync(isRoot() ? path.dirname(dir) : dir, { recursive: true, force: true });
  console.log(`Deleted ${dir}. Run \`npm run dev\` to start over.`);
}

try {
  reset();
} catch (error) {
  exitOnSetupError(error);
}
