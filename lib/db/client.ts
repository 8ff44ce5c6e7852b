import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

export type Db = PrismaClient;

export function createDb(connectionString: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

const globalForDb = globalThis as unknown as { coachDb?: Db };

/** The app's shared client; DATABASE_URL is set by `npm run dev`, the e2e stack, or the operator. */
export function db(): Db {
  if (!globalForDb.coachDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start the app with `npm run dev`, or set it to your PostgreSQL.");
    globalForDb.coachDb = createDb(url);
  }
  return globalForDb.coachDb;
}
