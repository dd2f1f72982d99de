// The WASM build gives byte-for-byte the CLI's `--format json` for every capture in pcaps/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PCAPS, ROOT, WEB } from "./harness.mjs";

const CLI = join(ROOT, "target/debug/pcap-tls-diagnose");

test("the WASM report equals the CLI's JSON for every capture", async () => {
  assert.ok(existsSync(CLI), `build the CLI first (cargo build): ${CLI}`);
  const wasm = await import(join(WEB, "pkg/pcap_tls_diagnose_wasm.js"));
  wasm.initSync({ module: await readFile(join(WEB, "pkg/pcap_tls_diagnose_wasm_bg.wasm")) });
  const files = (await readdir(PCAPS)).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  assert.ok(files.length >= 25);
  for (const name of files) {
    const bytes = await readFile(join(PCAPS, name));
    let cli;
    try {
      cli = execFileSync(CLI, ["--format", "json", join(PCAPS, name)], { encoding: "utf8" });
    } catch (e) {
      cli = e.stdout; // exit code 1: error findings; the JSON is on stdout all the same
    }
    assert.equal(wasm.diagnoseJson(bytes), cli, name);
    // The streaming analyser gives the same bytes.
    const analyzer = new wasm.Analyzer();
    for (let i = 0; i < bytes.length; i += 1000) analyzer.push(bytes.subarray(i, i + 1000));
    assert.equal(analyzer.finish(), cli, `${name} (chunked)`);
    // What the page uses: the same report, without indentation.
    const compact = new wasm.Analyzer();
    compact.push(bytes);
    const json = compact.finishCompact();
    assert.ok(json.length < cli.length && !json.includes("\n  "), name);
    assert.deepEqual(JSON.parse(json), JSON.parse(cli), `${name} (compact)`);
  }
});

test("a file that is not a capture is a JavaScript Error with the core's message", async () => {
  const wasm = await import(join(WEB, "pkg/pcap_tls_diagnose_wasm.js"));
  wasm.initSync({ module: await readFile(join(WEB, "pkg/pcap_tls_diagnose_wasm_bg.wasm")) });
  assert.throws(() => wasm.diagnoseJson(new TextEncoder().encode("GET / HTTP/1.1\r\n")), {
    message: /^not a pcap or pcapng capture \(the file starts with 47455420/,
  });
});

test("with a client certificate, the WASM report equals `--client-cert`'s JSON", async () => {
  const wasm = await import(join(WEB, "pkg/pcap_tls_diagnose_wasm.js"));
  wasm.initSync({ module: await readFile(join(WEB, "pkg/pcap_tls_diagnose_wasm_bg.wasm")) });
  for (const [name, cert] of [
    ["tls12-mtls-java-client-cert-not-in-ca-list.pcap", "client-unrelated.pem"],
    ["tls12-client-cert-type-mismatch.pcap", "client-ec.der"],
  ]) {
    const certPath = join(PCAPS, "certs", cert);
    let cli;
    try {
      cli = execFileSync(CLI, ["--format", "json", "--client-cert", certPath, join(PCAPS, name)], { encoding: "utf8" });
    } catch (e) {
      cli = e.stdout;
    }
    assert.match(cli, /supplied_client_certificates/);
    const analyzer = new wasm.Analyzer();
    analyzer.setClientCertificate(await readFile(certPath));
    analyzer.push(await readFile(join(PCAPS, name)));
    assert.equal(analyzer.finish(), cli, `${name} + ${cert}`);
  }
  const analyzer = new wasm.Analyzer();
  assert.throws(() => analyzer.setClientCertificate(new TextEncoder().encode("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")), {
    message: /^no certificate in the file, only PRIVATE KEY/,
  });
});

test("with a key log or a trust store, the WASM report equals `--keylog`'s and `--ca`'s JSON", async () => {
  const wasm = await import(join(WEB, "pkg/pcap_tls_diagnose_wasm.js"));
  wasm.initSync({ module: await readFile(join(WEB, "pkg/pcap_tls_diagnose_wasm_bg.wasm")) });
  const files = await readdir(PCAPS);
  const keyed = files.filter((f) => f.endsWith(".keys")).sort();
  assert.ok(keyed.length >= 6);
  // A key log's capture: NAME.pcap or NAME.pcapng.
  const capture = (k) => [".pcap", ".pcapng"].map((e) => k.replace(/\.keys$/, e)).find((f) => files.includes(f));
  const cases = [
    ...keyed.map((k) => [capture(k), "--keylog", join(PCAPS, k), "addKeyLog"]),
    ["tls12-mtls-ok.pcap", "--ca", join(PCAPS, "certs/client-unrelated.pem"), "setTrustStore"],
  ];
  for (const [name, option, file, method] of cases) {
    let cli;
    try {
      cli = execFileSync(CLI, ["--format", "json", "--all", option, file, join(PCAPS, name)], { encoding: "utf8" });
    } catch (e) {
      cli = e.stdout;
    }
    const analyzer = new wasm.Analyzer();
    // Every entry in full, as --all: the decryption facts of every connection are in it.
    analyzer.setAll(true);
    analyzer[method](await readFile(file));
    const bytes = await readFile(join(PCAPS, name));
    for (let i = 0; i < bytes.length; i += 4096) analyzer.push(bytes.subarray(i, i + 4096));
    const json = analyzer.finish();
    assert.equal(json, cli, `${name} ${option}`);
    if (option === "--keylog") assert.ok(JSON.parse(json).connections.some((c) => c.decryption?.records_decrypted > 0), name);
  }
});

test("the WASM Markdown report equals the CLI's, redacted or not, for every capture", async () => {
  const wasm = await import(join(WEB, "pkg/pcap_tls_diagnose_wasm.js"));
  wasm.initSync({ module: await readFile(join(WEB, "pkg/pcap_tls_diagnose_wasm_bg.wasm")) });
  const files = (await readdir(PCAPS)).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  for (const name of files) {
    const bytes = await readFile(join(PCAPS, name));
    for (const redact of [false, true]) {
      const args = ["--format", "markdown", ...(redact ? ["--redact"] : []), join(PCAPS, name)];
      let cli;
      try {
        cli = execFileSync(CLI, args, { encoding: "utf8" });
      } catch (e) {
        cli = e.stdout;
      }
      assert.equal(wasm.diagnoseMarkdown(bytes, redact), cli, `${name} redact=${redact}`);
    }
  }
});
