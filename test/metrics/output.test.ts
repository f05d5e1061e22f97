import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OUTPUT_MARKER_FILE, OutputDir, OutputDirError } from "../../src/metrics/output.js";
import { ELECTION_COLUMNS, NETWORK_COLUMNS, NODE_COLUMNS, TIMESERIES_COLUMNS } from "../../src/metrics/rows.js";

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "orchsim-metrics-"));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function read(...parts: string[]): string {
  return fs.readFileSync(path.join(...parts), "utf8");
}

describe("OutputDir", () => {
  it("commit produces the files and leaves no temporary directory", () => {
    const finalDir = path.join(root, "nested", "out"); // the parent does not exist yet
    const out = OutputDir.create(finalDir);
    expect(fs.existsSync(finalDir)).toBe(false);
    out.writeCsv("timeseries.csv", ["t_s", "service"], [{ t_s: 10, service: "web" }]);
    out.writeJson("summary.json", { scenario: "s", seed: 42 });
    const events = out.lineWriter("events.jsonl");
    events.write('{"t_s":0,"kind":"fault"}');
    out.commit();

    expect(fs.readdirSync(path.join(root, "nested"))).toEqual(["out"]);
    expect(fs.readdirSync(finalDir).sort()).toEqual([OUTPUT_MARKER_FILE, "events.jsonl", "summary.json", "timeseries.csv"]);
    expect(read(finalDir, "timeseries.csv")).toBe("t_s,service\n10,web\n");
    expect(read(finalDir, "events.jsonl")).toBe('{"t_s":0,"kind":"fault"}\n');
    expect(() => events.write("late")).toThrow(/closed/);
    expect(() => out.writeJson("more.json", {})).toThrow(/after commit/);
    out.abort(); // a no-op after commit
    expect(fs.existsSync(finalDir)).toBe(true);
  });

  it("abort leaves nothing behind, and is safe to call twice", () => {
    const finalDir = path.join(root, "out");
    const out = OutputDir.create(finalDir);
    out.writeCsv("nodes.csv", ["node"], []);
    out.lineWriter("events.jsonl").write("{}");
    out.abort();
    out.abort();
    expect(fs.readdirSync(root)).toEqual([]);
    expect(() => out.commit()).toThrow(/after abort/);
  });

  it("replaces the output of an earlier run", () => {
    const finalDir = path.join(root, "out");
    const first = OutputDir.create(finalDir);
    first.writeJson("summary.json", { run: 1 });
    first.writeJson("only-in-first.json", {});
    first.commit();

    const second = OutputDir.create(finalDir);
    second.writeJson("summary.json", { run: 2 });
    second.commit();

    expect(fs.readdirSync(root)).toEqual(["out"]);
    expect(fs.readdirSync(finalDir).sort()).toEqual([OUTPUT_MARKER_FILE, "summary.json"]);
    expect(read(finalDir, "summary.json")).toBe('{\n  "run": 2\n}\n');
  });

  it("replaces an existing empty directory", () => {
    const finalDir = path.join(root, "out");
    fs.mkdirSync(finalDir);
    const out = OutputDir.create(finalDir);
    out.writeJson("summary.json", {});
    out.commit();
    expect(read(finalDir, "summary.json")).toBe("{}\n");
  });

  it("refuses to replace a directory it did not write, and leaves it alone", () => {
    const finalDir = path.join(root, "home");
    fs.mkdirSync(finalDir);
    fs.writeFileSync(path.join(finalDir, "thesis.tex"), "precious");
    expect(() => OutputDir.create(finalDir)).toThrow(OutputDirError);
    fs.writeFileSync(path.join(root, "file"), "x");
    expect(() => OutputDir.create(path.join(root, "file"))).toThrow(/not a directory/);
    expect(fs.readdirSync(root).sort()).toEqual(["file", "home"]);
    expect(read(finalDir, "thesis.tex")).toBe("precious");
  });

  it("writes CSV with a header, plain numbers and quoting only where needed", () => {
    const finalDir = path.join(root, "out");
    const out = OutputDir.create(finalDir);
    out.writeCsv(
      "table.csv",
      ["t_s", "node", "cpu_util", "known_s", "ok", "mem_used_bytes"],
      [
        { t_s: 10, node: "web-1", cpu_util: 0.1235, known_s: 12.000001, ok: true, mem_used_bytes: 1e21 },
        { t_s: 20.5, node: 'odd, "name"', cpu_util: -0, known_s: null, ok: false, mem_used_bytes: 1e-7 },
        { mem_used_bytes: 0, ok: true, known_s: 3, cpu_util: 1, node: "b", t_s: 30 }, // key order does not matter
      ],
    );
    out.writeCsv("empty.csv", ELECTION_COLUMNS, []);
    out.commit();
    expect(read(finalDir, "table.csv")).toBe(
      "t_s,node,cpu_util,known_s,ok,mem_used_bytes\n" +
        "10,web-1,0.1235,12.000001,true,1000000000000000000000\n" +
        '20.5,"odd, ""name""",0,,false,0.0000001\n' +
        "30,b,1,3,true,0\n",
    );
    expect(read(finalDir, "empty.csv")).toBe("term,started_s,elected_s,known_s,leader,cause\n");
  });

  it("rejects rows missing a column, bad file names and files written twice", () => {
    const out = OutputDir.create(path.join(root, "out"));
    expect(() => out.writeCsv("a.csv", ["x", "y"], [{ x: 1 }])).toThrow(/row 0 has no value for column "y"/);
    expect(() => out.writeJson("../escape.json", {})).toThrow(OutputDirError);
    expect(() => out.writeJson("sub/x.json", {})).toThrow(OutputDirError);
    out.writeJson("b.json", {});
    expect(() => out.writeJson("b.json", {})).toThrow(/twice/);
    expect(() => out.writeJson("c.json", { x: Number.NaN })).toThrow(/"x" is NaN/);
    out.abort();
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it("writes JSON with a 2-space indent, a trailing newline and the caller's key order", () => {
    const finalDir = path.join(root, "out");
    const out = OutputDir.create(finalDir);
    out.writeJson("summary.json", { scenario: "s", seed: 42, services: { web: { b: 1, a: -0 } }, notes: [] });
    out.commit();
    expect(read(finalDir, "summary.json")).toBe(
      '{\n  "scenario": "s",\n  "seed": 42,\n  "services": {\n    "web": {\n      "b": 1,\n      "a": 0\n    }\n  },\n  "notes": []\n}\n',
    );
  });

  it("a CSV written as its rows come, in batches of any size, is the text writeCsv writes", () => {
    const finalDir = path.join(root, "out");
    const out = OutputDir.create(finalDir);
    const rows = Array.from({ length: 1_000 }, (_, i) => ({ t_s: i * 10, node: i % 7 === 0 ? `odd, "${i}"` : `w-${i}`, cpu_util: i % 3 === 0 ? 0 : 1 / (i + 1), known_s: i % 5 === 0 ? null : i, ok: i % 2 === 0, mem_used_bytes: 2 ** 30 + i }));
    const columns = ["t_s", "node", "cpu_util", "known_s", "ok", "mem_used_bytes"];
    out.writeCsv("whole.csv", columns, rows);
    const take = out.csvWriter("streamed.csv", columns);
    // Handed over in pieces that straddle the writer's own batches (a window's nodes come a few hundred at a time).
    for (let i = 0; i < rows.length; ) {
      const n = [1, 255, 2, 300, 17][i % 5]!;
      take(rows.slice(i, i + n));
      i += n;
    }
    out.commit();
    expect(read(finalDir, "streamed.csv")).toBe(read(finalDir, "whole.csv"));
    expect(read(finalDir, "whole.csv").split("\n")).toHaveLength(1_002);
  });

  it("line writer flushes in chunks and keeps every line in order", () => {
    const finalDir = path.join(root, "out");
    const out = OutputDir.create(finalDir);
    const writer = out.lineWriter("events.jsonl");
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const line = JSON.stringify({ t_s: i / 10, kind: "task", task: `web.${i}.1`, note: "é" });
      lines.push(line);
      writer.write(line);
    }
    // More than 64 KiB were written before close, so some of it is on disk already.
    expect(fs.statSync(path.join(out.tempDir, "events.jsonl")).size).toBeGreaterThan(0);
    expect(() => writer.write("two\nlines")).toThrow(/newline/);
    out.commit();
    expect(read(finalDir, "events.jsonl")).toBe(lines.join("\n") + "\n");
  });
});

describe("column lists", () => {
  it("match DESIGN.md (timeseries.csv adds restarts, OOM kills and unhealthy containers after DESIGN's columns; nodes.csv the NIC's bytes)", () => {
    expect(TIMESERIES_COLUMNS.join(", ")).toBe(
      "t_s, service, arrivals, completed, errors, timeouts, rejected, p50_ms, p95_ms, p99_ms, max_ms, tasks_desired, tasks_running, tasks_starting, tasks_pending, restarts, oom_kills, unhealthy",
    );
    expect(NODE_COLUMNS.join(", ")).toBe("t_s, node, status, availability, cpu_util, mem_used_bytes, mem_capacity_bytes, tasks, net_tx_bytes, net_rx_bytes");
    expect(NETWORK_COLUMNS.join(", ")).toBe("t_s, network, subnet, addresses_usable, addresses_used, tasks_unallocated, bytes");
    expect(ELECTION_COLUMNS.join(", ")).toBe("term, started_s, elected_s, known_s, leader, cause");
  });
});
