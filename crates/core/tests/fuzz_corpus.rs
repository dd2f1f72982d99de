//! Replays the committed fuzz corpus (`fuzz/corpus/diagnose/`) through the same entry point the
//! fuzz target uses, so every input that once found a bug stays a test.

#[test]
fn every_corpus_input_runs_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/diagnose");
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fuzz/corpus/diagnose exists")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let data = std::fs::read(&path).expect("read corpus file");
        pcap_tls_diagnose_core::internals::diagnose_everything(&data);
        count += 1;
    }
    assert!(count >= 10, "only {count} corpus inputs");
}
