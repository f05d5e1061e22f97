// What both pages (report.html, sweep-report.html) share: the head with the common style, the
// header with the theme button, and escaping.

import * as fs from "node:fs";

/** A file of assets/report/ (the pages' own browser script and style). */
export function asset(name: string): string {
  return fs.readFileSync(new URL(`../../assets/report/${name}`, import.meta.url), "utf8");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** A page: the shared style plus `style`, a header with the title and the theme button, then `body`. */
export function page(title: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
<style>${asset("page.css")}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><button id="theme" type="button">dark / light</button></header>
${body}
</body>
</html>
`;
}
