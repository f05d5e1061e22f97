// One line of events.jsonl per event: `t_s` first, then the event's own fields, the same text as
// JSON.stringify({ t_s, ...event }). A 20,000-node deployment logs 2.4 million task events, and
// stringifying each object was the largest line of its profile: task events are written field by
// field instead, and a time's text is made once for the events of one instant. When a task
// event's strings are plain ASCII (names and states always are), its line goes into the file's
// buffer a byte at a time, with no string made: the pieces of a line joined as a string, then
// encoded, were a gigabyte of garbage in a 20,000-node deployment's first three minutes.

import { TaskEvent } from "./task-event.js";
import { secondsFromUs } from "./fmt.js";
import type { EventLog } from "./file-text.js";

export class EventLines {
  private lastUs = NaN;
  private lastText = "";

  /**
   * The line of `event` at `tUs`. For the events the model emits: a string `kind` first, no
   * integer-like keys (JSON would put those before `t_s`), no toJSON.
   */
  line(tUs: number, event: { kind: string }): string {
    return lineWith(this.timeText(tUs), event);
  }

  /** Writes the line of `event` at `tUs`, and its newline, to `out`. */
  write(out: EventLog, tUs: number, event: { kind: string }): void {
    put(out, this.timeText(tUs), event);
  }

  /**
   * Writes the line of `event` with no time in it (`{"t_s":,"kind":...`), for HeldLines, which
   * puts the time in once it is known.
   */
  writeUntimed(out: EventLog, event: { kind: string }): void {
    put(out, "", event);
  }

  /** The text of `t_s` for an event at `tUs`. */
  timeText(tUs: number): string {
    if (tUs !== this.lastUs) {
      this.lastUs = tUs;
      this.lastText = JSON.stringify(secondsFromUs(tUs));
    }
    return this.lastText;
  }
}

/** The line of `event` with `t` as the text of its time. */
function lineWith(t: string, event: { kind: string }): string {
  if (event instanceof TaskEvent) return taskLine(t, event);
  if ("t_s" in event) throw new Error(`an event must not carry its own t_s: ${JSON.stringify(event)}`);
  return `{"t_s":${t},${JSON.stringify(event).slice(1)}`;
}

/** Writes the line of `event`, with `t` as the text of its time, and its newline, to `out`. */
function put(out: EventLog, t: string, event: { kind: string }): void {
  if (event instanceof TaskEvent && plainTask(event)) writeTaskLine(out, t, event);
  else out.writeJson(lineWith(t, event));
}

/** Whether every string of the event goes into JSON as it is and is ASCII, and its slot is a whole number. */
function plainTask(e: TaskEvent): boolean {
  return Number.isSafeInteger(e.slot) && e.slot >= 0 && plain(e.task) && plain(e.service) && (e.node === null || plain(e.node)) && plain(e.state) && (e.reason === null || plain(e.reason));
}

/** No unit JSON escapes (a quote, a backslash, a control character) and none outside ASCII. */
function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) return false;
  }
  return true;
}

/** taskLine's text and a newline, put into the buffer piece by piece (plainTask holds). */
function writeTaskLine(out: EventLog, t: string, e: TaskEvent): void {
  out.putAscii('{"t_s":');
  out.putAscii(t);
  out.putAscii(',"kind":"task","task":"');
  out.putAscii(e.task);
  out.putAscii('","service":"');
  out.putAscii(e.service);
  out.putAscii('","slot":');
  out.putInt(e.slot);
  if (e.node === null) out.putAscii(',"node":null,"state":"');
  else {
    out.putAscii(',"node":"');
    out.putAscii(e.node);
    out.putAscii('","state":"');
  }
  out.putAscii(e.state);
  if (e.reason === null) out.putAscii('","reason":null}\n');
  else {
    out.putAscii('","reason":"');
    out.putAscii(e.reason);
    out.putAscii('"}\n');
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
