// Benchmark: time from dropping a capture on the page to the rendered report, in headless
// Chromium, next to the native CLI analysing the same file (the peer, run side by side).
//
//   bash web/build.sh && cargo build --release -p pcap-tls-diagnose
//   node tests/browser/bench.mjs [capture ...] [--runs N]
//
// For each capture: the first drop on a freshly opened page ("cold": the worker may still be
// compiling the module), then N drops on the same page ("warm"), each measured inside the page
// from the drop event to the second animation frame after the report was inserted (so layout
// and paint are included; the page's own drop-to-DOM time, without waiting for paint, is shown
// too). The CLI peer is the release binary run N times with --format json,
// measured as wall time of the whole process. Figures are medians; the ratio is page / CLI.
// SETTLE_MS=2000 waits that long after the page loaded before the cold drop (a user opens the
// page, then picks a file), so that the cold figure is the first analysis, not the compiling.

import { readFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { join, basename } from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT, PCAPS, serve, launch } from "./harness.mjs";

const args = process.argv.slice(2);
let runs = 20;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--runs") runs = Number(args[++i]);
  else files.push(args[i]);
}
if (!files.length) files.push(join(PCAPS, "tls12-mtls-missing-client-cert-openssl.pcap"));
if (!(runs > 0)) throw new Error("--runs needs a positive number");

const CLI = join(ROOT, "target", "release", "pcap-tls-diagnose");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;

/** Drops the bytes on the page and resolves to the in-page milliseconds until painted. */
async function dropAndTime(page, bytes, name) {
  const transfer = await page.evaluateHandle(
    ({ data, name }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], name));
      return dt;
    },
    { data: bytes, name },
  );
  await page.evaluate(() => {
    window.__benchStart = performance.now();
    delete document.body.dataset.state;
  });
  await page.dispatchEvent("body", "drop", { dataTransfer: transfer });
  await page.waitForFunction(() => ["done", "error"].includes(document.body.dataset.state), null, {
    timeout: 120000,
    polling: "raf",
  });
  return page.evaluate(
    () =>
      new Promise((ok) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => ok([
            document.body.dataset.state,
            performance.now() - window.__benchStart,
            Number(document.body.dataset.elapsedMs),
          ])),
        ),
      ),
  );
}

const server = await serve();
const browser = await launch();
try {
  console.log(`runs per capture: ${runs}; chromium ${browser.version()}; node ${process.version}`);
  for (const file of files) {
    const buffer = await readFile(file);
    const bytes = [...buffer];
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    if (process.env.SETTLE_MS) await new Promise((ok) => setTimeout(ok, Number(process.env.SETTLE_MS)));

    const [state, cold] = await dropAndTime(page, bytes, basename(file));
    if (state !== "done") throw new Error(`${file}: the page reported an error`);
    const warm = [];
    const inserted = [];
    for (let i = 0; i < runs; i++) {
      const [, painted, report] = await dropAndTime(page, bytes, basename(file));
      warm.push(painted);
      inserted.push(report);
    }
    await context.close();

    const cli = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      try {
        execFileSync(CLI, ["--format", "json", file], { stdio: "ignore" });
      } catch (e) {
        // Exit code 1 means "a handshake failed", which is the point of most captures.
        if (e.status !== 1) throw e;
      }
      cli.push(performance.now() - t0);
    }

    const pageMedian = median(warm);
    const cliMedian = median(cli);
    console.log(
      `${basename(file)} (${buffer.length} bytes): drop → rendered cold ${ms(cold)}, ` +
        `warm median ${ms(pageMedian)} (min ${ms(Math.min(...warm))}, max ${ms(Math.max(...warm))}; ` +
        `report in the DOM after ${ms(median(inserted))}); ` +
        `CLI process median ${ms(cliMedian)}; page/CLI ${(pageMedian / cliMedian).toFixed(2)}×`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
