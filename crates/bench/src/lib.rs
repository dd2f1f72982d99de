//! Benchmarks of pcap-tls-diagnose: a generator of large realistic captures ([`generate`]), a
//! floor program that does the least any TLS-aware capture reader must ([`floor`]), and (in the
//! binary) the side-by-side run of the CLI, the floor and tshark.

pub mod floor;
pub mod generate;
