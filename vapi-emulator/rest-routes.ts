import type { JsonObject } from "./assistant";
import type { Emulator } from "./emulator";
import { HttpError, readJsonBody, sendJson } from "./http";
import { enforceRestrictions, identifyCaller, requirePrivateKey } from "./keys";
import type { Route } from "./router";
import { parseWebCallBody } from "./validate-web-call";

/** Vapi's REST API, as much as a web-call app uses (§4.1, §6.4). */
export function restRoutes(emulator: Emulator): Route[] {
  const { config } = emulator;
  return [
    {
      method: "POST",
      path: "/call/web",
      async handle({ req, res }) {
        const caller = await identifyCaller(req, config);
        const body = parseWebCallBody(await readJsonBody(req));
        enforceRestrictions(caller, req.headers.origin, {
          assistantId: body.assistantId,
          transientAssistant: body.assistant !== undefined,
        });
        const { response } = emulator.createWebCall(body);
        sendJson(res, 201, response);
      },
    },
    {
      method: "GET",
      path: "/call/:id",
      async handle({ req, res, params }) {
        await requirePrivateKey(req, config);
        sendJson(res, 200, emulator.require(params.id).record());
      },
    },
    {
      method: "GET",
      path: "/call",
      async handle({ req, res, query }) {
        await requirePrivateKey(req, config);
        const limit = clampLimit(query.get("limit"), 100);
        sendJson(res, 200, filteredCalls(emulator, query).slice(0, limit));
      },
    },
    {
      method: "GET",
      path: "/v2/call",
      async handle({ req, res, query }) {
        await requirePrivateKey(req, config);
        const all = filteredCalls(emulator, query);
        if (query.get("sortOrder") === "ASC") all.reverse();
        const itemsPerPage = clampLimit(query.get("limit"), 100);
        const currentPage = Math.max(1, Number(query.get("page") ?? 1) || 1);
        const results = all.slice((currentPage - 1) * itemsPerPage, currentPage * itemsPerPage);
        const totalPages = Math.max(1, Math.ceil(all.length / itemsPerPage));
        sendJson(res, 200, {
          results,
          metadata: {
            itemsPerPage,
            totalItems: all.length,
            currentPage,
            totalPages,
            hasNextPage: currentPage < totalPages,
            sortOrder: query.get("sortOrder") === "ASC" ? "ASC" : "DESC",
          },
        });
      },
    },
  ];
}

const DATE_FILTERS: [string, (value: number, bound: number) => boolean][] = [
  ["Gt", (value, bound) => value > bound],
  ["Lt", (value, bound) => value < bound],
  ["Ge", (value, bound) => value >= bound],
  ["Le", (value, bound) => value <= bound],
];

/** Newest first, filtered by id, assistantId and createdAt / updatedAt bounds. */
function filteredCalls(emulator: Emulator, query: URLSearchParams): JsonObject[] {
  const records = [...emulator.calls.values()].reverse().map((session) => session.record());
  return records
    .filter((record) => !query.get("id") || record.id === query.get("id"))
    .filter((record) => !query.get("assistantId") || record.assistantId === query.get("assistantId"))
    .filter((record) =>
      ["createdAt", "updatedAt"].every((field) =>
        DATE_FILTERS.every(([suffix, compare]) => {
          const raw = query.get(`${field}${suffix}`);
          if (!raw) return true;
          const bound = Date.parse(raw);
          if (Number.isNaN(bound)) throw new HttpError(400, [`${field}${suffix} must be a valid ISO 8601 date string`]);
          return compare(Date.parse(String(record[field])), bound);
        }),
      ),
    );
}

function clampLimit(raw: string | null, fallback: number): number {
  if (raw === null) return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 0 || limit > 1000)
    throw new HttpError(400, ["limit must not be greater than 1000"]);
  return limit;
}
