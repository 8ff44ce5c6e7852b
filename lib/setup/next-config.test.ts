import { describe, expect, it } from "vitest";
import nextConfig from "@/next.config";

describe("next.config", () => {
  it("lets pages opened at 127.0.0.1 load next dev's assets, not only localhost", () => {
    expect(nextConfig.allowedDevOrigins).toContain("127.0.0.1");
  });

  it("keeps server-action arguments (sign-up passwords) out of next dev's terminal", () => {
    expect(nextConfig.logging).toMatchObject({ serverFunctions: false });
  });
});
