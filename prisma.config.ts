import path from "node:path";
import type { PrismaConfig } from "prisma";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

// The schema engine reads PostgreSQL catalogs whose columns have type `name` and `"char"`, which
// @prisma/adapter-pg 6.19 refuses (prisma/orm#27403). This file is loaded by the CLI only: there,
// report those columns as text.
const asText: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
for (const proto of [pg.Pool.prototype, pg.Client.prototype] as any[]) {
  const query = proto.query;
  proto.query = function (...args: unknown[]) {
    const pending = query.apply(this, args);
    return (
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      pending?.then?.((result: any) => {
        for (const field of result?.fields ?? []) field.dataTypeID = asText[field.dataTypeID] ?? field.dataTypeID;
        return result;
      }) ?? pending
    );
  };
}

// The adapter drops its shadow database while its own pool still holds connections to it:
// close the pool first, then drop.
class PgForMigrate extends PrismaPg {
  async connectToShadowDb() {
    const shadow = (await super.connectToShadowDb()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const database: string = shadow.client.options.database;
    shadow.release = async () => {
      await shadow.client.end();
      const admin = await this.connect();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.dispose();
    };
    return shadow;
  }
}

// Separate fields, not a connection string: the shadow database is chosen by overriding `database`.
const url = new URL(process.env.DATABASE_URL ?? "postgres://localhost/coach");
const config = {
  host: url.hostname,
  port: Number(url.port || 5432),
  database: url.pathname.slice(1),
  user: decodeURIComponent(url.username),
  password: decodeURIComponent(url.password),
};

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    return new PgForMigrate(config);
  },
} satisfies PrismaConfig;
