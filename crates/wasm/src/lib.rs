//! WebAssembly adapter over `pcap-tls-diagnose-core`.
//!
//! The browser issue fills this crate with the wasm-bindgen entry points; until then it only
//! proves that the core builds for `wasm32-unknown-unknown` as part of this crate's build.

pub use pcap_tls_diagnose_core as core;
