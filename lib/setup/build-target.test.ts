import { describe, expect, it } from "vitest";
import { buildTargetMismatch, vapiTarget } from "./build-target";

describe("a build started against the other Vapi", () => {
  it("made for the emulator, refuses real Vapi, naming VAPI_API_URL and the rebuild", () => {
    const refusal = buildTargetMismatch("emulator", "https://api.vapi.ai");
    expect(refusal).toMatch(
      /^Cannot start: this build was made for the local Vapi emulator, but VAPI_API_URL is https:\/\/api\.vapi\.ai/,
    );
    expect(refusal).toContain("Rebuild with this VAPI_API_URL");
    expect(refusal).not.toContain("\n");
  });

  it("made for real Vapi, refuses the emulator, also when VAPI_API_URL is unset", () => {
    expect(buildTargetMismatch("vapi", "http://localhost:4010")).toMatch(
      /made for real Vapi \(\*\.vapi\.ai\), but VAPI_API_URL is http:\/\/localhost:4010, which means the local Vapi emulator/,
    );
    expect(buildTargetMismatch("vapi", undefined)).toMatch(
      /VAPI_API_URL is unset, which means the local Vapi emulator/,
    );
  });

  it("starts when the targets agree, or when the build recorded none", () => {
    expect(buildTargetMismatch("emulator", "http://localhost:4110")).toBeNull();
    expect(buildTargetMismatch("emulator", undefined)).toBeNull();
    expect(buildTargetMismatch("vapi", "https://api.vapi.ai")).toBeNull();
    expect(buildTargetMismatch(undefined, "https://api.vapi.ai")).toBeNull();
  });

  it("counts any *.vapi.ai host as real Vapi, and nothing else", () => {
    expect(vapiTarget("https://api.vapi.ai")).toBe("vapi");
    expect(vapiTarget("https://eu.api.vapi.ai/")).toBe("vapi");
    expect(vapiTarget("https://notvapi.ai")).toBe("emulator");
    expect(vapiTarget(undefined)).toBe("emulator");
  });
});
