// The page in real headless Chromium: file input and drop, findings and ladder, the privacy
// promise (no request beyond the page's own files), text-only rendering of capture data.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { serve, launch, open, analysed, PCAPS, ROOT } from "./harness.mjs";

const SHOTS = join(ROOT, "tests/browser/screenshots");
let server;
let browser;

before(async () => {
  server = await serve();
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Every request stayed on the page's own origin. */
function onlyOwnFiles(requests) {
  const foreign = requests.filter((u) => !u.startsWith(server.url) && !u.startsWith("blob:") && !u.startsWith("data:"));
  assert.deepEqual(foreign, [], "requests beyond the page's own files");
}

test("the headline capture, picked with the file input, shows the missing client certificate", async () => {
  const { page, requests, errors } = await open(browser, server.url);
  await page.setInputFiles("#file", join(PCAPS, "tls12-mtls-missing-client-cert-openssl.pcap"));
  assert.equal(await analysed(page), "done");
  const finding = page.locator('.finding[data-code="client-cert-missing"]');
  await finding.waitFor();
  const text = await finding.innerText();
  assert.match(text, /The server requires a client certificate and the client sent none/);
  assert.match(text, /CN=Test Root CA, O=pcap-tls-diagnose/);
  assert.match(text, /Evidence: frames 6, 8, 9/);
  // The ladder: the empty Certificate and the alert, in red, at their frames.
  const ladder = await page.locator(".ladder").innerText();
  assert.match(ladder, /8\s+0\.\d+\s+Certificate — EMPTY \(no certificate\)/);
  assert.match(ladder, /9\s+0\.\d+\s+Alert fatal handshake_failure \(40\)/);
  const alertColor = await page.locator(".ladder tr.alert .label").first().evaluate((e) => getComputedStyle(e).color);
  assert.notEqual(alertColor, await page.locator(".ladder tr.c2s .label").first().evaluate((e) => getComputedStyle(e).color));
  assert.match(await page.locator(".request").innerText(), /Accepted CAs:\s+CN=Test Root CA/);
  // The hellos' fingerprints, each selected whole by a click to copy it, and the client's stack.
  const prints = await page.locator(".fingerprints").innerText();
  assert.match(prints, /JA4\s+t12d280700_d943125447b4_e7e480e5a997/);
  assert.match(prints, /JA3\s+871a754af286dfb70c1b53c6887c62e0/);
  assert.match(prints, /JA3S\s+ec74a5c51106f0419184d0dd08fb05bc/);
  assert.match(prints, /The client is likely OpenSSL \(curl, Python, s_client, nginx, …\): encrypt_then_mac/);
  assert.equal(await page.locator(".fingerprints code").first().evaluate((e) => getComputedStyle(e).userSelect), "all");
  assert.match(await page.locator("#privacy").innerText(), /Your capture never leaves this browser/);
  await page.screenshot({ path: join(SHOTS, "headline.png"), fullPage: true });
  onlyOwnFiles(requests);
  assert.deepEqual(errors, []);
});

test("a capture dropped on the page is analysed too (TLS 1.3, inferred)", async () => {
  const { page, requests } = await open(browser, server.url, "dark");
  const bytes = [...(await readFile(join(PCAPS, "tls13-mtls-missing-client-cert.pcap")))];
  const transfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], "tls13.pcap"));
    return dt;
  }, bytes);
  await page.dispatchEvent("body", "drop", { dataTransfer: transfer });
  assert.equal(await analysed(page), "done");
  const text = await page.locator(".finding.error").first().innerText();
  assert.match(text, /client-cert-missing/);
  assert.match(text, /\(likely\)/);
  // Each encrypted record is labelled with what its size and place suggest.
  const ladder = await page.locator(".ladder").innerText();
  assert.match(ladder, /encrypted record \(123 bytes\) — likely CertificateRequest/);
  assert.match(ladder, /encrypted record \(25 bytes\) — likely an empty Certificate/);
  assert.match(ladder, /encrypted record \(19 bytes\) — likely a fatal alert/);
  assert.match(ladder, /size and place suggest/);
  assert.match(await page.locator("#summary").innerText(), /13 frames, 1 TCP connection, 1 with TLS/);
  await page.screenshot({ path: join(SHOTS, "tls13-dark.png"), fullPage: true });
  onlyOwnFiles(requests);
});

test("a healthy connection is hidden until asked for, then shows handshake-ok", async () => {
  const { page } = await open(browser, server.url);
  await page.setInputFiles("#file", join(PCAPS, "tls12-mtls-ok.pcap"));
  await analysed(page);
  assert.match(await page.locator("#summary").innerText(), /No problems found/);
  assert.equal(await page.locator(".connection").count(), 0);
  await page.check("#show-all");
  const shown = await page.locator(".connection").innerText();
  assert.match(shown, /handshake-ok/);
  // Its short entry: the chain comes from the report's certificates, by reference.
  assert.match(shown, /No problem: the report keeps a short entry for this connection \(frames 1–\d+/);
  assert.equal(await page.locator(".chain .subject").first().innerText(), "CN=localhost");
});

test("certificate names are shown as text, never run as HTML", async () => {
  const { page, dialogs } = await open(browser, server.url);
  await page.setInputFiles("#file", join(PCAPS, "tls12-server-cert-html-in-name.pcap"));
  await analysed(page);
  await page.check("#show-all");
  const subject = await page.locator(".chain .subject").first().innerText();
  assert.equal(subject, "CN=<img src=x onerror=alert(1)>, O=<script>alert(2)</script>");
  assert.equal(await page.locator(".connection img, .connection script").count(), 0);
  await page.waitForTimeout(200);
  assert.deepEqual(dialogs, [], "no script from the capture ran");
});

test("a file that is not a capture gets the core's error message", async () => {
  const { page } = await open(browser, server.url);
  await page.setInputFiles("#file", { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello, not a pcap") });
  assert.equal(await analysed(page), "error");
  assert.match(await page.locator("#error").innerText(), /not a pcap or pcapng capture/);
});

test("the JSON report can be exported and a text summary copied", async () => {
  const { page } = await open(browser, server.url);
  await page.setInputFiles("#file", join(PCAPS, "tls12-mtls-missing-client-cert-openssl.pcap"));
  await analysed(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
  const report = JSON.parse(await readFile(await download.path(), "utf8"));
  // The whole document, as `--format json` writes it.
  assert.equal(JSON.stringify(report, null, 2) + "\n", await cliOutput(["--format", "json", join(PCAPS, "tls12-mtls-missing-client-cert-openssl.pcap")]));
  assert.equal(report.schema_version, 2);
  assert.equal(report.connections[0].findings[0].code, "client-cert-missing");
  await page.click("#copy-text");
  const copied = await page.evaluate(() => document.body.dataset.copied);
  assert.match(copied, /\[error\] client-cert-missing: The server requires a client certificate/);
});

/** The CLI's output for these arguments (exit 1, errors found, is not a failure). */
async function cliOutput(args) {
  const { execFileSync } = await import("node:child_process");
  try {
    return execFileSync(join(ROOT, "target/debug/pcap-tls-diagnose"), args, { encoding: "utf8" });
  } catch (e) {
    return e.stdout;
  }
}

test("a report for a ticket is copied redacted by default, with the names when asked", async () => {
  const { page, context, requests } = await open(browser, server.url);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  const capture = join(PCAPS, "tls12-mtls-missing-client-cert-openssl.pcap");
  await page.setInputFiles("#file", capture);
  assert.equal(await analysed(page), "done");
  await page.click("#copy-ticket");
  await page.waitForFunction(() => document.getElementById("copy-ticket").textContent === "Copied");
  const redacted = await page.evaluate(() => navigator.clipboard.readText());
  // The clipboard holds what the CLI writes with --format markdown --redact, byte for byte.
  assert.equal(redacted, await cliOutput(["--format", "markdown", "--redact", capture]));
  assert.match(redacted, /`client-cert-missing`/);
  assert.doesNotMatch(redacted, /127\.0\.0\.1|localhost|Test Root CA/);
  await page.check("#keep-names");
  await page.click("#copy-ticket");
  await page.waitForFunction(() => document.body.dataset.copied.includes("127.0.0.1"));
  const named = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(named, await cliOutput(["--format", "markdown", capture]));
  onlyOwnFiles(requests);
});

test("a certificate downloads as PEM and its SHA-256 fingerprint copies", async () => {
  const { page, context } = await open(browser, server.url);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  const capture = join(PCAPS, "tls12-mtls-missing-client-cert-openssl.pcap");
  await page.setInputFiles("#file", capture);
  assert.equal(await analysed(page), "done");
  const report = await cliReport(capture);
  const leaf = report.connections[0].server_certificates[0];
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator(".download-pem").first().click()]);
  assert.match(download.suggestedFilename(), /^localhost-[0-9a-f]{16}\.pem$/);
  const pem = await readFile(await download.path(), "utf8");
  assert.match(pem, /^-----BEGIN CERTIFICATE-----\n/);
  // openssl reads it, and its fingerprint is the report's.
  const { execFileSync } = await import("node:child_process");
  const fingerprint = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], { input: pem, encoding: "utf8" });
  assert.equal(fingerprint.trim().split("=")[1].replaceAll(":", "").toLowerCase(), leaf.sha256);
  await page.locator(".copy-sha256").first().click();
  await page.waitForFunction(() => document.querySelector(".copy-sha256").textContent === "Copied");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), leaf.sha256);
});

test("keyboard only: Tab reaches the chooser, Enter opens it, focus lands on the result", async () => {
  const { page } = await open(browser, server.url);
  // Playwright turns on file chooser interception when asked to wait for one; ask first.
  const choosing = page.waitForEvent("filechooser");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "drop");
  await page.keyboard.press("Enter");
  const chooser = await choosing;
  await chooser.setFiles(join(PCAPS, "tls12-mtls-missing-client-cert-openssl.pcap"));
  assert.equal(await analysed(page), "done");
  assert.equal(await page.evaluate(() => document.activeElement.id), "summary-title");
  // Every control the page offers afterwards is reachable with Tab and has an accessible name.
  const names = await page.evaluate(() =>
    [...document.querySelectorAll("button, input, [tabindex='0']")].map((e) =>
      (e.labels && e.labels[0] ? e.labels[0].textContent : e.getAttribute("aria-label") || e.textContent).trim(),
    ),
  );
  assert.ok(names.every((n) => n.length > 0), `unnamed control among ${JSON.stringify(names)}`);
});

/** WCAG 2 contrast ratio of two computed `rgb(...)` colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

for (const scheme of ["light", "dark"]) {
  test(`text has at least 4.5:1 contrast in the ${scheme} scheme`, async () => {
    const { page } = await open(browser, server.url, scheme);
    await page.setInputFiles("#file", join(PCAPS, "tls12-mtls-missing-client-cert-java-server.pcap"));
    assert.equal(await analysed(page), "done");
    const pairs = await page.evaluate(() => {
      const background = (node) => {
        for (let n = node; n; n = n.parentElement) {
          const bg = getComputedStyle(n).backgroundColor;
          if (bg && !bg.endsWith(", 0)") && bg !== "transparent") return bg;
        }
        return getComputedStyle(document.body).backgroundColor;
      };
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        const node = t.parentElement;
        if (!t.textContent.trim() || !node.checkVisibility()) continue;
        out.push({ text: t.textContent.trim().slice(0, 40), fg: getComputedStyle(node).color, bg: background(node) });
      }
      return out;
    });
    assert.ok(pairs.length > 50, `only ${pairs.length} text nodes`);
    const low = pairs.filter((p) => contrast(p.fg, p.bg) < 4.5);
    assert.deepEqual(low, []);
  });
}

/** Puts a File on the page: the headline capture's records repeated up to about `size` bytes
 * (one 4 MiB block referenced many times, so the page holds it cheaply). */
async function bigCapture(page, size) {
  const bytes = [...(await readFile(join(PCAPS, "tls12-mtls-missing-client-cert-openssl.pcap")))];
  return page.evaluateHandle(
    ({ data, size }) => {
      const all = new Uint8Array(data);
      const header = all.subarray(0, 24);
      const records = all.subarray(24);
      const block = new Uint8Array(Math.floor((4 << 20) / records.length) * records.length);
      for (let o = 0; o < block.length; o += records.length) block.set(records, o);
      const parts = [header];
      for (let n = 0; n < size; n += block.length) parts.push(block);
      const dt = new DataTransfer();
      dt.items.add(new File(parts, "big.pcap"));
      return dt;
    },
    { data: bytes, size },
  );
}

test("a long analysis shows progress, can be cancelled, and the next file still works", async () => {
  const { page, errors } = await open(browser, server.url);
  await page.dispatchEvent("body", "drop", { dataTransfer: await bigCapture(page, 1 << 30) });
  await page.waitForFunction(() => document.getElementById("progress-bar").value > 0);
  assert.equal(await page.locator("#progress").isVisible(), true);
  await page.click("#cancel");
  await page.waitForFunction(() => document.body.dataset.state === "cancelled", null, { timeout: 30000 });
  assert.equal(await page.locator("#progress").isVisible(), false);
  assert.equal(await page.locator("#results").isVisible(), false);
  await page.setInputFiles("#file", join(PCAPS, "tls13-mtls-missing-client-cert.pcap"));
  assert.equal(await analysed(page), "done");
  assert.match(await page.locator("#summary").innerText(), /1 failed/);
  assert.deepEqual(errors, []);
});

test("a file dropped during an analysis replaces it; the old result never shows", async () => {
  const { page } = await open(browser, server.url);
  await page.dispatchEvent("body", "drop", { dataTransfer: await bigCapture(page, 1 << 30) });
  await page.waitForFunction(() => document.getElementById("progress-bar").value > 0);
  await page.setInputFiles("#file", join(PCAPS, "tls12-mtls-ok.pcap"));
  assert.equal(await analysed(page), "done");
  assert.match(await page.locator("#summary").innerText(), /No problems found/);
  // Give a stale reply from the first file time to arrive: it must be ignored.
  await page.waitForTimeout(500);
  assert.match(await page.locator("#summary").innerText(), /No problems found/);
  assert.equal(await page.evaluate(() => document.body.dataset.state), "done");
});

test("a client certificate chosen with the capture makes the cause certain, and stays local", async () => {
  const { page, requests, errors } = await open(browser, server.url);
  await page.setInputFiles("#cert", join(PCAPS, "certs/client-unrelated.pem"));
  await page.setInputFiles("#file", join(PCAPS, "tls12-mtls-java-client-cert-not-in-ca-list.pcap"));
  assert.equal(await analysed(page), "done");
  assert.match(await page.locator("#summary").innerText(), /Checked against your client certificate: CN=client\.elsewhere\.example/);
  const finding = page.locator(".finding", { hasText: "client-cert-not-in-ca-list" });
  assert.match(await finding.innerText(), /The certificate you supplied/);
  assert.doesNotMatch(await finding.innerText(), /\(likely\)/);
  // Removing it analyses the same capture again, without it.
  await page.click("#cert-clear");
  await page.waitForFunction(() => !document.querySelector(".supplied") && document.body.dataset.state === "done");
  assert.equal(await page.locator(".finding", { hasText: "client-cert-not-in-ca-list" }).count(), 0);
  onlyOwnFiles(requests);
  assert.deepEqual(errors, []);
});

test("a capture and a certificate dropped together; a bad certificate file is named in the error", async () => {
  const { page } = await open(browser, server.url, "dark");
  const capture = [...(await readFile(join(PCAPS, "tls12-client-cert-type-mismatch.pcap")))];
  const cert = [...(await readFile(join(PCAPS, "certs/client-ec-chain.pem")))];
  const both = await page.evaluateHandle(({ capture, cert }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(cert)], "client-ec-chain.pem"));
    dt.items.add(new File([new Uint8Array(capture)], "mismatch.pcap"));
    return dt;
  }, { capture, cert });
  await page.dispatchEvent("body", "drop", { dataTransfer: both });
  assert.equal(await analysed(page), "done");
  const finding = page.locator(".finding", { hasText: "client-cert-type-mismatch" });
  assert.match(await finding.innerText(), /Your client certificate's key \(EC P-256\)/);
  await page.screenshot({ path: join(SHOTS, "client-cert-dark.png"), fullPage: true });

  const bad = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(["-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"], "client.key.pem"));
    return dt;
  });
  await page.evaluate(() => delete document.body.dataset.state);
  await page.dispatchEvent("body", "drop", { dataTransfer: bad });
  assert.equal(await analysed(page), "error");
  assert.match(await page.locator("#error").innerText(), /Your client certificate \(client\.key\.pem\) could not be read: no certificate in the file, only PRIVATE KEY/);
});

test("a key log dropped with its TLS 1.3 capture decrypts the handshake, and stays local", async () => {
  const { page, requests, errors } = await open(browser, server.url);
  const capture = [...(await readFile(join(PCAPS, "tls13-mtls-missing-client-cert-keylog.pcap")))];
  const keys = [...(await readFile(join(PCAPS, "tls13-mtls-missing-client-cert-keylog.keys")))];
  const both = await page.evaluateHandle(({ capture, keys }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(keys)], "sslkeys.log"));
    // A capture whose name says "keylog" is still a capture.
    dt.items.add(new File([new Uint8Array(capture)], "tls13-with-keylog.pcap"));
    return dt;
  }, { capture, keys });
  await page.dispatchEvent("body", "drop", { dataTransfer: both });
  assert.equal(await analysed(page), "done");
  assert.match(await page.locator("#keylog-name").innerText(), /Using sslkeys\.log/);
  // Only the file in use has its Remove button.
  assert.ok(await page.locator("#keylog-clear").isVisible());
  assert.ok(await page.locator("#cert-clear").isHidden());
  assert.ok(await page.locator("#ca-clear").isHidden());
  const finding = page.locator('.finding[data-code="client-cert-missing"]');
  const text = await finding.innerText();
  assert.doesNotMatch(text, /\(likely\)/);
  assert.match(text, /certificate_required alert \(116, frame 9\)/);
  assert.match(await page.locator(".keylog").innerText(), /Key log: 8 record\(s\) decrypted/);
  const ladder = await page.locator("table.ladder").innerText();
  assert.match(ladder, /CertificateRequest \(decrypted\)/);
  assert.match(ladder, /Certificate — EMPTY \(no certificate\) \(decrypted\)/);
  await page.screenshot({ path: join(SHOTS, "keylog.png"), fullPage: true });
  // Without the key log, the same capture is only inferred again.
  await page.click("#keylog-clear");
  await page.waitForFunction(() => !document.querySelector(".keylog") && document.body.dataset.state === "done");
  assert.match(await page.locator('.finding[data-code="client-cert-missing"]').innerText(), /\(likely\)/);
  onlyOwnFiles(requests);
  assert.deepEqual(errors, []);
});

test("a trust store is chosen with its own input; a file that is not a key log is named in the error", async () => {
  const { page, errors } = await open(browser, server.url);
  await page.setInputFiles("#ca", join(PCAPS, "certs/client-unrelated.pem"));
  await page.setInputFiles("#file", join(PCAPS, "tls12-mtls-ok.pcap"));
  assert.equal(await analysed(page), "done");
  assert.match(await page.locator("#summary").innerText(), /Chains followed up to your trust store \(1 CA\)/);
  assert.equal(await page.locator('.finding[data-code="server-cert-untrusted"]').count(), 1);

  await page.evaluate(() => delete document.body.dataset.state);
  await page.setInputFiles("#keylog", join(PCAPS, "certs/root.pem"));
  assert.equal(await analysed(page), "error");
  assert.match(await page.locator("#error").innerText(), /Your key log \(root\.pem\) could not be read: no key log line/);
  assert.deepEqual(errors, []);
});

/** A capture made by the benchmark's generator (crates/bench; `cargo test` builds it), once. */
async function generated(name, args) {
  const { execFileSync } = await import("node:child_process");
  const { existsSync } = await import("node:fs");
  const gen = join(ROOT, "target/debug/pcap-tls-bench");
  assert.ok(existsSync(gen), `build the generator first (cargo test --workspace): ${gen}`);
  const file = join(ROOT, "target/bench", name);
  if (!existsSync(file)) execFileSync(gen, ["generate", ...args, "--out", file]);
  return file;
}

/** The CLI's JSON report of a capture (exit 1, errors found, is not a failure). */
async function cliReport(file) {
  const { execFileSync } = await import("node:child_process");
  let cli;
  try {
    cli = execFileSync(join(ROOT, "target/debug/pcap-tls-diagnose"), ["--format", "json", file], { encoding: "utf8", maxBuffer: 1 << 30 });
  } catch (e) {
    cli = e.stdout;
  }
  return JSON.parse(cli);
}

test("a 48 MiB capture streams through the worker in slices, with progress, to the CLI's result", async () => {
  // Thousands of frames of bulk TLS on many concurrent connections.
  const file = await generated("browser-48M.pcap", ["--size", "48M"]);
  const expected = await cliReport(file);
  const { page, errors } = await open(browser, server.url);
  await page.evaluate(() => {
    window.__progress = new Set();
    new MutationObserver(() => window.__progress.add(document.getElementById("progress-text").textContent))
      .observe(document.getElementById("progress-text"), { childList: true, characterData: true, subtree: true });
  });
  await page.setInputFiles("#file", file);
  assert.equal(await analysed(page), "done");
  const steps = await page.evaluate(() => [...window.__progress].filter((t) => t.startsWith("Analysing")).length);
  assert.ok(steps >= 3, `${steps} progress steps for 3 slices of 16 MiB`);
  const summary = await page.locator("#summary").innerText();
  assert.match(summary, new RegExp(`${expected.capture.frames} frames, ${expected.connections.length} TCP connections`));
  // Many connections with problems: an overview leads, one group per cause (as the CLI's
  // text), errors first, then the largest, with counts that add up to the CLI's connections.
  const problems = expected.connections.filter((c) => c.findings.some((f) => f.severity !== "info"));
  assert.ok(problems.length > 50, `${problems.length} connections with problems`);
  const groups = new Map();
  for (const c of problems) {
    const f = c.findings.find((x) => x.severity !== "info");
    const key = `${f.code} ×`;
    groups.set(key, [...(groups.get(key) ?? []), c.id]);
  }
  const shown = await page.locator("details.group > summary").allInnerTexts();
  const counted = new Map();
  for (const line of shown) {
    const [, code, n] = line.match(/^[✗!] (\S+) ×(\d+) /);
    counted.set(`${code} ×`, (counted.get(`${code} ×`) ?? 0) + Number(n));
  }
  assert.deepEqual(new Map([...counted].sort()), new Map([...groups].map(([k, ids]) => [k, ids.length]).sort()));
  const severities = await page.locator("details.group").evaluateAll((list) => list.map((d) => d.classList.contains("error")));
  assert.deepEqual(severities, [...severities].sort((a, b) => Number(b) - Number(a)), "errors first");
  // The chart: one bar segment per cause and time slice; together they count every connection.
  const barTotal = await page.locator(".chart rect.bar title").evaluateAll((titles) =>
    titles.reduce((sum, t) => sum + Number(t.textContent.match(/: (\d+) connection/)[1]), 0));
  assert.equal(barTotal, expected.connections.length);
  await page.locator(".overview > h3").evaluate((h) => h.scrollIntoView());
  await page.screenshot({ path: join(SHOTS, "groups.png") });
  // The first group is open with its first 50 connections; the button brings the next ones.
  const first = page.locator("details.group").first();
  const firstIds = await first.locator(".connection").evaluateAll((list) => list.map((a) => Number(a.dataset.id)));
  const firstCode = await first.getAttribute("data-code");
  const firstTitle = (await first.locator("summary").innerText()).replace(/^[✗!] \S+ ×\d+ /, "");
  const members = problems.filter((c) => {
    const f = c.findings.find((x) => x.severity !== "info");
    return f.code === firstCode && f.title === firstTitle;
  });
  assert.deepEqual(firstIds, members.slice(0, 50).map((c) => c.id));
  if (members.length > 50) {
    await first.locator("button.more").click();
    assert.equal(await first.locator(".connection").count(), Math.min(100, members.length));
  }
  // Another group lists its connections when it is opened.
  const second = page.locator("details.group").nth(1);
  assert.equal(await second.locator(".connection").count(), 0);
  await second.locator("summary").click();
  assert.ok((await second.locator(".connection").count()) > 0);
  // "Show healthy connections" lists every connection, problems first, 50 at a time.
  await page.check("#show-all");
  assert.equal(await page.locator("details.group").count(), 0);
  assert.equal(await page.locator(".connection").count(), 50);
  const ids = await page.locator(".connection").evaluateAll((list) => list.map((a) => Number(a.dataset.id)));
  assert.deepEqual(ids, problems.slice(0, 50).map((c) => c.id));
  assert.deepEqual(errors, []);
});

test("many short connections: the first ones with a problem show before the file is read to its end", async () => {
  // Thousands of short connections (the generator's "short" shape): connections that ended
  // leave the analysis as others end, and the page shows them while it reads on.
  const file = await generated("browser-short-40M.pcap", ["--shape", "short", "--size", "40M"]);
  const { page, errors } = await open(browser, server.url);
  await page.evaluate(() => {
    window.__early = [];
    new MutationObserver(() => {
      const shown = document.querySelectorAll("#so-far .connection").length;
      const note = document.querySelector("#so-far .so-far-note");
      if (shown) window.__early.push({ shown, state: document.body.dataset.state, progress: document.getElementById("progress-bar").value, note: note && note.textContent });
    }).observe(document.getElementById("so-far"), { childList: true });
  });
  await page.setInputFiles("#file", file);
  assert.equal(await analysed(page), "done");
  const early = await page.evaluate(() => window.__early);
  assert.ok(early.length > 0, "no connection shown before the end");
  assert.equal(early[0].state, "busy");
  assert.ok(early[0].progress < 1, JSON.stringify(early[0]));
  assert.match(early[0].note, /^So far: \d+ connection\(s\) ended, \d+ with a problem\.$/);
  // The report replaces them, and holds every connection, those shown early included.
  assert.equal(await page.locator("#so-far .connection").count(), 0);
  const expected = (await cliReport(file)).capture.outcomes.connections;
  assert.ok(expected > 1024, `${expected} connections`);
  const summary = await page.locator("#summary").innerText();
  assert.match(summary, new RegExp(` ${expected} TCP connections`));
  assert.deepEqual(errors, []);
});
