// report.html: one self-contained file that opens offline. uPlot (chosen for time series: about
// 50 KB, canvas-drawn, fast at 100k points) and the page's own script and style are embedded
// inline, and the run's data goes in as JSON. The page's code lives in assets/report/ as plain
// browser JavaScript and CSS.

import * as fs from "node:fs";
import { createRequire } from "node:module";
import type { ReportData } from "./data.js";

const require = createRequire(import.meta.url);

function asset(name: string): string {
  return fs.readFileSync(new URL(`../../assets/report/${name}`, import.meta.url), "utf8");
}

/** JSON that is safe inside a <script> element: no "</script>" or "<!--" can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

export function reportHtml(data: ReportData): string {
  const uplotJs = fs.readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
  const uplotCss = fs.readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  const title = `orchsim: ${data.summary.scenario} (seed ${data.summary.seed})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${uplotCss}</style>
<style>${asset("page.css")}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><button id="theme" type="button">dark / light</button></header>
<main id="report"></main>
<script id="data" type="application/json">${scriptJson(data)}</script>
<script>${uplotJs.replace(/<\/script/gi, "<\\/script")}</script>
<script>${asset("page.js")}</script>
</body>
</html>
`;
}
