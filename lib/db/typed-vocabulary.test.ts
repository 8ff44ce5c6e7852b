// The migration that turned Alert.kind, Call.flag, WebhookEvent.outcome and AuditLog.action into
// enums (and ADJUST into DEDUCT) must carry the rows written before it, and the types must refuse
// a word nobody writes. The one after it gives tampered calls' alerts the seconds they ran.
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Db } from "@/lib/db/client";

const MIGRATIONS = path.join(process.cwd(), "prisma", "migrations");
const VOCABULARY = "20261130060000_typed_vocabulary";
const ALERT_SECONDS = "20261130061000_tampered_alert_seconds";

/** A database migrated up to (not including) `migration`, by running the SQL files in order. */
async function databaseBefore(migration: string): Promise<pg.Client> {
  const admin = new URL(inject("templateDatabaseUrl"));
  const name = `coach_vocab_${randomUUID().replace(/-/g, "")}`;
  admin.pathname = "/postgres";
  const server = new pg.Client({ connectionString: admin.toString() });
  await server.connect();
  await server.query(`CREATE DATABASE "${name}"`);
  afterAll(async () => {
    await server.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await server.end();
  });
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  afterAll(() => client.end());
  for (const folder of fs
    .readdirSync(MIGRATIONS)
    .filter((f) => /^\d/.test(f))
    .sort()) {
    if (folder >= migration) break;
    await client.query(fs.readFileSync(path.join(MIGRATIONS, folder, "migration.sql"), "utf8"));
  }
  return client;
}

const sqlOf = (migration: string) => fs.readFileSync(path.join(MIGRATIONS, migration, "migration.sql"), "utf8");
const vocabularySql = () => sqlOf(VOCABULARY);
const databaseBeforeVocabulary = () => databaseBefore(VOCABULARY);

describe("the typed-vocabulary migration", () => {
  it("converts the words earlier versions wrote, the never-written 'tamper' alert included", async () => {
    const db = await databaseBeforeVocabulary();
    await db.query(`INSERT INTO "User" ("id", "email", "passwordHash") VALUES ('u1', 'a@example.com', 'x')`);
    await db.query(`INSERT INTO "LedgerEntry" ("userId", "kind", "availableDelta", "heldDelta", "actor", "idempotencyKey")
                    VALUES ('u1', 'GRANT', 10, 0, 'system', 'g'), ('u1', 'ADJUST', -3, 0, 'operator:o', 'd')`);
    await db.query(`INSERT INTO "Call" ("id", "vapiCallId", "status", "flag", "updatedAt") VALUES
                    ('c1', 'v1', 'UNAUTHORIZED', 'missing-token', now()), ('c2', 'v2', 'SETTLED', 'tamper', now()),
                    ('c3', 'v3', 'SETTLED', 'raised-max-duration', now()), ('c4', 'v4', 'SETTLED', NULL, now())`);
    await db.query(
      `INSERT INTO "WebhookEvent" ("dedupeKey", "type", "outcome", "payload") VALUES ('a', 't', 'accepted', '{}'), ('b', 't', 'invalid', '{}')`,
    );
    await db.query(
      `INSERT INTO "Alert" ("id", "kind", "message") VALUES ('a1', 'unauthorized-call', 'm'), ('a2', 'tampered-call', 'm'), ('a3', 'tamper', 'm'), ('a4', 'unseen-call', 'm')`,
    );
    await db.query(
      `INSERT INTO "AuditLog" ("id", "actorId", "action") VALUES ('l1', 'o', 'credits.deduct'), ('l2', 'o', 'credit-request.approve'), ('l3', 'o', 'call.end')`,
    );

    await db.query(vocabularySql());

    const column = async (sql: string) => (await db.query(sql)).rows.map((r) => r.v);
    expect(await column(`SELECT "kind"::text AS v FROM "LedgerEntry" ORDER BY "id"`)).toEqual(["GRANT", "DEDUCT"]);
    expect(await column(`SELECT "flag"::text AS v FROM "Call" ORDER BY "id"`)).toEqual([
      "MISSING_TOKEN",
      "TAMPER",
      "RAISED_MAX_DURATION",
      null,
    ]);
    expect(await column(`SELECT "outcome"::text AS v FROM "WebhookEvent" ORDER BY "id"`)).toEqual([
      "ACCEPTED",
      "INVALID",
    ]);
    expect(await column(`SELECT "kind"::text AS v FROM "Alert" ORDER BY "id"`)).toEqual([
      "UNAUTHORIZED_CALL",
      "TAMPERED_CALL",
      "TAMPERED_CALL",
      "UNSEEN_CALL",
    ]);
    expect(await column(`SELECT "action"::text AS v FROM "AuditLog" ORDER BY "id"`)).toEqual([
      "CREDITS_DEDUCT",
      "CREDIT_REQUEST_APPROVE",
      "CALL_END",
    ]);
  });

  it("fails, rather than guess, on a word no version wrote", async () => {
    const db = await databaseBeforeVocabulary();
    await db.query(`INSERT INTO "Alert" ("id", "kind", "message") VALUES ('a1', 'late-settlement', 'm')`);
    await expect(db.query(vocabularySql())).rejects.toThrow(
      /invalid input value for enum "AlertKind": "LATE_SETTLEMENT"/,
    );
  });
});

describe("the tampered-alert-seconds migration", () => {
  it("gives the alerts of settled unauthorized and tampered calls the seconds Vapi reported, and leaves the rest", async () => {
    const db = await databaseBefore(ALERT_SECONDS);
    await db.query(`INSERT INTO "Call" ("id", "vapiCallId", "status", "flag", "usedSeconds", "settledAt", "updatedAt") VALUES
                    ('c1', 'settled', 'SETTLED', 'TAMPER', 42, now(), now()), ('c2', 'live', 'ACTIVE', 'TAMPER', NULL, NULL, now()),
                    ('c3', 'unauthorized', 'UNAUTHORIZED', 'MISSING_TOKEN', 9, now(), now())`);
    await db.query(`INSERT INTO "Alert" ("id", "kind", "vapiCallId", "seconds", "message") VALUES
                    ('a1', 'TAMPERED_CALL', 'settled', 0, 'm'), ('a2', 'TAMPERED_CALL', 'live', 0, 'm'),
                    ('a3', 'UNAUTHORIZED_CALL', 'unauthorized', 9, 'm'), ('a4', 'SETTLED_FROM_VAPI', 'settled', 0, 'm')`);
    await db.query(sqlOf(ALERT_SECONDS));
    expect((await db.query(`SELECT "seconds" FROM "Alert" ORDER BY "id"`)).rows.map((r) => r.seconds)).toEqual([
      42, 0, 9, 0,
    ]);
  });
});

// Checked by `tsc --noEmit`: each line must fail to compile, or the directive above it fails instead.
export function wordsTheTypesRefuse(db: Db) {
  // @ts-expect-error the tamper check writes TAMPERED_CALL: an alert kind nobody writes does not compile
  void db.alert.count({ where: { kind: "tamper" } });
  // @ts-expect-error a call flag is one of CallFlag
  void db.call.updateMany({ data: { flag: "refused" } });
  // @ts-expect-error a webhook outcome is one of WebhookOutcome
  void db.webhookEvent.count({ where: { outcome: "accepted" } });
  // @ts-expect-error an audit action is one of AuditAction
  void db.auditLog.count({ where: { action: "user.suspend" } });
}
