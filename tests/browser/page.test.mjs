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
  assert.match(await page.locator(".ladder").innerText(), /encrypted record \(19 bytes\)/);
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
  assert.match(await page.locator(".connection").innerText(), /handshake-ok/);
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
  assert.equal(report.schema_version, 1);
  assert.equal(report.connections[0].findings[0].code, "client-cert-missing");
  await page.click("#copy-text");
  const copied = await page.evaluate(() => document.body.dataset.copied);
  assert.match(copied, /\[error\] client-cert-missing: The server requires a client certificate/);
});
