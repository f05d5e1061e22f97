import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LineWriter } from "../../src/metrics/file-text.js";

let dir: string | null = null;

function file(): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), "orchsim-lines-"));
  return path.join(dir, "out.txt");
}

afterEach(() => {
  if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe("LineWriter: text encoded into a byte buffer as it is appended", () => {
  it("writes every text in order, in UTF-8, across many flushes of its buffer", () => {
    const f = file();
    const w = new LineWriter(f);
    const expected: string[] = [];
    // 3,000 lines of 40-70 characters are about 160 KB: two flushes of a 64 KiB buffer and a rest.
    for (let i = 0; i < 3_000; i++) {
      const line = `{"t_s":${i / 10},"kind":"task","node":"naïve-é-${i}","x":"${"ab".repeat(i % 7)}"}`;
      w.writeJson(line);
      expected.push(line + "\n");
    }
    w.append("a,b\n1,2\n");
    expected.push("a,b\n1,2\n");
    w.close();
    expect(fs.readFileSync(f, "utf8")).toBe(expected.join(""));
  });

  it("writes a text larger than its buffer, and characters of 3 and 4 UTF-8 bytes, as Buffer.from would encode them", () => {
    const f = file();
    const w = new LineWriter(f);
    const big = "€".repeat(30_000) + "\n"; // 90,001 bytes: more than the buffer holds
    const astral = "🙂 ok\n"; // a surrogate pair: 4 bytes for 2 UTF-16 units
    w.append("first\n");
    w.append(big);
    w.append(astral);
    w.close();
    const bytes = fs.readFileSync(f);
    expect(bytes.equals(Buffer.from("first\n" + big + astral, "utf8"))).toBe(true);
  });

  it("puts bytes as they are, between texts, across flushes and past its buffer's size", () => {
    const f = file();
    const w = new LineWriter(f);
    const parts: Buffer[] = [];
    for (let i = 0; i < 2_000; i++) {
      const bytes = Buffer.from(`,"node":"naïve-${i}","x":"${"€".repeat(i % 9)}"}\n`, "utf8");
      w.putAscii(`{"t_s":${i}`);
      w.putBytes(bytes.subarray(0)); // a view, as HeldLines hands over
      parts.push(Buffer.from(`{"t_s":${i}`, "latin1"), bytes);
    }
    const big = Buffer.from("€".repeat(30_000) + "\n", "utf8"); // 90,001 bytes: more than the buffer holds
    w.putBytes(Buffer.concat([Buffer.from("pad"), big]).subarray(3)); // a view that does not start its memory
    parts.push(big);
    w.close();
    expect(fs.readFileSync(f).equals(Buffer.concat(parts))).toBe(true);
  });

  it("refuses a line with a newline in it, and any text once closed", () => {
    const w = new LineWriter(file());
    expect(() => w.write("a\nb")).toThrow(/contains a newline/);
    w.close();
    w.close(); // safe twice
    expect(() => w.append("x\n")).toThrow(/is closed/);
  });

  it("appends to a file that has text already, in append mode", () => {
    const f = file();
    fs.writeFileSync(f, "header\n");
    const w = new LineWriter(f, "append");
    w.write("row");
    w.close();
    expect(fs.readFileSync(f, "utf8")).toBe("header\nrow\n");
  });

  it("puts ASCII pieces and whole numbers byte by byte, the same bytes as the text, across flushes and past its buffer's size", () => {
    const f = file();
    const w = new LineWriter(f);
    const expected: string[] = [];
    // About 200 KB of pieces: lines split over three flushes, between pieces and inside none.
    const ints = [0, 7, 9, 10, 99, 100, 12_345, 2 ** 31, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 6_000; i++) {
      const n = ints[i % ints.length]!;
      w.putAscii(`{"i":`);
      w.putInt(n);
      w.putAscii(`,"s":"${"x".repeat(i % 13)}"}\n`);
      expected.push(`{"i":${String(n)},"s":"${"x".repeat(i % 13)}"}\n`);
    }
    const big = "y".repeat(70_000) + "\n"; // more than the buffer holds
    w.putAscii(big);
    expected.push(big);
    w.writeJson("{}");
    expected.push("{}\n");
    w.close();
    expect(fs.readFileSync(f, "latin1")).toBe(expected.join(""));
    expect(() => w.putAscii("x")).toThrow(/closed/);
  });

  it("refuses a number putInt cannot write as String() would", () => {
    const w = new LineWriter(file());
    for (const n of [-1, 0.5, Number.NaN, Infinity, 2 ** 53]) expect(() => w.putInt(n)).toThrow(/non-negative safe integer/);
    w.close();
  });
});
