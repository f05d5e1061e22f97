// Which fault a heal line ends (report/story-parts.ts healsByFault): story.md tells it under that
// fault, however late it comes and whatever faults came between.
import { describe, expect, it } from "vitest";
import { healsByFault, type LoggedEvent } from "../../src/report/story-parts.js";
import type { FaultSummary } from "../../src/metrics/rows.js";

const fault = (t_s: number, kind: string, target: string | null) => ({ t_s, fault: kind, target }) as FaultSummary;
let line = 0;
const heal = (t: number, kind: string, target: string, after_s?: number): LoggedEvent => ({
  line: ++line,
  t,
  e: { t_s: t, kind: "heal", fault: kind, target, ...(after_s === undefined ? {} : { after_s }) },
});
const told = (m: Map<FaultSummary, LoggedEvent[]>, faults: FaultSummary[]) => faults.map((f) => m.get(f)!.map((x) => `${x.t} ${String(x.e["target"])}`));

describe("a heal is told under the fault that scheduled it", () => {
  it("by its kind, its after_s back to the fault's time, and its names: not under a later fault it falls after", () => {
    const faults = [fault(180, "nodeFailure", "a-1,a-2,a-3,manager-1"), fault(200, "nodeFailure", "b-1"), fault(300, "partition", "a-1|b-1")];
    const events = [heal(320, "nodeFailure", "b-1", 120), heal(360.5, "partition", "a-1|b-1", 60.5), heal(540, "nodeFailure", "a-1,a-2,a-3,manager-1", 360)];
    expect(told(healsByFault(events, faults), faults)).toEqual([["540 a-1,a-2,a-3,manager-1"], ["320 b-1"], ["360.5 a-1|b-1"]]);
  });

  it("of two failures at one instant, the first that names its nodes (a node goes down once): a zone's failure names a node the other took down", () => {
    const faults = [fault(180, "nodeFailure", "a-1"), fault(180, "nodeFailure", "a-1,a-2,a-3,manager-1")];
    const events = [heal(240, "nodeFailure", "a-1", 60), heal(540, "nodeFailure", "a-2,a-3,manager-1", 360)];
    expect(told(healsByFault(events, faults), faults)).toEqual([["240 a-1"], ["540 a-2,a-3,manager-1"]]);
  });

  it("microseconds survive the seconds of both lines", () => {
    const faults = [fault(12.000001, "killManager", "manager-2")];
    expect(told(healsByFault([heal(42.000003, "killManager", "manager-2", 30.000002)], faults), faults)).toEqual([["42.000003 manager-2"]]);
    expect(told(healsByFault([heal(42.000003, "killManager", "manager-2", 30.000001)], faults), faults)).toEqual([[]]);
  });

  it("an older orchsim's heal, without after_s, goes to the last fault before it, as it was told", () => {
    const faults = [fault(60, "partition", "a|b"), fault(100, "scale", "web")];
    expect(told(healsByFault([heal(120, "partition", "a|b")], faults), faults)).toEqual([[], ["120 a|b"]]);
  });
});
