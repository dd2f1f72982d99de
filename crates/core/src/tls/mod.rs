//! TLS
pub(crate) mod codec;
pub mod handshake;
pub mod names;
