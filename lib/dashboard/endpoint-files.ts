import fs from "node:fs";
import path from "node:path";

const segmentsToPath = (dir: string) =>
  "/" +
  dir
    .split(path.sep)
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .join("/");

function filesUnder(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f));
}

/**
 * The routes the filesystem defines under app/dashboard and app/api/dashboard (route groups dropped),
 * and every file there that declares server actions, at the top or inline.
 */
export function dashboardRoutesOnDisk(root = process.cwd()) {
  const pages = filesUnder(root, path.join("app", "dashboard"))
    .filter((f) => path.basename(f) === "page.tsx")
    .map((f) => segmentsToPath(path.dirname(path.relative("app", f))));
  const apiRoutes = filesUnder(root, path.join("app", "api", "dashboard"))
    .filter((f) => path.basename(f) === "route.ts")
    .map((f) => segmentsToPath(path.dirname(path.relative("app", f))));
  const actionFiles = [
    ...filesUnder(root, path.join("app", "dashboard")),
    ...filesUnder(root, path.join("app", "api", "dashboard")),
  ]
    .filter((f) => /\.(ts|tsx)$/.test(f) && /["']use server["']/.test(fs.readFileSync(path.join(root, f), "utf8")))
    .map((f) => f.split(path.sep).join("/"));
  return { pages: pages.sort(), apiRoutes: apiRoutes.sort(), actionFiles: actionFiles.sort() };
}
