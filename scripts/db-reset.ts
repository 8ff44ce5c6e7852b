// `npm run db:reset`: deletes the embedded database; the next `npm run dev` starts over with demo data.
import fs from "node:fs";

if (process.env.DATABASE_URL) throw new Error("DATABASE_URL is set: db:reset only deletes the embedded database in data/pg.");
if (fs.existsSync("data/pg/postmaster.pid")) throw new Error("The embedded database is running: stop `npm run dev` first.");
fs.rmSync("data/pg", { recursive: true, force: true });
console.log("Deleted data/pg. Run `npm run dev` to start over.");
