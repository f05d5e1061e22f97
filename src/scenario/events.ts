// `events:` — injections at given times (`at`), optionally repeated (`every`, `times`), each
// with exactly one action.

import { joinPath, type Ctx } from "./context.js";
import { DEFAULTS } from "./defaults.js";
import { ACTION_FIELDS, ACTION_NAMES, readAction } from "./event-actions.js";
import { describe, entryOf, type Raw } from "./raw.js";
import { readRollingUpdate, resolveRollingUpdates, type PendingUpdate, type ServiceSource } from "./rolling-updates.js";
import { Fields, REQUIRED, type Item } from "./schema.js";
import type { ServiceRead } from "./services.js";
import type { EventAction, EventSpec, EventType, SloSpec } from "./types.js";
import { formatDurationUs, parseDurationUs } from "./units.js";

const EVENT_FIELDS = ["at", "every", "times"] as const;
const TIMES_MAX = 1_000_000;

type Timing = Omit<EventSpec, "action">;
type ReadEvent = Timing & { action: EventAction | PendingUpdate };

export interface EventsRead {
  events: EventSpec[];
  /** The spec of every rollingUpdate, for checks across services (call cycles). */
  updates: ServiceRead[];
}

export function readEvents(
  ctx: Ctx,
  items: readonly Item[],
  durationUs: number,
  services: ReadonlyMap<string, ServiceSource>,
  slo: SloSpec,
): EventsRead {
  const read = items.map((item) => readEvent(ctx, item, durationUs)).filter((e): e is ReadEvent => e !== undefined);
  const pending = read.map((e) => e.action).filter((a): a is PendingUpdate => !("type" in a));
  const specs = resolveRollingUpdates(ctx, pending, services, slo);
  const events = read.map(({ action, ...timing }): EventSpec => {
    if ("type" in action) return { ...timing, action };
    const spec = specs.get(action);
    if (!spec) throw new Error(`rolling update of ${action.service} was not resolved`); // broken invariant
    // Without `force`, an update that changes nothing still restarts every task: that is
    // what writing the event asks for (Swarm's `docker service update --force`).
    const force = action.force ?? action.change.entries.length === 0;
    return { ...timing, action: { type: "rollingUpdate", service: action.service, spec: spec.spec, force } };
  });
  return { events, updates: [...specs.values()] };
}

function isAction(key: string): key is EventType {
  return (ACTION_NAMES as readonly string[]).includes(key);
}

function readEvent(ctx: Ctx, item: Item, durationUs: number): ReadEvent | undefined {
  const raw = item.raw;
  if (raw.kind !== "map") {
    ctx.report(raw.at, item.path, `must be a map such as {at: 5m, killLeader: {}} (got ${describe(raw)})`);
    return undefined;
  }
  const f = Fields.open(ctx, raw, item.path, raw.at, [...EVENT_FIELDS, ...ACTION_NAMES]);
  const types = raw.entries.map((e) => e.key).filter(isAction);
  const [type, second] = types;
  if (type === undefined) ctx.report(raw.at, item.path, `has no action (add one of ${ACTION_NAMES.join(", ")})`);
  if (second !== undefined) {
    const at = entryOf(raw, second)?.keyAt ?? raw.at;
    ctx.report(at, joinPath(item.path, second), `an event has one action (this one also has ${type}); write two events`);
  }
  const timing = readTiming(f, durationUs);
  if (type === undefined) return undefined;
  const af = f.map(type, ACTION_FIELDS.get(type) ?? []);
  const action = type === "rollingUpdate" ? readRollingUpdate(af, item.index, timing.atUs) : readAction(type, af);
  return { ...timing, action };
}

function readTiming(f: Fields, durationUs: number): Timing {
  const atUs = f.num("at", REQUIRED, parseDurationUs);
  // At the very end it would strike after the last metrics window closed: nothing would show it.
  if (atUs >= durationUs) {
    f.report("at", `${formatDurationUs(atUs)} is ${atUs > durationUs ? "after" : "at"} the end of the run (duration ${formatDurationUs(durationUs)}): nothing after it would show what it did`);
  }
  const everyUs = f.num("every", DEFAULTS.event.everyUs, parseDurationUs);
  if (f.has("every") && everyUs === 0) f.report("every", "must be longer than 0 (leave it out for an event that fires once)");
  let times: number = DEFAULTS.event.times;
  if (f.has("times")) {
    times = f.whole("times", REQUIRED, { min: 1, max: TIMES_MAX });
    if (everyUs === 0 && times > 1) f.report("times", "needs every (the time between repetitions)");
    const lastUs = atUs + (times - 1) * everyUs;
    if (everyUs > 0 && atUs < durationUs && lastUs >= durationUs) {
      const fit = Math.floor((durationUs - 1 - atUs) / everyUs) + 1;
      f.report("times", `the last of ${times} repeats would be at ${formatDurationUs(lastUs)}, ${lastUs > durationUs ? "after" : "at"} the end of the run (duration ${formatDurationUs(durationUs)}); ${fit} fit`);
    }
  } else if (everyUs > 0 && durationUs > atUs) {
    // As many as fit before the end of the run: at, at + every, ... < duration.
    times = Math.ceil((durationUs - atUs) / everyUs);
  }
  return { atUs, everyUs, times };
}
