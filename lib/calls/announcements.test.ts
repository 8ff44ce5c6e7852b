import { describe, expect, it } from "vitest";
import { callAnnouncement } from "./announcements";

describe("callAnnouncement", () => {
  it("says nothing when there is no call, and leaves failures to their alert", () => {
    expect(callAnnouncement({ step: "idle" })).toBe("");
    expect(callAnnouncement({ step: "failed" })).toBe("");
  });

  it("announces connecting, connected, then the cutoff warning in place of connected", () => {
    expect(callAnnouncement({ step: "starting" })).toBe("Connecting to your coach…");
    expect(callAnnouncement({ step: "live", warning: null })).toBe("Connected to your coach.");
    expect(callAnnouncement({ step: "live", warning: "Just so you know: about one minute left on this call." })).toBe(
      "Just so you know: about one minute left on this call.",
    );
  });

  it("announces the end, then why and what it cost", () => {
    expect(callAnnouncement({ step: "ending", reason: "you" })).toBe("Call ended. Working out your bill…");
    expect(callAnnouncement({ step: "ending", reason: "connection" })).toBe(
      "The connection was lost. Working out your bill…",
    );
    expect(
      callAnnouncement({
        step: "summary",
        state: { endedBy: "credits", creditsCharged: 20, balance: 0 },
        connectionLost: false,
      }),
    ).toBe("Your call ended because your credits ran out. You were charged 20 credits; your balance is 0 credits.");
    expect(
      callAnnouncement({
        step: "summary",
        state: { endedBy: null, creditsCharged: 3, balance: 97 },
        connectionLost: true,
      }),
    ).toBe("The connection was lost, so the call ended. You were charged 3 credits; your balance is 97 credits.");
    expect(
      callAnnouncement({
        step: "summary",
        state: { endedBy: null, creditsCharged: null, balance: 5 },
        connectionLost: false,
      }),
    ).toBe("Call ended. You were charged 0 credits; your balance is 5 credits.");
  });
});
