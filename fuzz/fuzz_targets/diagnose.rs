//! The whole pipeline, from capture bytes to both renderings: `cargo fuzz run diagnose`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pcap_tls_diagnose_core::internals::diagnose_everything(data);
});
