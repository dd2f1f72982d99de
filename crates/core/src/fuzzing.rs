//! Entry points for the fuzz targets in `fuzz/` (and the test that replays their corpus).
//! Not part of the public API.

use crate::{Analyzer, diagnose, report};

/// The whole pipeline on `data`: read, reassemble, parse, build the report and render it both
/// ways. Also checks an invariant: reading the same bytes in small chunks gives the same report.
///
/// # Panics
/// When the chunked and the whole reading disagree (that is the bug the fuzzer looks for).
pub fn diagnose_everything(data: &[u8]) {
    let whole = match diagnose(data) {
        Ok(report) => report,
        Err(failure) => failure.partial,
    };
    let text = report::text::render(&whole);
    let json = report::to_json(&whole);
    assert!(!text.is_empty() && !json.is_empty());

    let mut analyzer = Analyzer::new();
    for chunk in data.chunks(7) {
        if analyzer.push(chunk).is_err() {
            break;
        }
    }
    let chunked = match analyzer.finish() {
        Ok(report) => report,
        Err(failure) => failure.partial,
    };
    assert_eq!(report::to_json(&chunked), json, "chunked reading differs");
}
