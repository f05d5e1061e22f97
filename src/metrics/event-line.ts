// One line of events.jsonl per event: `t_s` first, then the event's own fields, the same text as
// JSON.stringify({ t_s, ...event }). A 20,000-node deployment logs 2.4 million task events, and
// stringifying each object was the largest line of its profile: task events are written field by
// field instead, and a time's text is made once for the events of one instant.

import { TaskEvent } from "./task-event.js";
import { secondsFromUs } from "./fmt.js";

export class EventLines {
  private lastUs = NaN;
  private lastText = "";

  /**
   * The line of `event` at `tUs`. For the events the model emits: a string `kind` first, no
   * integer-like keys (JSON would put those before `t_s`), no toJSON.
   */
  line(tUs: number, event: { kind: string }): string {
    if (tUs !== this.lastUs) {
      this.lastUs = tUs;
      this.lastText = JSON.stringify(secondsFromUs(tUs));
    }
    if (event instanceof TaskEvent) return taskLine(this.lastText, event);
    if ("t_s" in event) throw new Error(`an event must not carry its own t_s: ${JSON.stringify(event)}`);
    return `{"t_s":${this.lastText},${JSON.stringify(event).slice(1)}`;
  }
}

function taskLine(t: string, e: TaskEvent): string {
  return `{"t_s":${t},"kind":"task","task":${quote(e.task)},"service":${quote(e.service)},"slot":${number(e.slot)},"node":${e.node === null ? "null" : quote(e.node)},"state":${quote(e.state)},"reason":${e.reason === null ? "null" : quote(e.reason)}}`;
}

/** JSON.stringify's text for a number: non-finite numbers are null. */
function number(n: number): string {
  return Number.isFinite(n) ? String(n) : "null";
}

/**
 * JSON.stringify's text for a string. Names and states need no escape, so they are only put
 * between quotes; a string with a quote, a backslash, a control character or a UTF-16 surrogate
 * (which JSON.stringify escapes when it stands alone) goes to JSON.stringify.
 */
export function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}
