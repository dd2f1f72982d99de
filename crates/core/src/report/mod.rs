//! The report: one owned, serializable value that every renderer and every shell reads.
//!
//! Output is deterministic: connections in order of first appearance, counters in a fixed order.

pub mod text;

use crate::capture::{CaptureFormat, Timestamp};
use crate::error::CaptureError;
use crate::flow::{Endpoint, Opening, RoleBasis};

/// Version of the JSON contract described in the README.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything the tool found in one capture.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    /// Version of this structure's JSON form.
    pub schema_version: u32,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// Facts about the capture file.
    pub capture: CaptureSummary,
    /// TCP connections, in order of first appearance.
    pub connections: Vec<ConnectionReport>,
}

/// Name and version of the tool.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Tool {
    /// Always `pcap-tls-diagnose`.
    pub name: &'static str,
    /// The core library's version.
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Self {
            name: "pcap-tls-diagnose",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// Facts about the capture file as a whole.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CaptureSummary {
    /// `pcap` or `pcapng`; `null` when not even the magic number could be read.
    pub format: Option<CaptureFormat>,
    /// True when the file was gzip-compressed.
    pub gzip: bool,
    /// Packet records read.
    pub frames: u64,
    /// Link types of the frames, by registry name, sorted.
    pub link_types: Vec<String>,
    /// Time of the first frame (RFC 3339, UTC).
    pub start: Option<String>,
    /// Time of the last frame (RFC 3339, UTC).
    pub end: Option<String>,
    /// Frames whose captured bytes are fewer than their length on the wire (snapshot length).
    pub truncated_frames: u64,
    /// Frames that carry a TCP segment.
    pub tcp_frames: u64,
    /// Frames that were not analysed, grouped by the reason.
    pub not_analysed: Vec<NotAnalysed>,
    /// pcapng Decryption Secrets Blocks found (their key logs are kept for decryption).
    pub decryption_secrets_blocks: u64,
    /// Why reading stopped early, if it did; everything in the report was read before it.
    pub error: Option<CaptureError>,
    /// Time of the first frame, for library users.
    #[serde(skip)]
    pub first_timestamp: Option<Timestamp>,
}

/// A count of frames that were passed over, and why.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
pub struct NotAnalysed {
    /// Machine-readable reason: `unknown_link_type`, `not_ip`, `other_transport`, `ip_fragment`,
    /// `truncated`, `malformed`.
    pub reason: &'static str,
    /// Human-readable detail, e.g. `UDP` or `LINKTYPE_105`.
    pub detail: String,
    /// How many frames.
    pub frames: u64,
}

/// One TCP connection.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ConnectionReport {
    /// 1-based, in order of first appearance.
    pub id: u32,
    /// The client's endpoint.
    pub client: Endpoint,
    /// The server's endpoint.
    pub server: Endpoint,
    /// What decided which side is the client.
    pub role_basis: RoleBasis,
    /// First frame of the connection (1-based).
    pub first_frame: u64,
    /// Last frame of the connection.
    pub last_frame: u64,
    /// Time of the first frame (RFC 3339).
    pub start: Option<String>,
    /// Time of the last frame (RFC 3339).
    pub end: Option<String>,
    /// Traffic from the client.
    pub client_to_server: Traffic,
    /// Traffic from the server.
    pub server_to_client: Traffic,
    /// True when either side's first payload looks like TLS (by content, not by port).
    pub starts_like_tls: bool,
    /// Time of the first frame, for library users.
    #[serde(skip)]
    pub start_timestamp: Option<Timestamp>,
    /// Time of the last frame, for library users.
    #[serde(skip)]
    pub end_timestamp: Option<Timestamp>,
}

/// One direction of a connection.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Traffic {
    /// Frames.
    pub frames: u64,
    /// Bytes of those frames on the wire.
    pub bytes: u64,
    /// TCP payload bytes.
    pub payload_bytes: u64,
    /// A SYN (or SYN-ACK) was sent.
    pub syn: bool,
    /// A FIN was sent.
    pub fin: bool,
    /// A RST was sent.
    pub rst: bool,
    /// Frames cut by the snapshot length.
    pub truncated_frames: u64,
    /// How the first payload looks, with its frame.
    pub opening: Option<OpeningReport>,
}

/// How a direction's first payload looks.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OpeningReport {
    /// Frame that carried it.
    pub frame: u64,
    /// Its classification.
    pub kind: Opening,
    /// Its first bytes (up to 16) in hex.
    pub head: String,
}
