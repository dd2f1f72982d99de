// Shared pieces of the browser tests: a static server for web/ on 127.0.0.1 and Debian's
// Chromium driven by playwright-core (no browser download).

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const WEB = join(ROOT, "web");
export const PCAPS = join(ROOT, "pcaps");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".mjs": "text/javascript; charset=utf-8",
};

/** Serves web/ (or another directory) on 127.0.0.1 (a free port); resolves to { url, close }. */
export async function serve(root = WEB) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Debian's Chromium, headless, with the flags this machine needs (no background networking). */
export function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Opens the page and records every request it makes. */
export async function open(browser, url, colorScheme = "light") {
  const context = await browser.newContext({ colorScheme });
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const dialogs = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, requests, dialogs, errors, context };
}

/** Waits until the page finished an analysis (or failed); returns the state. */
export async function analysed(page) {
  await page.waitForFunction(() => ["done", "error"].includes(document.body.dataset.state), null, { timeout: 30000 });
  return page.evaluate(() => document.body.dataset.state);
}
