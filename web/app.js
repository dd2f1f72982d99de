// The page: takes a capture (drop or file input), has the worker analyse it, and renders the
// report. Everything from the capture is inserted as text (textContent), never as HTML.

const $ = (id) => document.getElementById(id);

/** Creates an element; string children become text nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let current = null; // { report, name }

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
let startedAt = 0;

let job = 0; // the analysis the page is waiting for; replies for any other are dropped

// Questions to the worker about the finished analysis (the ticket, a certificate's PEM), by id.
const asked = new Map();
let asks = 0;
function ask(question) {
  asks += 1;
  const id = asks;
  worker.postMessage({ ask: id, ...question });
  return new Promise((resolve, reject) => asked.set(id, { resolve, reject }));
}

worker.onmessage = (event) => {
  if (event.data.ask !== undefined) {
    const pending = asked.get(event.data.ask);
    asked.delete(event.data.ask);
    if (event.data.error) pending.reject(new Error(event.data.error));
    else pending.resolve(event.data);
    return;
  }
  const { job: from, progress, json, error, cancelled, connections } = event.data;
  if (from !== job) return;
  if (connections !== undefined) {
    // Counted, and the first ones with a problem kept to be shown: the report at the end holds
    // them all again (the worker's analyser keeps them), so the page need not.
    for (const c of JSON.parse(connections)) {
      current.ended += 1;
      if (!hasProblem(c)) continue;
      current.problemsSoFar += 1;
      if (current.taken.length < PAGE) current.taken.push(c);
    }
    showSoFar();
    return;
  }
  if (progress !== undefined) {
    $("progress-bar").value = progress;
    $("progress-text").textContent = `Analysing… ${Math.round(progress * 100)} %`;
    return;
  }
  $("progress").hidden = true;
  $("so-far").hidden = true;
  $("so-far").replaceChildren();
  if (cancelled) {
    document.body.dataset.state = "cancelled";
    $("file").value = "";
    return;
  }
  if (error) {
    showError(error, event.data.what);
    return;
  }
  const received = performance.now();
  // The whole document (schema_version 2, every connection: those shown while the file was
  // read are in it again), exported as it is; connections are read through `whole`.
  const report = JSON.parse(json);
  current.taken = [];
  current.report = report;
  const parsed = performance.now();
  render(report);
  // Screen readers and keyboard users land on the result, not back at the top of the page.
  $("summary-title").focus();
  document.body.dataset.state = "done";
  document.body.dataset.elapsedMs = String(Math.round(performance.now() - startedAt));
  const { timing } = event.data;
  if (timing) {
    // Where the time went (tests/browser/bench-large.mjs prints it).
    const ms = (x) => Math.round(x);
    document.body.dataset.timing = JSON.stringify({
      compiling: ms(timing.compiling), read: ms(timing.read), push: ms(timing.push), finish: ms(timing.finish),
      parse: ms(parsed - received), render: ms(performance.now() - parsed),
    });
  }
};

let lastCapture = null; // the capture File, analysed again when a supplied file changes
// The user's optional files, as the CLI's --client-cert, --ca and --keylog: { name, bytes }.
// Read here and given to the worker; never uploaded.
const supplied = { certificate: null, ca: null, keylog: null };
const SUPPLIED = {
  certificate: { input: "cert", noun: "client certificate" },
  ca: { input: "ca", noun: "trust store" },
  keylog: { input: "keylog", noun: "key log" },
};

function analyse(file) {
  lastCapture = file;
  startedAt = performance.now();
  job += 1;
  document.body.dataset.state = "busy";
  current = { name: file.name, report: null, taken: [], shownSoFar: 0, ended: 0, problemsSoFar: 0 };
  $("so-far").replaceChildren();
  $("so-far").hidden = true;
  $("error").hidden = true;
  $("results").hidden = true;
  $("progress").hidden = false;
  $("progress-bar").value = 0;
  $("progress-text").textContent = `Reading ${file.name}…`;
  const bytes = (what) => supplied[what] && supplied[what].bytes;
  worker.postMessage({ job, file, certificate: bytes("certificate"), ca: bytes("ca"), keylog: bytes("keylog") });
}

/** Files that are certificates, not captures: by name, as a user would tell them apart. */
const isCertificate = (file) => /\.(pem|crt|cer|der)$/i.test(file.name);
/** Captures, by their extensions (a capture may well have "keylog" in its name). */
const isCapture = (file) => /\.(pcap|pcapng|cap|gz)$/i.test(file.name);
/** Key logs: SSLKEYLOGFILE's usual names. */
const isKeyLog = (file) => /\.(keys|keylog|log|txt)$/i.test(file.name) || /keylog|sslkey/i.test(file.name);

/** Takes (or, with no file, forgets) one of the user's files and analyses the capture again. */
async function useSupplied(what, file, again = true) {
  const id = SUPPLIED[what].input;
  supplied[what] = file ? { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : null;
  $(`${id}-name`).textContent = file ? `Using ${file.name}.` : "";
  $(`${id}-clear`).hidden = !file;
  if (!file) $(id).value = "";
  if (again && lastCapture) analyse(lastCapture);
}

for (const [what, { input }] of Object.entries(SUPPLIED)) {
  $(input).addEventListener("change", (e) => {
    if (e.target.files.length) useSupplied(what, e.target.files[0]);
  });
  $(`${input}-clear`).addEventListener("click", () => useSupplied(what, null));
}

$("cancel").addEventListener("click", () => worker.postMessage({ cancel: job }));

function showError(message, what) {
  const box = $("error");
  const lead = SUPPLIED[what]
    ? `Your ${SUPPLIED[what].noun} (${supplied[what] ? supplied[what].name : "file"}) could not be read: `
    : "This file could not be read: ";
  box.replaceChildren(el("strong", {}, lead), String(message));
  box.hidden = false;
  document.body.dataset.state = "error";
}

// --- Input: drop anywhere, or the file input --------------------------------------------------

$("file").addEventListener("change", (e) => {
  if (e.target.files.length) analyse(e.target.files[0]);
});
for (const type of ["dragenter", "dragover"]) {
  document.addEventListener(type, (e) => {
    e.preventDefault();
    document.body.classList.add("dragging");
  });
}
for (const type of ["dragleave", "drop"]) {
  document.addEventListener(type, (e) => {
    e.preventDefault();
    if (type === "dragleave" && e.relatedTarget) return;
    document.body.classList.remove("dragging");
  });
}
document.addEventListener("drop", async (e) => {
  const files = e.dataTransfer ? [...e.dataTransfer.files] : [];
  // A capture, a client certificate and a key log may be dropped together, or one after the
  // other (a trust store has its own input: by its name it looks like a certificate).
  const kind = (f) => (isCapture(f) ? "capture" : isCertificate(f) ? "certificate" : isKeyLog(f) ? "keylog" : "capture");
  const capture = files.find((f) => kind(f) === "capture");
  for (const f of files.filter((x) => kind(x) !== "capture")) {
    await useSupplied(kind(f), f, false);
  }
  if (!capture && lastCapture && files.length) analyse(lastCapture);
  if (capture) analyse(capture);
});
$("drop").addEventListener("keydown", (e) => {
  if (e.key === "Enter" || e.key === " ") $("file").click();
});
$("show-all").addEventListener("change", () => current && current.report && render(current.report));

// --- Rendering ---------------------------------------------------------------------------------

const hasProblem = (c) => c.findings.some((f) => f.severity !== "info");

function render(report) {
  const problems = report.connections.filter(hasProblem);
  const tls = report.connections.filter((c) => c.outcome !== "not_tls");
  const count = (o) => tls.filter((c) => c.outcome === o).length;
  const causes = new Map();
  for (const c of problems) {
    const { code } = headline(c);
    causes.set(code, (causes.get(code) || 0) + 1);
  }
  const summary = $("summary");
  summary.replaceChildren(...[
    el("p", {}, `${report.capture.format ?? "unknown format"}, ${report.capture.frames} frames, ` +
      `${report.connections.length} TCP connection${report.connections.length === 1 ? "" : "s"}, ${tls.length} with TLS: ` +
      `${count("established")} established, ${count("failed")} failed, ${count("incomplete")} incomplete.`),
    causes.size
      ? el("p", { class: "causes" }, "Problems: ",
          [...causes].map(([code, n]) => el("span", { class: "code" }, `${code} ×${n}`)))
      : el("p", { class: "ok" }, "No problems found."),
    report.capture.error ? el("p", { class: "warn" }, `Reading stopped early: ${report.capture.error.message}`) : null,
    report.capture.key_log
      ? el("p", { class: "supplied" }, `Key log: secrets for ${report.capture.key_log.sessions} session(s); ` +
          `${report.capture.key_log.connections_matched} connection(s) of this capture matched.`)
      : null,
    report.trust_store && report.trust_store.length
      ? el("p", { class: "supplied" }, `Chains followed up to your trust store (${report.trust_store.length} CA${report.trust_store.length > 1 ? "s" : ""}).`)
      : null,
    report.supplied_client_certificates
      ? el("p", { class: "supplied" }, "Checked against your client certificate: ",
          el("span", { class: "dn" }, report.supplied_client_certificates[0].subject),
          `, issued by ${report.supplied_client_certificates[0].issuer}, ${report.supplied_client_certificates[0].public_key}.`)
      : null,
    ...report.findings.map((f) => finding(f)),
  ].filter(Boolean));
  const showAll = $("show-all").checked;
  const ordered = [...problems, ...report.connections.filter((c) => !hasProblem(c))];
  const shown = ordered.filter((c) => showAll || hasProblem(c));
  const hidden = ordered.length - shown.length;
  $("connections").replaceChildren();
  if (!showAll && problems.length > GROUP_FROM) {
    $("connections").append(overview(report, problems, hidden));
  } else {
    showConnections(shown, 0, hidden);
  }
  $("results").hidden = false;
}

/** More connections with a problem than this are shown as groups by cause (as the CLI does). */
const GROUP_FROM = 10;

const headline = (c) => c.findings.find((f) => f.severity !== "info");

/** Connections with a problem by cause (headline code and title), errors first, then largest. */
function groupsOf(problems) {
  const groups = new Map();
  for (const c of problems) {
    const f = headline(c);
    const key = `${f.code}\u0000${f.title}`;
    if (!groups.has(key)) groups.set(key, { finding: f, connections: [] });
    groups.get(key).connections.push(c);
  }
  const rank = (g) => (g.finding.severity === "error" ? 0 : 1);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b) || b.connections.length - a.connections.length);
}

/** Up to four values by name, more as a count and their range (as sorted strings). */
function collapsed(values, many) {
  const set = [...new Set(values)].sort();
  return set.length <= 4 ? set.join(", ") : `${set.length} ${many}, ${set[0]} to ${set[set.length - 1]}`;
}

/** Seconds since the capture's first frame, from RFC 3339 times. */
const since = (start, t) => (Date.parse(t) - Date.parse(start)) / 1000;

/** The overview for many connections: a chart of outcomes over time by cause, then one
 * expandable group per cause that lists its connections when opened. */
function overview(report, problems, hidden) {
  const groups = groupsOf(problems);
  const box = el("div", { class: "overview" },
    el("h3", {}, `${problems.length} connections with a problem, in ${groups.length} group${groups.length === 1 ? "" : "s"} by cause`),
    chart(report, groups));
  groups.forEach((g, i) => {
    const f = g.finding;
    const starts = g.connections.map((c) => c.start).filter(Boolean).sort();
    const when = starts.length
      ? starts[0] === starts[starts.length - 1]
        ? `At ${starts[0]}.`
        : `From ${starts[0]} to ${starts[starts.length - 1]}.`
      : "";
    const list = el("div", { class: "group-connections" });
    const details = el("details", { class: `group ${f.severity}`, "data-code": f.code },
      el("summary", {},
        el("span", { class: "mark" }, f.severity === "error" ? "✗ " : "! "),
        el("span", { class: "code" }, f.code), ` ×${g.connections.length} `, f.title),
      el("p", { class: "meta" }, `Clients: ${collapsed(g.connections.map((c) => c.client.ip), "addresses")}. ` +
        `Servers: ${collapsed(g.connections.map((c) => endpoint(c.server)), "servers")}. ${when}`),
      list);
    details.addEventListener("toggle", () => {
      if (details.open && !list.childElementCount) showConnections(g.connections, 0, 0, list);
    });
    // The first group opens with its connections; the others on a click.
    if (i === 0) details.open = true;
    box.append(details);
  });
  if (hidden) box.append(el("p", { class: "hidden-note" }, `${hidden} connection(s) without problems hidden.`));
  return box;
}

/** Outcomes over time: one column per time slice, stacked by cause (healthy connections in
 * grey at the bottom), so that it shows when the failures started. SVG, drawn from the report. */
function chart(report, groups) {
  const SVG = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs = {}, ...children) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  };
  const start = report.capture.start;
  const span = start && report.capture.end ? Math.max(since(start, report.capture.end), 1e-3) : 0;
  const SLICES = 60;
  const slice = (c) => (span && c.start ? Math.min(SLICES - 1, Math.floor((since(start, c.start) / span) * SLICES)) : 0);
  // Series: healthy, then each group in order.
  const healthy = report.connections.filter((c) => !hasProblem(c));
  const series = [{ label: "no problem", className: "healthy", connections: healthy },
    ...groups.map((g, i) => ({ label: g.finding.code, className: `cause-${i % 8} ${g.finding.severity}`, connections: g.connections }))];
  const counts = series.map((s) => {
    const n = new Array(SLICES).fill(0);
    for (const c of s.connections) n[slice(c)] += 1;
    return n;
  });
  const totals = new Array(SLICES).fill(0).map((_, i) => counts.reduce((sum, n) => sum + n[i], 0));
  const max = Math.max(1, ...totals);
  const W = 600, H = 120, w = W / SLICES;
  const bars = [];
  for (let i = 0; i < SLICES; i += 1) {
    let y = H;
    series.forEach((s, k) => {
      const n = counts[k][i];
      if (!n) return;
      const h = (n / max) * H;
      y -= h;
      const from = ((span * i) / SLICES).toFixed(3), to = ((span * (i + 1)) / SLICES).toFixed(3);
      bars.push(svg("rect", { x: (i * w).toFixed(2), y: y.toFixed(2), width: Math.max(w - 1, 1).toFixed(2), height: h.toFixed(2),
        class: `bar ${s.className}`, "data-series": s.label },
        svg("title", {}, `${s.label}: ${n} connection(s) starting ${from}–${to} s into the capture`)));
    });
  }
  const legend = el("ul", { class: "legend" }, series.map((s) =>
    el("li", {}, el("span", { class: `swatch ${s.className}`, "aria-hidden": "true" }), `${s.label} (${s.connections.length})`)));
  return el("figure", { class: "chart" },
    svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Connections over time by cause", preserveAspectRatio: "none" }, ...bars),
    el("figcaption", {}, `Connections by the time they started (${span ? `${span.toFixed(3)} s` : "no time"} in ${SLICES} slices), by cause.`),
    legend);
}

/** While the file is read: how many connections ended so far, and the first ones with a
 * problem as they come (up to a page of them); the report replaces them at the end. */
function showSoFar() {
  const box = $("so-far");
  const problems = current.taken;
  const note = el("p", { class: "so-far-note", role: "status" },
    `So far: ${current.ended} connection(s) ended, ${current.problemsSoFar} with a problem.`);
  const first = box.querySelector(".so-far-note");
  if (first) first.replaceWith(note);
  else box.prepend(note);
  const fresh = problems.slice(current.shownSoFar, PAGE);
  box.append(...fresh.map(connection));
  current.shownSoFar += fresh.length;
  box.hidden = false;
}

/** Connections rendered at a time: a capture of a busy gateway can have thousands. */
const PAGE = 50;

/** Renders `list` from `from` on into `box`, a page at a time, with a button for the next page. */
function showConnections(list, from, hidden, box = $("connections")) {
  box.append(...list.slice(from, from + PAGE).map(connection));
  const rest = list.length - from - PAGE;
  if (rest > 0) {
    const more = el("button", { type: "button", class: "more" }, `Show ${Math.min(rest, PAGE)} more of ${rest} remaining connection(s)`);
    more.addEventListener("click", () => {
      more.remove();
      showConnections(list, from + PAGE, hidden, box);
      const next = box.querySelectorAll(".connection")[from + PAGE];
      if (next) next.querySelector("h3").focus();
    });
    box.append(more);
  } else if (hidden) {
    box.append(el("p", { class: "hidden-note" }, `${hidden} connection(s) without problems hidden.`));
  }
}

function endpoint(e) {
  return e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** A connection's entry with its certificates and ClientHello in place: the document refers to
 * them by SHA-256 and id (its `certificates` and `client_hellos`); entries shown while the file
 * is read have them in place already. */
function whole(c) {
  const certificates = current.report?.certificates ?? {};
  const hellos = current.report?.client_hellos ?? {};
  const chain = (list) =>
    list &&
    list.map((r) => {
      const cert = !r.subject && certificates[r.sha256];
      if (!cert) return r;
      return "signature_valid" in r ? { ...cert, signature_valid: r.signature_valid } : cert;
    });
  return {
    ...c,
    server_certificates: chain(c.server_certificates),
    client_certificates: chain(c.client_certificates),
    client_hello: typeof c.client_hello === "string" ? hellos[c.client_hello] ?? null : c.client_hello,
  };
}

function connection(entry) {
  const c = whole(entry);
  const status = { established: "established", failed: "FAILED", incomplete: "incomplete", not_tls: "not TLS" }[c.outcome];
  const head = el("h3", { tabindex: "-1" },
    `Connection ${c.id}: ${endpoint(c.client)} → ${endpoint(c.server)}`,
    c.sni ? el("span", { class: "meta" }, ` SNI ${c.sni}`) : null,
    c.tls_version ? el("span", { class: "meta" }, ` ${c.tls_version}`) : null,
    el("span", { class: `status ${c.outcome}` }, status));
  return el("article", { class: "connection", "data-id": String(c.id), "aria-label": `Connection ${c.id}` },
    head,
    decryption(c),
    el("div", { class: "findings" }, c.findings.map(finding)),
    c.messages?.length || c.alerts?.length ? ladder(c) : null,
    c.messages ? null : el("p", { class: "short-entry" },
      `No problem: the report keeps a short entry for this connection (frames ${c.first_frame}–${c.last_frame}${c.cipher_suite ? `, ${c.cipher_suite}` : ""}); the command line's --all writes every detail.`),
    chains(c),
    request(c),
    fingerprints(c));
}

/** What the key log decrypted on a connection, and what stayed hidden (as the CLI's line). */
function decryption(c) {
  const d = c.decryption;
  if (!d) return null;
  const parts = [d.matched
    ? `Key log: ${d.records_decrypted} record(s) decrypted (${d.secrets.join(", ")})`
    : d.note ? `Key log not used: ${d.note}` : "Key log: no secrets for this connection's ClientHello random"];
  if (d.matched && d.note) parts.push(d.note);
  for (const h of d.hidden) parts.push(`${h.records} ${h.from} record(s) from frame ${h.first_frame} stayed encrypted: ${h.reason}`);
  for (const f of d.failures) parts.push(`the ${f.from}'s record at frame ${f.frame} did not decrypt (${f.reason === "authentication" ? "authentication tag mismatch" : "malformed"})`);
  if (d.http_response) parts.push(`the server answered "${d.http_response.status_line}" (frame ${d.http_response.frame})`);
  return el("p", { class: "keylog" }, parts.join("; ") + ".");
}

function finding(f) {
  const mark = { error: "✗", warning: "!", info: "i" }[f.severity];
  return el("section", { class: `finding ${f.severity}`, "data-code": f.code },
    el("h4", {}, el("span", { class: "mark", "aria-hidden": "true" }, mark), " ",
      el("code", { class: "code" }, f.code), " ", f.title ?? "",
      f.confidence === "likely" ? el("span", { class: "likely" }, " (likely)") : null),
    // A connection without a problem has a short entry: its findings' codes only.
    (f.explanation ?? "").split("\n").filter(Boolean).map((line) => el("p", { class: line.startsWith("    ") ? "indent" : "" }, line.trim())),
    f.remediation ? el("p", { class: "fix" }, el("strong", {}, "Fix: "), f.remediation) : null,
    f.frames?.length ? el("p", { class: "evidence" }, `Evidence: frame${f.frames.length > 1 ? "s" : ""} ${f.frames.join(", ")}`) : null);
}

const MESSAGE_NAMES = {
  encrypted_record: "encrypted record",
  encrypted_handshake: "encrypted handshake message",
  change_cipher_spec: "ChangeCipherSpec",
};
const camel = (s) => s.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");

/** What a TLS 1.3 record's size and place say it most likely is (the report's `inferred`). */
const INFERRED = {
  encrypted_extensions: "EncryptedExtensions",
  certificate_request: "CertificateRequest",
  certificate: "Certificate",
  certificate_verify: "CertificateVerify",
  finished: "Finished",
  server_handshake_flight: "the server's whole flight",
  empty_certificate: "an empty Certificate",
  empty_certificate_and_finished: "an empty Certificate and Finished",
  certificate_certificate_verify_finished: "Certificate, CertificateVerify and Finished",
  new_session_ticket: "NewSessionTicket",
  application_data: "application data",
  data_or_alert: "2 bytes of data, or an alert",
};

/** The handshake as a ladder: client and server columns, arrows labelled with the message. */
function ladder(c) {
  const start = c.start ? Date.parse(c.start) : null;
  const steps = [
    ...c.messages.map((m, i) => ({ kind: "message", at: m.frame, order: i, m })),
    ...c.alerts.map((a, i) => ({ kind: "alert", at: a.frame, order: 1000 + i, a })),
  ].sort((x, y) => x.at - y.at || x.order - y.order);
  const rows = steps.map((s) => {
    const item = s.m || s.a;
    const fromClient = item.from === "client";
    let label;
    let cls = "";
    if (s.kind === "alert") {
      if (item.inferred) label = `encrypted record (${item.length} bytes) — likely a ${item.inferred === "close_notify" ? "close_notify" : "fatal"} alert`;
      else label = item.encrypted ? `encrypted alert (${item.length} bytes)` : `Alert ${item.level} ${item.description} (${item.code})`;
      cls = item.inferred === "close_notify" ? "" : "alert";
    } else {
      label = MESSAGE_NAMES[item.type] ? `${MESSAGE_NAMES[item.type]}${item.encrypted ? ` (${item.length} bytes)` : ""}` : camel(item.type);
      if (item.inferred) label += ` — likely ${INFERRED[item.inferred] || item.inferred}`;
      if (item.certificates_length === 0) { label += " — EMPTY (no certificate)"; cls = "empty"; }
      else if (item.certificates_length) label += ` (${item.certificates_length} bytes)`;
      if (item.incomplete) label += " — incomplete";
      if (item.encrypted) cls = "encrypted";
    }
    if (item.decrypted) {
      label += " (decrypted)";
      cls += " decrypted";
    }
    const time = start && item.time ? ((Date.parse(item.time) - start) / 1000).toFixed(3) : "";
    return el("tr", { class: `${fromClient ? "c2s" : "s2c"} ${cls}` },
      el("td", { class: "frame" }, String(item.frame)),
      el("td", { class: "time" }, time),
      el("td", { class: "arrow" }, el("span", { class: "label" }, label),
        el("span", { class: "line", "aria-hidden": "true" }, fromClient ? "──────────▶" : "◀──────────")));
  });
  const guessed = c.messages.some((m) => m.inferred) || c.alerts.some((a) => a.inferred);
  return el("table", { class: "ladder", "aria-label": `Handshake of connection ${c.id}` },
    guessed ? el("caption", {}, "“likely”: what a TLS 1.3 record's size and place suggest; a key log shows the real messages") : null,
    el("thead", {}, el("tr", {}, el("th", {}, "frame"), el("th", {}, "time (s)"),
      el("th", { class: "ends" }, el("span", {}, `client ${endpoint(c.client)}`), el("span", {}, `server ${endpoint(c.server)}`)))),
    el("tbody", {}, rows));
}

function chains(c) {
  const block = (title, list) => {
    if (list === null) return null;
    if (list.length === 0) return el("div", { class: "chain" }, el("h4", {}, title), el("p", { class: "empty" }, "none: an empty Certificate message"));
    return el("div", { class: "chain" }, el("h4", {}, title), el("ol", {}, list.map((cert) =>
      cert.error
        ? el("li", {}, `unreadable certificate (${cert.der_length} bytes): ${cert.error}`)
        : el("li", {},
            el("div", { class: "subject" }, cert.subject),
            el("div", {}, `issuer ${cert.issuer}`),
            el("div", {}, `valid ${cert.not_before} to ${cert.not_after}; ${cert.public_key}; ${cert.signature_algorithm}${cert.self_signed ? "; self-signed" : ""}`),
            cert.signature_valid === true
              ? el("div", {}, cert.self_signed ? "signature verified with its own key" : "signature verified with the key of the next certificate")
              : cert.signature_valid === false
                ? el("div", { class: "bad" }, "signature does NOT verify with the key of the next certificate, which it names as issuer")
                : null,
            cert.subject_alt_names.length ? el("div", {}, `names ${cert.subject_alt_names.join(", ")}`) : null,
            cert.extended_key_usage.length ? el("div", {}, `extended key usage ${cert.extended_key_usage.join(", ")}`) : null,
            el("div", { class: "fingerprint" }, "SHA-256 ", el("code", {}, cert.sha256)),
            el("div", { class: "cert-actions" },
              el("button", { type: "button", class: "copy-sha256", onclick: (e) => copy(e.currentTarget, cert.sha256, "Copy SHA-256") }, "Copy SHA-256"),
              el("button", { type: "button", class: "download-pem", onclick: () => downloadPem(cert) }, "Download PEM"))))));
  };
  const parts = [block("Server certificates", c.server_certificates), block("Client certificates", c.client_certificates)].filter(Boolean);
  return parts.length ? el("div", { class: "chains" }, parts) : null;
}

/** Saves a certificate of the capture as a PEM file named after its common name. */
async function downloadPem(cert) {
  const { pem } = await ask({ pem: cert.sha256 });
  if (!pem) return;
  const cn = (cert.subject.split(", ").find((rdn) => rdn.startsWith("CN=")) ?? "certificate").slice(3);
  const name = `${cn.replace(/[^A-Za-z0-9.-]+/g, "_").slice(0, 40) || "certificate"}-${cert.sha256.slice(0, 16)}.pem`;
  const link = el("a", { href: URL.createObjectURL(new Blob([pem], { type: "application/x-pem-file" })), download: name });
  document.body.append(link);
  link.click();
  link.remove();
}

/** Copies text to the clipboard and says so on the button for a moment. */
async function copy(button, text, label, failed = "Copy failed") {
  document.body.dataset.copied = text;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = failed;
  }
  setTimeout(() => (button.textContent = label), 2000);
}

function request(c) {
  const cr = c.certificate_request;
  if (!cr) return null;
  return el("div", { class: "request" }, el("h4", {}, "The server's certificate request"),
    cr.certificate_authorities.length
      ? [el("p", {}, "Accepted CAs:"), el("ul", { class: "cas" }, cr.certificate_authorities.map((ca) => el("li", {}, ca)))]
      : el("p", {}, "Accepted CAs: any (the list is empty)"),
    cr.certificate_types.length ? el("p", {}, `Certificate types: ${cr.certificate_types.join(", ")}`) : null,
    cr.signature_algorithms.length ? el("p", {}, `Signature algorithms: ${cr.signature_algorithms.join(", ")}`) : null);
}

/** The hellos' fingerprints (each selected whole by a click, to copy) and the client's stack. */
function fingerprints(c) {
  const ch = c.client_hello;
  const sh = c.server_hello;
  const stack = c.client_stack;
  if (!ch && !sh && !stack) return null;
  const row = (term, value, title) => [el("dt", {}, term), el("dd", {}, el("code", { class: "fingerprint", title }, value))];
  const rows = [];
  if (ch) rows.push(...row("JA4", ch.ja4, `JA4_r ${ch.ja4_r}`), ...row("JA3", ch.ja3, ch.ja3_string));
  if (sh) rows.push(...row("JA3S", sh.ja3s, sh.ja3s_string));
  return el("div", { class: "fingerprints" }, el("h4", {}, "Fingerprints"),
    rows.length ? el("dl", {}, rows) : null,
    stack ? el("p", { class: "stack" }, `The client is likely ${stack.name}: ${stack.basis}.`) : null);
}

// --- Export ------------------------------------------------------------------------------------

$("export-json").addEventListener("click", () => {
  const blob = new Blob([JSON.stringify(current.report, null, 2) + "\n"], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `${current.name}.report.json` });
  document.body.append(link);
  link.click();
  link.remove();
});

function textSummary(report) {
  const lines = [`pcap-tls-diagnose: ${current.name}`];
  for (const c of report.connections.filter(hasProblem)) {
    lines.push("", `connection ${c.id} ${endpoint(c.client)} -> ${endpoint(c.server)}${c.sni ? ` SNI ${c.sni}` : ""} ${c.tls_version ?? ""} ${c.outcome}`);
    for (const f of c.findings.filter((x) => x.severity !== "info")) {
      lines.push(`  [${f.severity}] ${f.code}: ${f.title}${f.confidence === "likely" ? " (likely)" : ""}`);
      for (const line of f.explanation.split("\n")) lines.push(`    ${line}`);
      if (f.remediation) lines.push(`    Fix: ${f.remediation}`);
      lines.push(`    Evidence: frames ${f.frames.join(", ")}`);
    }
  }
  if (lines.length === 1) lines.push("No problems found.");
  return lines.join("\n") + "\n";
}

$("copy-ticket").addEventListener("click", async () => {
  // Redacted unless the user asks to keep the names.
  const { ticket } = await ask({ ticket: !$("keep-names").checked });
  await copy($("copy-ticket"), ticket, "Copy report for a ticket");
});

$("copy-text").addEventListener("click", () =>
  copy($("copy-text"), textSummary(current.report), "Copy text summary", "Copy failed: select the text below"));
