// `import "server-only"` marks a module that reads a secret or the database. Next.js resolves that
// import itself (its own copy: empty on the server, a build error in a client component); this
// empty module is what it means everywhere else (tsx scripts, Vitest, Playwright), through the
// "server-only" path in tsconfig.json.
export {};
