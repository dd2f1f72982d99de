//! Benchmarks of pcap-tls-diagnose: a generator of large realistic captures ([`generate`]), a
//! floor program that does the least any TLS-aware capture reader must ([`floor`]), and (in the
//! binary) the side-by-side run of the CLI, the floor and tshark.

// Sizes, times and rates convert between integers and floats on purpose (byte counts stay far
// below 2^52; the generator's packing into header fields is by design).
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

pub mod floor;
pub mod generate;
