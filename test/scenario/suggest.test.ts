import { describe, expect, it } from "vitest";
import { closest } from "../../src/scenario/suggest.js";

describe("did you mean", () => {
  it("offers a name one slip away, and none for a name that shares no letter", () => {
    expect(closest("wbe", ["web", "db"])).toBe("web");
    expect(closest("defualt", ["default", "a"])).toBe("default");
    expect(closest("zones", ["zone"])).toBe("zone");
    // One letter for another is another name (zones a, b, c; "x" is not a typo of any of them).
    expect(closest("x", ["a", "b", "c"])).toBeUndefined();
    expect(closest("B", ["a", "b"])).toBe("b");
  });
});
