import path from "node:path";

/** Where the e2e stack leaves its database URL for the tests' fixtures. */
export const STACK_FILE = path.join(process.cwd(), "test-results", "e2e-stack.json");
