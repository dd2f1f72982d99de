//! The npm package's `npm/report.d.ts` is what ts-rs derives from the report's Rust types (the
//! core's `ts` feature, enabled here as a dev-dependency): a field added, renamed or made
//! optional in Rust and not regenerated fails here. Regenerate with
//!
//! ```sh
//! REPORT_DTS=write cargo test -p pcap-tls-diagnose-wasm --test typescript
//! ```
//!
//! The other half, that real reports have these types, is checked by `tsc` over the CLI's output
//! (tests/browser/npm.test.mjs).

use std::path::Path;

use pcap_tls_diagnose_core::codes::FindingCode;
use pcap_tls_diagnose_core::report::typescript::declarations;

const REGENERATE: &str = "REPORT_DTS=write cargo test -p pcap-tls-diagnose-wasm --test typescript";

fn committed_path() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/npm/report.d.ts"))
}

#[test]
fn committed_report_d_ts_is_what_the_rust_types_give() {
    let generated = declarations();
    let path = committed_path();
    if std::env::var_os("REPORT_DTS").is_some_and(|v| v == "write") {
        std::fs::write(path, &generated).expect("write npm/report.d.ts");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != generated {
        let (old, new): (Vec<_>, Vec<_>) =
            (committed.lines().collect(), generated.lines().collect());
        let line = (0..old.len().max(new.len()))
            .find(|&i| old.get(i) != new.get(i))
            .unwrap_or(0);
        let (old, new) = (
            old.get(line).unwrap_or(&"(the end)"),
            new.get(line).unwrap_or(&"(the end)"),
        );
        panic!(
            "crates/wasm/npm/report.d.ts differs from what the Rust types give (first at line {}):\n  \
             committed: {old}\n  generated: {new}\nRegenerate it with `{REGENERATE}` and review \
             `git diff`.",
            line + 1,
        );
    }
}

#[test]
fn declarations_name_every_finding_code_as_the_report_writes_it() {
    let generated = declarations();
    let union = generated
        .lines()
        .find(|l| l.starts_with("export type FindingCode = "))
        .expect("FindingCode is declared");
    for code in FindingCode::ALL {
        let json = serde_json::to_string(code).unwrap();
        assert!(union.contains(&json), "{json} missing from {union}");
    }
    assert_eq!(union.matches('|').count() + 1, FindingCode::ALL.len());
    for name in [
        "Report",
        "JsonlLine",
        "ConnectionReport",
        "CaptureError",
        "Finding",
    ] {
        assert!(
            generated.contains(&format!("export type {name} =")),
            "{name} is not declared"
        );
    }
}

/// ts-rs reads serde's `rename`, `skip`, `untagged`, `tag` and `flatten`, but not
/// `skip_serializing_if` alone (it leaves the field required) nor `serialize_with` (it keeps the
/// Rust type). Each field of a TypeScript-derived type with one of those must say with a
/// `#[ts(...)]` attribute what serde writes: `optional` for a field left out, `as`/`type` for one
/// written as something else. (A `serialize_with` field of a type ts-rs does not know fails to
/// compile; one of a type it knows would silently keep it.)
#[test]
fn every_field_serde_writes_otherwise_says_so_for_typescript() {
    let core = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../core/src"));
    let mut checked = 0;
    let mut missing = Vec::new();
    for file in [
        "report/mod.rs",
        "report/jsonl.rs",
        "report/document.rs",
        "error.rs",
        "codes.rs",
        "capture/mod.rs",
    ] {
        let source = std::fs::read_to_string(core.join(file)).expect("read the core's source");
        // Attributes since the last item or field line; whether the current type derives TS.
        let mut attrs: Vec<&str> = Vec::new();
        let mut derives_ts = false;
        for (number, raw) in source.lines().enumerate() {
            if raw.starts_with('}') {
                // The end of a type at the top level (or of an impl).
                derives_ts = false;
            }
            let line = raw.trim();
            if line.starts_with("#[") {
                attrs.push(line.split(" //").next().unwrap_or(line));
                continue;
            }
            if line.starts_with("//") || line.is_empty() {
                continue;
            }
            let is_item = ["struct ", "enum "].iter().any(|k| {
                line.starts_with(k)
                    || line.starts_with(&format!("pub {k}"))
                    || line.starts_with(&format!("pub(crate) {k}"))
                    || line.starts_with(&format!("pub(super) {k}"))
            });
            if is_item {
                derives_ts = attrs.iter().any(|a| a.contains("derive(ts_rs::TS)"));
            } else if derives_ts {
                let has = |s: &str| attrs.iter().any(|a| a.contains(s));
                let ts = |s: &str| {
                    attrs
                        .iter()
                        .any(|a| a.contains("feature = \"ts\"") && a.contains(s))
                };
                let mut check = |needed: bool, ok: bool, what: &str| {
                    if needed {
                        checked += 1;
                        if !ok {
                            missing.push(format!("{file}:{}: {line} ({what})", number + 1));
                        }
                    }
                };
                check(
                    has("skip_serializing_if"),
                    ts("optional"),
                    "skip_serializing_if needs #[cfg_attr(feature = \"ts\", ts(optional))]",
                );
                check(
                    has("serialize_with") || has("serde(with"),
                    ts("as = ") || ts("type = "),
                    "serialize_with needs #[cfg_attr(feature = \"ts\", ts(as = \"…\"))]",
                );
            }
            attrs.clear();
        }
    }
    assert!(
        missing.is_empty(),
        "fields whose TypeScript type would not be what serde writes:\n{}\n(then: {REGENERATE})",
        missing.join("\n")
    );
    // The report has some twenty-five such fields: the scan saw them.
    assert!(checked >= 20, "only {checked} fields checked");
}
