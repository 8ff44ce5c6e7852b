import { z } from "zod";

// Imported by client components before any module that defines zod schemas: zod probes for eval
// with `Function("")` when a schema is built, which the Content-Security-Policy forbids (and
// reports). In the browser, parse without its compiled fast path.
z.config({ jitless: true });
