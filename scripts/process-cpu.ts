import fs from "node:fs";

type Proc = { ppid: number; name: string; cpuMs: number };

function readProcs(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime + stime, and cutime + cstime: children it has reaped (PostgreSQL's backends, when
    // their connections close) still count. In 1/100 s.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    procs.set(Number(pid), { ppid: Number(fields[1]), name, cpuMs: ticks * 10 });
  }
  return procs;
}

/**
 * CPU milliseconds used so far by this process ("bench") and the processes it started, grouped by
 * `labels` (a started process's pid → its name; its children count as it) or else by name:
 * "postgres", "next-server", "other". Processes of others on the machine are left out. Linux only
 * (reads /proc); empty elsewhere. A process that exited counts in its parent, once reaped.
 */
export function cpuMsByProcess(labels: ReadonlyMap<number, string> = new Map()): Map<string, number> {
  const out = new Map<string, number>();
  if (!fs.existsSync("/proc/self/stat")) return out;
  const procs = readProcs();
  for (const [pid, proc] of procs) {
    let label: string | undefined;
    let ours = false;
    for (let at: number | undefined = pid; at && at > 1; at = procs.get(at)?.ppid) {
      label ??= labels.get(at);
      if (at === process.pid) {
        ours = true;
        break;
      }
    }
    if (!ours) continue;
    const key =
      label ??
      (pid === process.pid
        ? "bench"
        : proc.name.startsWith("postgres")
          ? "postgres"
          : proc.name.startsWith("next-server")
            ? "next-server"
            : "other");
    out.set(key, (out.get(key) ?? 0) + proc.cpuMs);
  }
  return out;
}

/** What each process group used between two readings of cpuMsByProcess. */
export function cpuSince(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([k, ms]) => [k, ms - (before.get(k) ?? 0)]));
}

/** Runs `work` and returns what it cost each process group, in CPU ms per unit of work (`each`), and as text. */
export async function cpuPer<T>(
  units: number,
  work: () => Promise<T>,
  labels?: ReadonlyMap<number, string>,
): Promise<{ result: T; perUnit: string; each: Map<string, number> }> {
  const before = cpuMsByProcess(labels);
  const result = await work();
  const each = new Map([...cpuSince(before, cpuMsByProcess(labels))].map(([k, ms]) => [k, ms / units]));
  const perUnit = [...each].map(([k, ms]) => `${k} ${ms.toFixed(2)}`).join(", ");
  return { result, perUnit: perUnit ? `CPU ms each: ${perUnit}` : "CPU per process: not available here", each };
}
