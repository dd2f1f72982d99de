// The npm package as its users get it: packed by crates/wasm/npm/pack.sh, installed from the
// tarball into a temporary directory (offline: it has no dependencies), then its example, its
// Node.js entry and its browser entry against the CLI, and its TypeScript types against the CLI's
// real reports with tsc (which must also reject wrong ones).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, PCAPS, ROOT, serve, WEB } from "./harness.mjs";

const CLI = join(ROOT, "target/debug/pcap-tls-diagnose");
const TSC = join(ROOT, "tests/browser/node_modules/.bin/tsc");
const HEADLINE = "tls12-mtls-missing-client-cert-openssl.pcap";

/** The CLI's output (exit 1, an error finding, is not a failure here). */
function cli(...args) {
  const run = spawnSync(CLI, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  assert.ok(run.status === 0 || run.status === 1, `${args.join(" ")}: exit ${run.status}: ${run.stderr}`);
  return run;
}

/** The CLI's JSON report of a case: a capture and the options it is analysed with. */
function cliJson({ capture, cert, ca, keylogs = [] }) {
  const args = ["--format", "json"];
  if (cert) args.push("--client-cert", cert);
  if (ca) args.push("--ca", ca);
  for (const k of keylogs) args.push("--keylog", k);
  return JSON.parse(cli(...args, capture).stdout);
}

let tarball; // the packed package
let dir; // where it is installed
let cut; // a capture cut short, in dir
const cases = []; // captures with options, for the Node.js entry and the types

before(async () => {
  assert.ok(existsSync(CLI), `build the CLI first (cargo build): ${CLI}`);
  assert.ok(existsSync(join(WEB, "pkg/pcap_tls_diagnose_wasm_bg.wasm")), "build the module first: bash web/build.sh");
  const packed = execFileSync("bash", [join(ROOT, "crates/wasm/npm/pack.sh"), "--no-build"], { encoding: "utf8" });
  tarball = packed.trim().split("\n").at(-1);
  dir = await mkdtemp(join(tmpdir(), "pcap-tls-diagnose-npm-"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync(
    "npm",
    ["install", "--offline", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error", tarball],
    { cwd: dir, encoding: "utf8" },
  );
  cut = join(dir, "cut.pcap");
  await writeFile(cut, (await readFile(join(PCAPS, HEADLINE))).subarray(0, 1000));
  const files = await readdir(PCAPS);
  const capture = (k) => [".pcap", ".pcapng"].map((e) => k.replace(/\.keys$/, e)).find((f) => files.includes(f));
  cases.push(
    { capture: join(PCAPS, HEADLINE) },
    { capture: join(PCAPS, "tls12-mtls-missing-client-cert-ipv6.pcap") },
    { capture: join(PCAPS, "tls13-certificate-required-openssl-dumpcap.pcapng") },
    { capture: join(PCAPS, "plain-http-only.pcap") },
    { capture: join(PCAPS, "tls-multi-connection-two-ports.pcap") },
    { capture: cut },
    {
      capture: join(PCAPS, "tls12-mtls-java-client-cert-not-in-ca-list.pcap"),
      cert: join(PCAPS, "certs/client-unrelated.pem"),
    },
    { capture: join(PCAPS, "tls12-mtls-ok.pcap"), ca: join(PCAPS, "certs/client-unrelated.pem") },
    ...files
      .filter((f) => f.endsWith(".keys"))
      .sort()
      .map((k) => ({ capture: join(PCAPS, capture(k)), keylogs: [join(PCAPS, k)] })),
  );
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("the tarball holds the entries, the types, the example and the page's WebAssembly, at the workspace's version", async (t) => {
  const listed = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n").sort();
  assert.deepEqual(
    listed,
    [
      "README.md", "examples/diagnose.mjs", "index.d.ts", "index.js", "lib.js", "node.js", "package.json",
      "pkg/pcap_tls_diagnose_wasm.d.ts", "pkg/pcap_tls_diagnose_wasm.js", "pkg/pcap_tls_diagnose_wasm_bg.wasm",
      "pkg/pcap_tls_diagnose_wasm_bg.wasm.d.ts", "report.d.ts",
    ].map((f) => `package/${f}`),
  );
  const pkg = join(dir, "node_modules/pcap-tls-diagnose");
  const manifest = JSON.parse(await readFile(join(pkg, "package.json"), "utf8"));
  const report = cliJson({ capture: join(PCAPS, HEADLINE) });
  assert.equal(manifest.name, "pcap-tls-diagnose");
  assert.equal(manifest.version, report.tool.version, "the workspace's version");
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.equal(manifest.type, "module");
  assert.deepEqual(manifest.exports["."], {
    types: "./index.d.ts",
    node: "./node.js",
    browser: "./index.js",
    default: "./index.js",
  });
  assert.equal(manifest.dependencies, undefined, "no dependencies: nothing to fetch");
  assert.deepEqual(
    await readFile(join(pkg, "pkg/pcap_tls_diagnose_wasm_bg.wasm")),
    await readFile(join(WEB, "pkg/pcap_tls_diagnose_wasm_bg.wasm")),
  );
  assert.deepEqual(
    await readFile(join(pkg, "report.d.ts"), "utf8"),
    await readFile(join(ROOT, "crates/wasm/npm/report.d.ts"), "utf8"),
  );
  const size = statSync(tarball).size;
  t.diagnostic(`${tarball}: ${size} bytes`);
  assert.ok(size < 2 << 20, `${size} bytes`);
});

/** The example's output, read back: the capture's findings, then each connection's line and findings. */
function readExample(stdout) {
  const entries = [];
  for (const line of stdout.split("\n")) {
    if (line === "capture" || line.startsWith("connection ")) {
      entries.push({ line, findings: [] });
      continue;
    }
    const f = /^ {2}([✗!i]) (\S+) \((error|warning|info)(, likely)?\) {2}(.+)$/.exec(line);
    if (f) {
      assert.equal(f[1], { error: "✗", warning: "!", info: "i" }[f[3]], line);
      entries.at(-1).findings.push([f[2], f[3], f[4] ? "likely" : "certain", f[5]]);
    }
  }
  return entries;
}

test("the installed example prints each connection with a problem and its findings, as the CLI's JSON and text have them", () => {
  const example = join(dir, "node_modules/pcap-tls-diagnose/examples/diagnose.mjs");
  const runs = [
    [HEADLINE],
    ["tls12-mtls-missing-client-cert-ipv6.pcap"],
    ["plain-http-only.pcap"],
    ["tls-multi-connection-two-ports.pcap"],
    ["tls13-resumption-psk.pcap"].filter((f) => existsSync(join(PCAPS, f))),
    ["tls13-mtls-missing-client-cert-keylog.pcap", "--keylog", join(PCAPS, "tls13-mtls-missing-client-cert-keylog.keys")],
    ["tls12-mtls-java-client-cert-not-in-ca-list.pcap", "--client-cert", join(PCAPS, "certs/client-unrelated.pem")],
  ].filter((run) => run.length > 0);
  for (const [name, ...options] of runs) {
    const capture = join(PCAPS, name);
    const json = cli("--format", "json", ...options, capture);
    const report = JSON.parse(json.stdout);
    // The CLI's text shows each connection with a problem under the same line (ten or fewer).
    const text = cli(...options, capture).stdout.split("\n");
    const problems = report.connections.filter((c) => c.findings.some((f) => f.severity !== "info"));
    assert.ok(problems.length <= 10, name);
    const expected = [
      ...(report.findings.length > 0 ? [{ line: "capture", findings: report.findings }] : []),
      ...problems.map((c) => ({
        line: text.find((l) => l.startsWith(`connection ${c.id}  `)),
        findings: c.findings,
      })),
    ].map(({ line, findings }) => ({
      line,
      findings: findings.map((f) => [f.code, f.severity, f.confidence, f.title]),
    }));
    const run = spawnSync(process.execPath, [example, capture, ...options], { cwd: dir, encoding: "utf8" });
    assert.equal(run.stderr, "", name);
    assert.equal(run.status, json.status, `${name}: the CLI's exit code`);
    assert.deepEqual(readExample(run.stdout), expected, name);
    assert.ok(run.stdout.includes(`${report.capture.outcomes.connections} TCP connection`), name);
  }
  // The headline capture in full.
  const run = spawnSync(process.execPath, [example, join(PCAPS, HEADLINE)], { cwd: dir, encoding: "utf8" });
  assert.equal(
    run.stdout,
    "connection 1  127.0.0.1:46830 → 127.0.0.1:20181  SNI localhost  TLS 1.2  FAILED\n" +
      "  ✗ client-cert-missing (error)  The server requires a client certificate and the client sent none\n" +
      "1 TCP connection, 1 with TLS: 0 established, 1 failed, 0 incomplete; 1 with a problem\n",
  );
  // Not a capture: exit 2 and the core's message.
  const bad = spawnSync(process.execPath, [example, join(PCAPS, "README.md")], { cwd: dir, encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /README\.md: not a pcap or pcapng capture/);
});

test("the Node.js entry's diagnose() and diagnoseStream() give the CLI's JSON, with every option", async () => {
  // A program of the installed package's user: "pcap-tls-diagnose" resolves through its exports.
  await writeFile(
    join(dir, "check.mjs"),
    `import { createReadStream, readFileSync } from "node:fs";
import init, { diagnose, diagnoseStream, initSync } from "pcap-tls-diagnose";
await init();
initSync();
const out = [];
for (const c of JSON.parse(process.argv[2])) {
  const options = {
    clientCertificate: c.cert && readFileSync(c.cert),
    trustStore: c.ca && readFileSync(c.ca, "utf8"),
    keyLogs: (c.keylogs ?? []).map((k) => readFileSync(k)),
  };
  const bytes = readFileSync(c.capture);
  const whole = diagnose(bytes, options);
  const fromArrayBuffer = diagnose(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), options);
  const streamed = await diagnoseStream(createReadStream(c.capture, { highWaterMark: 1500 }), options);
  const taken = [];
  const rest = await diagnoseStream([bytes.subarray(0, 100), bytes.subarray(100)], { ...options, onConnections: (cs) => taken.push(cs) });
  out.push({ whole, fromArrayBuffer, streamed, taken, rest });
}
let error;
try {
  diagnose(new TextEncoder().encode("GET / HTTP/1.1\\r\\n"));
} catch (e) {
  error = e instanceof Error && e.message;
}
process.stdout.write(JSON.stringify({ out, error }));
`,
  );
  const run = spawnSync(process.execPath, ["check.mjs", JSON.stringify(cases)], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  assert.equal(run.status, 0, run.stderr);
  const { out, error } = JSON.parse(run.stdout);
  assert.match(error, /^not a pcap or pcapng capture \(the file starts with 47455420/);
  assert.equal(out.length, cases.length);
  assert.ok(cases.length >= 12);
  for (const [i, c] of cases.entries()) {
    const name = `${c.capture} ${JSON.stringify(c)}`;
    const expected = cliJson(c);
    const { whole, fromArrayBuffer, streamed, taken, rest } = out[i];
    assert.deepEqual(whole, expected, name);
    assert.deepEqual(fromArrayBuffer, expected, name);
    assert.deepEqual(streamed, expected, `${name} (streamed)`);
    // Handed over as they end, plus those left at the end: every connection once.
    const all = [...taken.flat(), ...rest.connections].sort((a, b) => a.id - b.id);
    assert.deepEqual({ ...rest, connections: all }, expected, `${name} (onConnections)`);
    if (c.ca) assert.ok(whole.trust_store.length > 0, name);
    if (c.cert) assert.ok(whole.supplied_client_certificates.length > 0, name);
    if (c.keylogs) assert.ok(whole.capture.key_log.lines > 0, name);
    if (c.capture === cut) assert.equal(whole.capture.error.kind, "cut_short");
  }
});

test("the browser entry, in Chromium: init() fetches the module next to it; diagnose() and diagnoseStream() of a File give the CLI's JSON", async () => {
  await copyFile(join(PCAPS, HEADLINE), join(dir, "capture.pcap"));
  await writeFile(
    join(dir, "index.html"),
    `<!doctype html><meta charset="utf-8"><title>package</title>
<script type="importmap">{"imports": {"pcap-tls-diagnose": "/node_modules/pcap-tls-diagnose/index.js"}}</script>
<script type="module">
import init, { diagnose, diagnoseStream } from "pcap-tls-diagnose";
try {
  await init();
  const file = new File([await (await fetch("/capture.pcap")).blob()], "capture.pcap");
  window.result = {
    whole: diagnose(new Uint8Array(await file.arrayBuffer())),
    fromFile: await diagnoseStream(file),
    fromStream: await diagnoseStream(file.stream()),
  };
} catch (e) {
  window.result = { error: String(e) };
}
</script>`,
  );
  const server = await serve(dir);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const requests = [];
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(server.url);
    await page.waitForFunction(() => window.result, null, { timeout: 30000 });
    const result = await page.evaluate(() => window.result);
    assert.equal(result.error, undefined);
    const expected = cliJson({ capture: join(PCAPS, HEADLINE) });
    assert.deepEqual(result.whole, expected);
    assert.deepEqual(result.fromFile, expected);
    assert.deepEqual(result.fromStream, expected);
    assert.ok(requests.includes("/node_modules/pcap-tls-diagnose/pkg/pcap_tls_diagnose_wasm_bg.wasm"), requests.join(" "));
    assert.ok(requests.every((p) => p === "/" || p === "/capture.pcap" || p.startsWith("/node_modules/pcap-tls-diagnose/")));
  } finally {
    await browser.close();
    await server.close();
  }
});

test("tsc --strict accepts the CLI's reports and JSON Lines of every capture as the package's types, and rejects wrong ones", async (t) => {
  const files = (await readdir(PCAPS)).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  assert.ok(files.length >= 25);
  const reports = [...files.map((f) => ({ capture: join(PCAPS, f) })), ...cases].map(cliJson);
  const jsonl = [
    cli("--format", "jsonl", PCAPS).stdout,
    cli("--format", "jsonl", "--all", PCAPS).stdout,
    cli("--format", "jsonl", "--client-cert", join(PCAPS, "certs/client-unrelated.pem"), "--ca", join(PCAPS, "certs/client-unrelated.pem"), join(PCAPS, HEADLINE)).stdout,
    cli("--format", "jsonl", cut).stdout,
  ].flatMap((out) => out.trim().split("\n"));
  // Every kind of line, and the optional and nullable fields both ways, are there.
  const kinds = new Set(jsonl.map((l) => JSON.parse(l).type));
  assert.deepEqual([...kinds].sort(), ["capture", "certificate", "client_hello", "connection", "summary"]);
  const all = JSON.stringify(reports);
  for (const field of ['"decrypted":true', '"first_frame":', '"signature_valid":', '"inferred":', '"trust_store":', '"supplied_client_certificates":', '"error":{', '"certificates_length":', '"incomplete":true']) {
    assert.ok(all.includes(field), `no report has ${field}`);
  }
  const ok = [
    `import init, { Analyzer, diagnose, diagnoseStream } from "pcap-tls-diagnose";`,
    `import type { ConnectionEntry, ConnectionReport, Finding, FindingCode, JsonlLine, Report } from "pcap-tls-diagnose";`,
    ...reports.map((r, i) => `export const report${i}: Report = ${JSON.stringify(r)};`),
    `export const lines: JsonlLine[] = [\n${jsonl.join(",\n")}\n];`,
    // The helpers, typed.
    `function seen0(_: Report): ConnectionReport[] { return []; }`,
    `export async function use(bytes: Uint8Array, text: string): Promise<Report> {
  await init();
  const report: Report = diagnose(bytes, { clientCertificate: bytes, trustStore: text, keyLogs: [bytes, text] });
  const codes: FindingCode[] = report.connections.flatMap((c: ConnectionEntry) => c.findings.map((f) => f.code));
  const whole: Finding[] = seen0(report).flatMap((c: ConnectionReport) => c.findings);
  const analyzer = new Analyzer();
  analyzer.push(bytes);
  const json: string = analyzer.finish();
  analyzer.free();
  const seen: ConnectionReport[] = [];
  const streamed = await diagnoseStream([bytes, bytes.subarray(1)], { onConnections: (cs) => seen.push(...cs) });
  return codes.length + whole.length + json.length + seen.length > 0 ? streamed : diagnoseStream(new Blob([text]));
}`,
  ].join("\n");
  // Each wrong shape on its own line: tsc must report an error on each of these lines.
  const headline = cliJson({ capture: join(PCAPS, HEADLINE) });
  const conn = headline.connections[0];
  const wrong = {
    "an outcome that does not exist": { ...headline, connections: [{ ...conn, outcome: "maybe" }] },
    "a finding code that does not exist": { ...headline, connections: [{ ...conn, findings: [{ ...conn.findings[0], code: "client-cert-missin" }] }] },
    "a field that is always written, missing": { ...headline, connections: [{ ...conn, sni: undefined }] },
    "null for a field that is left out instead": { ...headline, connections: [{ ...conn, messages: [{ ...conn.messages[0], decrypted: null }] }] },
    "a field the report does not have": { ...headline, capture: { ...headline.capture, packets: 12 } },
    "a string for a number": { ...headline, capture: { ...headline.capture, frames: "12" } },
  };
  const bad = [
    `import type { Report } from "pcap-tls-diagnose";`,
    ...Object.entries(wrong).map(([why, r], i) => `export const wrong${i}: Report = ${JSON.stringify(r)}; // ${why}`),
  ].join("\n");
  // The README's TypeScript example, as users copy it.
  const readme = await readFile(join(dir, "node_modules/pcap-tls-diagnose/README.md"), "utf8");
  const example = /```ts\n([^]*?)```/.exec(readme)[1];
  await writeFile(join(dir, "readme.ts"), `declare const bytes: Uint8Array;\n${example}`);
  await writeFile(join(dir, "ok.ts"), ok);
  await writeFile(join(dir, "wrong.ts"), bad);
  const started = Date.now();
  const run = spawnSync(
    TSC,
    ["--noEmit", "--strict", "--module", "nodenext", "--target", "esnext", "--lib", "esnext,dom", "ok.ts", "readme.ts", "wrong.ts"],
    { cwd: dir, encoding: "utf8", maxBuffer: 1 << 26 },
  );
  t.diagnostic(`tsc: ${reports.length} reports, ${jsonl.length} lines (${ok.length} bytes) in ${Date.now() - started} ms`);
  const errors = run.stdout.split("\n").filter((l) => /\): error TS/.test(l));
  assert.deepEqual(errors.filter((l) => !l.startsWith("wrong.ts(")), [], "errors beyond wrong.ts");
  assert.notEqual(run.status, 0);
  Object.keys(wrong).forEach((why, i) => {
    assert.ok(errors.some((l) => l.startsWith(`wrong.ts(${i + 2},`)), `tsc accepted ${why}:\n${run.stdout}`);
  });
});
