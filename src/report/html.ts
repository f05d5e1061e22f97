// report.html: one self-contained file that opens offline. uPlot (chosen for time series: about
// 50 KB, canvas-drawn, fast at 100k points) and the page's own script and style are embedded
// inline, and the run's data goes in as JSON. The page's code lives in assets/report/ as plain
// browser JavaScript and CSS.

import * as fs from "node:fs";
import { createRequire } from "node:module";
import type { ReportData } from "./data.js";
import { asset, page } from "./page.js";

const require = createRequire(import.meta.url);

/** JSON that is safe inside a <script> element: no "</script>" or "<!--" can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export function reportHtml(data: ReportData): string {
  const uplotJs = fs.readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
  const uplotCss = fs.readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  const title = `orchsim: ${data.summary.scenario} (seed ${data.summary.seed})`;
  return page(
    title,
    uplotCss,
    `<main id="report"></main>
<script id="data" type="application/json">${scriptJson(data)}</script>
<script>${uplotJs.replace(/<\/script/gi, "<\\/script")}</script>
<script>${asset("page.js")}</script>`,
  );
}
