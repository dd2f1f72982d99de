//! Key logs: the SSLKEYLOGFILE format (RFC 9850; NSS Key Log Format).
//!
//! ```text
//! # comment
//! CLIENT_RANDOM <ClientHello.random, 64 hex> <TLS ≤ 1.2 master secret, 96 hex>
//! CLIENT_HANDSHAKE_TRAFFIC_SECRET <random> <secret>      (TLS 1.3; also SERVER_…, …_TRAFFIC_SECRET_0)
//! ```
//!
//! Lines are matched to connections by the ClientHello random. A key log comes from `--keylog`
//! or from pcapng Decryption Secrets Blocks (`editcap --inject-secrets tls,keys.txt`); both are
//! merged into one [`KeyLog`]. Secrets never reach the report: only their labels do.

use std::collections::HashMap;

/// The secrets a key log line can carry that decryption uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    /// TLS ≤ 1.2 master secret.
    ClientRandom,
    /// TLS 1.3 client handshake traffic secret.
    ClientHandshake,
    /// TLS 1.3 server handshake traffic secret.
    ServerHandshake,
    /// TLS 1.3 first client application traffic secret.
    ClientTraffic0,
    /// TLS 1.3 first server application traffic secret.
    ServerTraffic0,
    /// TLS 1.3 0-RTT secret (not used to decrypt: early data is application data).
    ClientEarly,
}

impl Label {
    /// The label as the key log writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::ClientRandom => "CLIENT_RANDOM",
            Self::ClientHandshake => "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            Self::ServerHandshake => "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            Self::ClientTraffic0 => "CLIENT_TRAFFIC_SECRET_0",
            Self::ServerTraffic0 => "SERVER_TRAFFIC_SECRET_0",
            Self::ClientEarly => "CLIENT_EARLY_TRAFFIC_SECRET",
        }
    }

    fn parse(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"CLIENT_RANDOM" => Self::ClientRandom,
            b"CLIENT_HANDSHAKE_TRAFFIC_SECRET" => Self::ClientHandshake,
            b"SERVER_HANDSHAKE_TRAFFIC_SECRET" => Self::ServerHandshake,
            b"CLIENT_TRAFFIC_SECRET_0" => Self::ClientTraffic0,
            b"SERVER_TRAFFIC_SECRET_0" => Self::ServerTraffic0,
            b"CLIENT_EARLY_TRAFFIC_SECRET" => Self::ClientEarly,
            _ => return None,
        })
    }

    const ALL: [Self; 6] = [
        Self::ClientRandom,
        Self::ClientHandshake,
        Self::ServerHandshake,
        Self::ClientTraffic0,
        Self::ServerTraffic0,
        Self::ClientEarly,
    ];
}

/// The secrets a key log holds for one ClientHello random.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secrets {
    values: [Option<Vec<u8>>; 6],
}

impl Secrets {
    /// The secret logged under `label`.
    pub fn get(&self, label: Label) -> Option<&[u8]> {
        self.values[label as usize].as_deref()
    }

    /// The labels present, in a fixed order.
    pub fn labels(&self) -> Vec<Label> {
        Label::ALL
            .into_iter()
            .filter(|l| self.values[*l as usize].is_some())
            .collect()
    }
}

/// Secrets by ClientHello random, merged from any number of key log texts.
#[derive(Clone, Debug, Default)]
pub struct KeyLog {
    entries: HashMap<[u8; 32], Secrets>,
    lines: u64,
    skipped: u64,
}

/// The error for a file in which no line holds a secret this tool uses.
pub const NO_KEY_LOG_LINE: &str =
    "no key log line (CLIENT_RANDOM, CLIENT_HANDSHAKE_TRAFFIC_SECRET, …) in this file";

/// The most distinct ClientHello randoms kept (a key log of a day of browsing has thousands).
const MAX_ENTRIES: usize = 1 << 20;

impl KeyLog {
    /// An empty key log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a key log text and merges its lines; returns how many lines it used. Lines with an
    /// unknown label (EXPORTER_SECRET, ECH_SECRET, …) or not in the format are counted in
    /// [`skipped_lines`](Self::skipped_lines).
    pub fn add(&mut self, text: &[u8]) -> u64 {
        let mut used = 0;
        for line in text.split(|&b| b == b'\n') {
            let line = line.trim_ascii();
            if line.is_empty() || line.starts_with(b"#") {
                continue;
            }
            self.lines += 1;
            if self.add_line(line) {
                used += 1;
            } else {
                self.skipped += 1;
            }
        }
        used
    }

    fn add_line(&mut self, line: &[u8]) -> bool {
        let mut fields = line
            .split(u8::is_ascii_whitespace)
            .filter(|f| !f.is_empty());
        let (Some(label), Some(random), Some(secret), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return false;
        };
        let Some(label) = Label::parse(label) else {
            return false;
        };
        let (Some(random), Some(secret)) = (unhex(random), unhex(secret)) else {
            return false;
        };
        let Ok(random) = <[u8; 32]>::try_from(random) else {
            return false;
        };
        let fits = match label {
            Label::ClientRandom => secret.len() == 48,
            _ => matches!(secret.len(), 32 | 48),
        };
        if !fits || (self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&random)) {
            return false;
        }
        self.entries.entry(random).or_default().values[label as usize] = Some(secret);
        true
    }

    /// The secrets for a ClientHello random.
    pub fn get(&self, client_random: &[u8; 32]) -> Option<&Secrets> {
        self.entries.get(client_random)
    }

    /// True when no secret was read.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of ClientHello randoms with secrets.
    pub fn sessions(&self) -> usize {
        self.entries.len()
    }

    /// Lines read (comments and blank lines aside).
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Lines not used: an unknown label or not in the format.
    pub fn skipped_lines(&self) -> u64 {
        self.skipped
    }
}

fn unhex(hex: &[u8]) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.chunks(2)
        .map(|pair| {
            let digit = |c: u8| char::from(c).to_digit(16);
            Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_merged_by_client_random_and_bad_ones_counted() {
        let random = "ab".repeat(32);
        let text = format!(
            "# SSL/TLS secrets log file\n\
             CLIENT_HANDSHAKE_TRAFFIC_SECRET {random} {}\r\n\
             SERVER_TRAFFIC_SECRET_0 {random} {}\n\
             EXPORTER_SECRET {random} {}\n\
             CLIENT_RANDOM {random} 0011\n\
             CLIENT_RANDOM zz{} {}\n\n",
            "01".repeat(32),
            "02".repeat(48),
            "03".repeat(32),
            &random[2..],
            "04".repeat(48),
        );
        let mut log = KeyLog::new();
        assert_eq!(log.add(text.as_bytes()), 2);
        assert_eq!(log.lines(), 5);
        assert_eq!(log.skipped_lines(), 3);
        assert_eq!(log.sessions(), 1);
        let secrets = log.get(&[0xab; 32]).unwrap();
        assert_eq!(
            secrets.labels(),
            [Label::ClientHandshake, Label::ServerTraffic0]
        );
        assert_eq!(secrets.get(Label::ServerTraffic0).unwrap(), [2; 48]);
    }
}
