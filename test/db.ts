import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { createDb, type Db } from "@/lib/db/client";

/** A fresh, migrated database for this test file (a copy of the run's template), dropped after it. */
export async function freshDb(): Promise<{ db: Db; url: string }> {
  const template = new URL(inject("templateDatabaseUrl"));
  const name = `coach_test_${randomUUID().replace(/-/g, "")}`;
  const admin = new URL(template);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template.pathname.slice(1)}"`);
  await client.end();
  const url = new URL(template);
  url.pathname = `/${name}`;
  const db = createDb(url.toString());
  afterAll(() => db.$disconnect());
  return { db, url: url.toString() };
}
