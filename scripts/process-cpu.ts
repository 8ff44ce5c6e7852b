import fs from "node:fs";

/**
 * CPU milliseconds used so far by the machine's processes, grouped as "postgres", "next-server"
 * and "bench" (this process). Linux only (reads /proc); empty elsewhere. Exited processes drop out.
 */
export function cpuMsByProcess(): Map<string, number> {
  const out = new Map<string, number>();
  if (!fs.existsSync("/proc/self/stat")) return out;
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const key =
      pid === String(process.pid)
        ? "bench"
        : name.startsWith("postgres")
          ? "postgres"
          : name.startsWith("next-server")
            ? "next-server"
            : undefined;
    if (!key) continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
    out.set(key, (out.get(key) ?? 0) + ticks * 10);
  }
  return out;
}

/** Runs `work` and returns what it cost each process group, in CPU ms per unit of work. */
export async function cpuPer<T>(units: number, work: () => Promise<T>): Promise<{ result: T; perUnit: string }> {
  const before = cpuMsByProcess();
  const result = await work();
  const after = cpuMsByProcess();
  const perUnit = [...after].map(([k, ms]) => `${k} ${((ms - (before.get(k) ?? 0)) / units).toFixed(2)}`).join(", ");
  return { result, perUnit: perUnit ? `CPU ms each: ${perUnit}` : "CPU per process: not available here" };
}
