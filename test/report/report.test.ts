// report.html in a real browser: Debian's Chromium driven by playwright-core. The page must
// render every chart with data, log nothing to the console, survive a theme switch, and still
// draw 100k points and 1,000 nodes. A screenshot is kept in test-artifacts/ to look at.
// Without Chromium the browser tests are skipped, except under CI, where .ci/run installs it.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT, orchsim, tempDir } from "../cli/cli.js";
import { TIMESERIES_COLUMNS, NODE_COLUMNS } from "../../src/metrics/rows.js";

const CHROMIUM = [process.env["ORCHSIM_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && fs.existsSync(p));
const ARTIFACTS = path.join(ROOT, "test-artifacts");

if (!CHROMIUM && process.env["CI"]) throw new Error("report tests: no Chromium at /usr/bin/chromium (set ORCHSIM_CHROMIUM); .ci/run installs Debian's chromium");

describe.skipIf(!CHROMIUM)("report.html in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a report; returns the page and the console errors it logged. */
  async function open(file: string): Promise<{ page: Page; errors: string[]; report: { charts: number; points: number; heatmaps: number } }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) errors.push(`fetched ${r.url()}: the report must be self-contained`);
    });
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => (window as unknown as { __report?: unknown }).__report !== undefined);
    const report = await page.evaluate(() => (window as unknown as { __report: { charts: number; points: number; heatmaps: number } }).__report);
    return { page, errors, report };
  }

  it("startup-storm --report: every chart drawn with data, no console errors, both themes", async () => {
    const dir = tempDir();
    const out = path.join(dir, "storm");
    const r = orchsim(["run", "scenarios/startup-storm.yaml", "--report", "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    const { page, errors, report } = await open(path.join(out, "report.html"));
    expect(errors).toEqual([]);
    // One service, 180 windows: latency (p50, p95, p99, SLO), failures (3 series), tasks (4).
    expect(report).toEqual({ charts: 3, points: 11 * 180, heatmaps: 2 });
    // web never recovers from the spike, which is demand, not a disruption: no verdict outside the faults (it was "met
    // before the loadSpike", forgiving the whole collapse; walkthrough).
    const slo = (await page.locator("tr", { hasText: /^web/ }).locator("td").allTextContents())[7];
    expect(slo).toMatch(/^MISSED \(p99 <= 1000 ms: [\d.]+% within\)$/);
    // The CPU heatmap shows saturated workers: some pixels are the darkest red.
    const dark = await page.evaluate(() => {
      const c = document.querySelector(".heatmap canvas") as HTMLCanvasElement;
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 170 && d[i + 1]! < 30) n++;
      return n;
    });
    expect(dark).toBeGreaterThan(100);
    // The faults table: the spike never recovered, and its tasks never came back (seed 42, the
    // README's story): "never" for both, as the terminal says, not "-" for one.
    expect(await page.locator("td span.bad", { hasText: /^never$/ }).count()).toBe(2);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "report-startup-storm.png"), fullPage: true });
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.click("#theme");
    const darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(darkBg).not.toBe(light);
    expect(await page.evaluate(() => (window as unknown as { __report: { charts: number } }).__report.charts)).toBe(3);
    await page.screenshot({ path: path.join(ARTIFACTS, "report-startup-storm-dark.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  // Node rows every 70 s (metrics.nodeInterval): rows end at 70, 140, 210 and 245 s. Zone a dies
  // at 180 s, so its nodes still work part of the row to 210 s and none of the last one. The
  // heatmap's columns sit on a time axis from 0: at 196 s a-1 shows the row to 210 s (some
  // CPU); with columns of equal width it showed the last row there (none).
  it("places node rows on a time axis from 0, however often they come", async () => {
    const out = path.join(tempDir(), "zone");
    const r = orchsim(["run", "scenarios/zone-failure.yaml", "--set", "duration=4m5s", "--set", "metrics.nodeInterval=70s", "--report", "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    const { page, errors } = await open(path.join(out, "report.html"));
    expect(errors).toEqual([]);
    const ticks = await page.evaluate(() => [...document.querySelector(".heatmap .ticks")!.children].map((e) => e.textContent));
    expect(ticks[0]).toBe("0 s");
    expect(ticks[ticks.length - 1]).toBe("245 s");
    const pixel = (tS: number) =>
      page.evaluate((t) => {
        const c = document.querySelector(".heatmap canvas") as HTMLCanvasElement;
        // a-1 is the fourth of twelve nodes (the managers first), 8 pixels a node.
        return [...c.getContext("2d")!.getImageData(Math.floor((t / 245) * c.width), 3 * 8 + 4, 1, 1).data.slice(0, 3)];
      }, tS);
    const PALE = [255, 245, 200]; // no CPU at all
    expect(await pixel(196)).not.toEqual(PALE);
    expect(await pixel(230)).toEqual(PALE);
  }, 60_000);

  it("draws a node before an addNodes brought it grey, not 0% (walkthrough: it read as an idle node)", async () => {
    const out = path.join(tempDir(), "added");
    const r = orchsim(["run", "scenarios/hello-cluster.yaml", "--set", "duration=2m", "--set", "events=[{at: 60s, addNodes: {group: web, count: 1}}]", "--report", "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    const { page, errors } = await open(path.join(out, "report.html"));
    expect(errors).toEqual([]);
    const data = JSON.parse(/<script id="data" type="application\/json">(.*?)<\/script>/s.exec(fs.readFileSync(path.join(out, "report.html"), "utf8"))![1]!);
    const row = data.nodes.cpu[data.nodes.nodes.indexOf("web-5")] as (number | null)[];
    expect(row.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(row.slice(6).every((v) => typeof v === "number")).toBe(true);
    expect(data.nodes.cpu[data.nodes.nodes.indexOf("web-1")].every((v: unknown) => typeof v === "number")).toBe(true);
    // web-5 is the last of six nodes (the manager first), 8 pixels a node: grey before 60 s, not after.
    const pixel = (tS: number) =>
      page.evaluate((t) => {
        const c = document.querySelector(".heatmap canvas") as HTMLCanvasElement;
        return [...c.getContext("2d")!.getImageData(Math.floor((t / 120) * c.width), 5 * 8 + 4, 1, 1).data.slice(0, 3)];
      }, tS);
    expect(await pixel(30)).toEqual([150, 150, 150]);
    expect(await pixel(90)).not.toEqual([150, 150, 150]);
    expect(await page.locator(".heatmap .muted").first().textContent()).toContain("grey: not in the swarm then");
  }, 60_000);

  it("draws a service that no request reached (no latency in the summary) as '-', and the rest of the page", async () => {
    const dir = tempDir();
    const file = path.join(dir, "idle.yaml");
    fs.writeFileSync(file, "version: 1\nname: idle\nduration: 1m\ncluster:\n  managers: {count: 1}\nservices:\n  - {name: web, ports: [{published: 80, target: 80}]}\n  - {name: cache}\nworkload:\n  - {name: users, service: web, rate: 10/s}\n");
    const out = path.join(dir, "out");
    expect(orchsim(["run", file, "--report", "--out", out, "--quiet"]).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")).services.cache.latency_ms).toBeNull();
    const { page, errors, report } = await open(path.join(out, "report.html"));
    expect(errors).toEqual([]);
    expect(report.charts).toBeGreaterThan(0);
    const cells = await page.locator("tr", { hasText: /^cache/ }).locator("td").allTextContents();
    expect(cells.slice(0, 7)).toEqual(["cache", "0", "0", "0", "0", "-", "-"]);
    // The SLO cell says the share within it, as the terminal does.
    const web = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")).services.web;
    const webCells = await page.locator("tr", { hasText: /^web/ }).locator("td").allTextContents();
    expect(webCells[7]).toBe(`met (p${web.slo.percentile} <= ${web.slo.latency_ms} ms: ${(web.slo.attained * 100).toFixed(2)}% within)`);
  }, 60_000);

  it("draws 100k points and 1,000 nodes from outputs of that size", async () => {
    const dir = bigOutputs(10_000, 1_000, 60);
    expect(orchsim(["report", dir]).code).toBe(0);
    const { page, errors, report } = await open(path.join(dir, "report.html"));
    expect(errors).toEqual([]);
    expect(report.points).toBeGreaterThanOrEqual(100_000);
    const heights = await page.evaluate(() => [...document.querySelectorAll(".heatmap canvas")].map((c) => (c as HTMLCanvasElement).height));
    expect(heights).toEqual([480, 480]); // 1,000 nodes, two to three per pixel row
  }, 60_000);

  it("says a service's SLO outside the faults' disruptions when its verdict there differs (zone-failure's shop)", async () => {
    const out = path.join(tempDir(), "zone");
    expect(orchsim(["run", "scenarios/zone-failure.yaml", "--report", "--out", out, "--quiet"]).code).toBe(0);
    const shop = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")).services.shop.slo;
    const { page, errors } = await open(path.join(out, "report.html"));
    expect(errors).toEqual([]);
    const cell = async (name: string) => (await page.locator("tr", { hasText: new RegExp(`^${name}`) }).locator("td").allTextContents())[7];
    expect(await cell("shop")).toBe(`MISSED (p99 <= 250 ms: ${(shop.attained * 100).toFixed(2)}% within); outside the faults' disruptions met, ${(shop.outside_faults.attained * 100).toFixed(2)}% within`);
    expect(await cell("catalog")).not.toContain("outside"); // met both ways
    // With one worker a zone, seed 1, shop never recovers; catalog's verdict outside the faults is its windows before the crash.
    const one = path.join(tempDir(), "zone1");
    const ones = ["a", "b", "c"].flatMap((z) => ["--set", `cluster.nodeGroups.${z}.count=1`]);
    expect(orchsim(["run", "scenarios/zone-failure.yaml", "--seed", "1", ...ones, "--report", "--out", one, "--quiet"]).code).toBe(0);
    const collapsed = await open(path.join(one, "report.html"));
    expect(collapsed.errors).toEqual([]);
    const catalog = (await collapsed.page.locator("tr", { hasText: /^catalog/ }).locator("td").allTextContents())[7];
    expect(catalog).toMatch(/; outside the faults' disruptions met before the nodeFailure at 180 s, from which it never recovered, [\d.]+% within$/);
    // The marked events' legend names the kinds this run has: a fault, leader changes and nodes lost and back; no autoscaler or update.
    const legend = await page.locator("details summary", { hasText: "marked events" }).textContent();
    expect(legend).toMatch(/^\d+ marked events: \| fault\s*\| leader\s*\| nodes\s*$/);
    // Zone a's nodes, each kind one marker (walkthrough: none of them was on the charts), at times rounded as story.md's.
    await page.locator("details summary", { hasText: "marked events" }).click();
    const rows = await page.locator("details table tr").allTextContents();
    expect(rows).toContain("185a-1..a-3,manager-1 dead (memberlist)");
    expect(rows).toContain("218.6a-1..a-3,manager-1 DOWN");
    expect(rows).toContain("540.1a-1..a-3,manager-1 READY again");
    expect(rows).toContain("191.1leader manager-3 (term 2)");
    // The faults table has memberlist's verdict beside the managers' (review: the terminal, compare and sweeps had it, the report not).
    const faults = page.locator("h3", { hasText: "Faults" }).locator("xpath=following-sibling::table[1]");
    // And the first DOWN, which starts the replacements, apart from the election that noticed the fault first.
    expect(await faults.locator("th").allTextContents()).toEqual(["t (s)", "fault", "target", "dead to memberlist (s)", "detected (s)", "first DOWN (s)", "tasks back (s)", "recovered (s)", "last", "requests lost", "worst window"]);
    expect((await faults.locator("tr").nth(1).locator("td").allTextContents()).slice(3, 6)).toEqual(["5", "11.1", "38.6"]);
  }, 60_000);

  it("sweep-report.html: no variant's label runs into its plot, however many fields its --vary joins", async () => {
    const dir = tempDir();
    const file = path.join(dir, "zones.yaml");
    const groups = ["a", "b", "c"].map((z) => `{name: ${z}, count: 1, cpu: 2, memory: 4GiB, zone: ${z}}`).join(", ");
    fs.writeFileSync(file, `version: 1\nname: zones\nduration: 20s\ncluster:\n  managers: {count: 1, runTasks: false}\n  nodeGroups: [${groups}]\nservices:\n  - {name: web, replicas: 3, ports: [{published: 80, target: 80}], request: {cpu: 5ms}}\nworkload:\n  - {name: users, service: web, rate: 20/s}\n`);
    const out = path.join(dir, "sw");
    for (const fields of [["a"], ["a", "b", "c"]]) {
      const vary = `${fields.map((z) => `cluster.nodeGroups.${z}.count`).join(",")}=1,2`;
      expect(orchsim(["sweep", file, "--seeds", "2", "--vary", vary, "--out", out, "--quiet", "--report"]).code).toBe(0);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`file://${path.join(out, "sweep-report.html")}`);
      // Per plot: the right edge of the widest label, and where the plot's first mark starts.
      const plots = await page.evaluate(() =>
        [...document.querySelectorAll("svg")].map((svg) => {
          const labels = [...svg.querySelectorAll('text[x="0"]')] as SVGTextElement[];
          const marks = [...svg.querySelectorAll("line.ci, circle")] as SVGGraphicsElement[];
          return {
            labels: labels.map((t) => [...t.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("")),
            titles: labels.map((t) => t.querySelector("title")?.textContent ?? null),
            right: Math.max(...labels.map((t) => t.getBBox().x + t.getBBox().width)),
            firstMark: Math.min(...marks.map((m) => m.getBBox().x)),
          };
        }),
      );
      await page.close();
      expect(errors).toEqual([]);
      expect(plots.length).toBeGreaterThan(0);
      for (const p of plots) expect(p.right, p.labels.join(" | ")).toBeLessThan(p.firstMark);
      // One field fits whole; three have their paths cut to their last parts, the values kept, the whole label in its tooltip.
      const second = plots[0]!.labels[1]!;
      if (fields.length === 1) expect(second).toBe("cluster.nodeGroups.a.count=2");
      else {
        expect(second).toBe("…a.count,…b.count,…c.count=2");
        expect(plots[0]!.titles[1]).toBe("cluster.nodeGroups.a.count,cluster.nodeGroups.b.count,cluster.nodeGroups.c.count=2");
      }
    }
  }, 60_000);
});

describe("orchsim report", () => {
  it("refuses a directory that no run wrote, and leaves it as it was", () => {
    const dir = tempDir();
    const r = orchsim(["report", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not the output directory of an orchsim run");
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("a corrupt events.jsonl is named with its line, exit 2, and no report is written", () => {
    const dir = bigOutputs(5, 2, 2);
    fs.appendFileSync(path.join(dir, "events.jsonl"), "{not json\n");
    const r = orchsim(["report", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/events\.jsonl:2: not a JSON event/);
    expect(fs.existsSync(path.join(dir, "report.html"))).toBe(false);
  });

  it("writes a self-contained page: uPlot inline, no external resource, the data unable to close its script", () => {
    const dir = bigOutputs(10, 3, 10, "</script><script>alert(1)</script>");
    expect(orchsim(["report", dir]).code).toBe(0);
    const html = fs.readFileSync(path.join(dir, "report.html"), "utf8");
    expect(html).toMatch(/uPlot/);
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    expect(html.match(/<\/script>/g)).toHaveLength(3); // data, uPlot, the page: nothing from the data
  });
});

describe("orchsim report --compare", () => {
  it("puts what changed, and the other run's p99, into the report", () => {
    const [a, b] = [bigOutputs(20, 3, 2), bigOutputs(20, 3, 2)];
    fs.writeFileSync(path.join(b, "timeseries.csv"), fs.readFileSync(path.join(b, "timeseries.csv"), "utf8").replace(/^(\d+),web,10,10,0,0,0,(\d+),20,(\d+),/gm, "$1,web,10,10,0,0,0,$2,20,999,"));
    expect(orchsim(["report", a, "--compare", b]).code).toBe(0);
    const html = fs.readFileSync(path.join(a, "report.html"), "utf8");
    expect(html).toContain(`"name":${JSON.stringify(b)}`);
    const data = JSON.parse(/<script id="data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.compare.p99.web).toHaveLength(20);
    expect(data.compare.p99.web[0]).toEqual([1, 999]);
    expect(data.compare.text).toContain(`B: ${b} (big, seed 1)`);
  });

  it("a --compare directory that no run wrote is bad input, and no report is written", () => {
    const a = bigOutputs(5, 2, 2);
    const r = orchsim(["report", a, "--compare", tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--compare");
    expect(fs.existsSync(path.join(a, "report.html"))).toBe(false);
  });
});

/** An output directory as a run would write it, with `windows` windows of one service and `nodes` nodes. */
function bigOutputs(windows: number, nodes: number, nodeWindows: number, description = ""): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, ".orchsim-output"), "");
  const service = { arrivals: 1, completed: 1, errors: 0, timeouts: 0, rejected: 0, latency_ms: { mean: 1, p50: 1, p95: 1, p99: 1, max: 1 }, slo: { latency_ms: 250, percentile: 99, attained: 1, met: true }, restarts: 0, oom_kills: 0, unhealthy: 0, tasks_desired: 2, tasks_running: 2, tasks_pending: 0, desired_reached: true };
  const summary = { scenario: "big", description, seed: 1, duration_s: windows, events: 0, services: { web: service }, elections: 0, faults: [], networks: {}, notes: [] };
  fs.writeFileSync(path.join(dir, "summary.json"), JSON.stringify(summary));
  const ts = [TIMESERIES_COLUMNS.join(",")];
  for (let i = 1; i <= windows; i++) ts.push([i, "web", 10, 10, 0, 0, 0, 5 + (i % 7), 20, 40 + (i % 13), 50, 2, 2, 0, 0, 0, 0, 0].join(","));
  fs.writeFileSync(path.join(dir, "timeseries.csv"), ts.join("\n") + "\n");
  const nr = [NODE_COLUMNS.join(",")];
  for (let j = 1; j <= nodeWindows; j++) for (let n = 0; n < nodes; n++) nr.push([j * 10, `w-${n}`, "ready", "active", ((n * 7 + j) % 100) / 100, 1e9, 8e9, 2, 0, 0].join(","));
  fs.writeFileSync(path.join(dir, "nodes.csv"), nr.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "events.jsonl"), JSON.stringify({ t_s: 5, kind: "fault", fault: "nodeFailure", target: "w-1" }) + "\n");
  return dir;
}
