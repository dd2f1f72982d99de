#!/usr/bin/env node
// Prints each connection of a capture that has a problem, with its findings (code, severity,
// title), as the CLI's text output starts them:
//
//   node examples/diagnose.mjs capture.pcap [--keylog keys.txt]… [--client-cert client.pem] [--ca ca.pem]
//
// The capture is read as a stream, so any size will do. Exit code as the CLI's: 0 without an
// error finding, 1 with one, 2 when the file cannot be read as a capture at all.

import { createReadStream, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { diagnoseStream } from "pcap-tls-diagnose";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    keylog: { type: "string", multiple: true, default: [] },
    "client-cert": { type: "string" },
    ca: { type: "string" },
  },
});
if (positionals.length !== 1) {
  console.error("usage: node diagnose.mjs CAPTURE [--keylog FILE]… [--client-cert FILE] [--ca FILE]");
  process.exit(2);
}
const [file] = positionals;

let report;
try {
  report = await diagnoseStream(createReadStream(file), {
    keyLogs: values.keylog.map((path) => readFileSync(path)),
    clientCertificate: values["client-cert"] && readFileSync(values["client-cert"]),
    trustStore: values.ca && readFileSync(values.ca),
  });
} catch (error) {
  console.error(`diagnose.mjs: ${file}: ${error.message}`);
  process.exit(2);
}

const MARK = { error: "✗", warning: "!", info: "i" };
/** @param {import("pcap-tls-diagnose").Finding} f */
const finding = (f) =>
  `  ${MARK[f.severity]} ${f.code} (${f.severity}${f.confidence === "likely" ? ", likely" : ""})  ${f.title}`;
/** @param {import("pcap-tls-diagnose").Endpoint} e */
const endpoint = (e) => (e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
const OUTCOME = { established: "established", failed: "FAILED", incomplete: "incomplete", not_tls: "not TLS" };

for (const f of report.findings) console.log(`capture\n${finding(f)}`);
const problems = report.connections.filter((c) => c.findings.some((f) => f.severity !== "info"));
for (const c of problems) {
  const sni = c.sni === null ? "" : `  SNI ${c.sni}`;
  const version = c.tls_version === null ? "" : `  ${c.tls_version}`;
  const resumed = c.resumed ? " (resumed)" : "";
  console.log(`connection ${c.id}  ${endpoint(c.client)} → ${endpoint(c.server)}${sni}${version}  ${OUTCOME[c.outcome]}${resumed}`);
  for (const f of c.findings) console.log(finding(f));
}
const { outcomes } = report.capture;
const count = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
console.log(
  `${count(outcomes.connections, "TCP connection")}, ${outcomes.tls} with TLS: ${outcomes.established} established, ` +
    `${outcomes.failed} failed, ${outcomes.incomplete} incomplete; ${problems.length} with a problem`,
);
// A capture cut short: everything above was read before the point where reading stopped.
if (report.capture.error) console.error(`diagnose.mjs: ${file}: ${report.capture.error.message}`);

const errors = [...report.findings, ...report.connections.flatMap((c) => c.findings)].some((f) => f.severity === "error");
process.exitCode = errors ? 1 : 0;
