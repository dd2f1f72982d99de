//! What rules ask of a connection: its facts, in the words and frames the findings need.

use crate::capture::Timestamp;
use crate::report::{AlertReport, ConnectionReport, MessageReport, Outcome, Party};
use crate::tls::handshake::CertEntry;
use crate::x509::CertSummary;

/// A connection under diagnosis.
pub(crate) struct Ctx<'a> {
    /// The facts.
    pub(crate) conn: &'a ConnectionReport,
    /// For a resumed session: an earlier connection to the same server with a full handshake
    /// (its id and the frame of its server Certificate).
    pub(crate) earlier_full_handshake: Option<(u32, u64)>,
    /// The chain the user says the client should have sent (`--client-cert`), leaf first.
    pub(crate) supplied: &'a [CertSummary],
    /// The CAs the user trusts (`--ca`).
    pub(crate) trust: &'a [CertSummary],
}

impl<'a> Ctx<'a> {
    /// The context of `conn` among all the capture's connections.
    pub(crate) fn new(
        conn: &'a ConnectionReport,
        all: &'a [ConnectionReport],
        supplied: &'a [CertSummary],
        trust: &'a [CertSummary],
    ) -> Self {
        let earlier_full_handshake = if conn.resumed {
            all.iter()
                .filter(|c| c.id < conn.id && c.server == conn.server && !c.resumed)
                .filter_map(|c| {
                    c.messages
                        .iter()
                        .find(|m| m.from == Party::Server && m.typ == "certificate")
                        .map(|m| (c.id, m.frame))
                })
                .next_back()
        } else {
            None
        };
        Self {
            conn,
            earlier_full_handshake,
            supplied,
            trust,
        }
    }

    /// "client 10.0.0.5:53144" / "server 203.0.113.7:443".
    pub(crate) fn who(&self, party: Party) -> String {
        match party {
            Party::Client => format!("the client {}", self.conn.client),
            Party::Server => format!("the server {}", self.conn.server),
        }
    }

    /// "The client 10.0.0.5:53144", to start a sentence.
    pub(crate) fn who_cap(&self, party: Party) -> String {
        let who = self.who(party);
        let mut chars = who.chars();
        chars
            .next()
            .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
    }

    /// When the connection started: certificates are judged at this time.
    pub(crate) fn time(&self) -> Option<Timestamp> {
        self.conn.start_timestamp
    }

    pub(crate) fn is_tls13(&self) -> bool {
        self.conn
            .tls_version
            .as_deref()
            .is_some_and(|v| v.starts_with("TLS 1.3"))
    }

    pub(crate) fn failed(&self) -> bool {
        self.conn.outcome == Outcome::Failed
    }

    /// The first message of this type from this party.
    pub(crate) fn message(&self, from: Party, typ: &str) -> Option<&'a MessageReport> {
        self.conn
            .messages
            .iter()
            .find(|m| m.from == from && m.typ == typ)
    }

    /// The last handshake message the other party sent before `alert`.
    pub(crate) fn answered(&self, alert: &AlertReport) -> Option<&'a MessageReport> {
        self.conn
            .messages
            .iter()
            .rfind(|m| m.from != alert.from && m.seq < alert.seq && m.typ != "change_cipher_spec")
    }

    /// The client's Certificate message, when visible.
    pub(crate) fn client_certificate(&self) -> Option<&'a MessageReport> {
        self.message(Party::Client, "certificate")
    }

    /// The client sent an empty Certificate message.
    pub(crate) fn client_cert_empty(&self) -> bool {
        self.conn
            .client_certificates
            .as_deref()
            .is_some_and(<[CertEntry]>::is_empty)
    }

    /// The parsed certificates of a list.
    pub(crate) fn parsed(list: Option<&'a [CertEntry]>) -> Vec<&'a CertSummary> {
        list.map(|l| {
            l.iter()
                .filter_map(|e| match e {
                    CertEntry::Parsed(c) => Some(&**c),
                    CertEntry::Unparsable { .. } => None,
                })
                .collect()
        })
        .unwrap_or_default()
    }

    pub(crate) fn client_chain(&self) -> Vec<&'a CertSummary> {
        Self::parsed(self.conn.client_certificates.as_deref())
    }

    pub(crate) fn server_chain(&self) -> Vec<&'a CertSummary> {
        Self::parsed(self.conn.server_certificates.as_deref())
    }

    /// The accepted CA names of the CertificateRequest (empty when none or any).
    pub(crate) fn accepted_cas(&self) -> &'a [String] {
        self.conn
            .certificate_request
            .as_ref()
            .map_or(&[][..], |cr| cr.certificate_authorities.as_slice())
    }

    /// A guess at the client's TLS stack from its ClientHello's shape.
    pub(crate) fn client_stack(&self) -> Option<&'static str> {
        let ch = self.conn.client_hello.as_ref()?;
        let has = |e: &str| ch.extensions.iter().any(|x| x == e);
        if has("status_request_v2") {
            Some("Java (JSSE)")
        } else if has("record_size_limit") && has("encrypt_then_mac") && has("renegotiation_info") {
            Some("GnuTLS")
        } else if has("encrypt_then_mac")
            && !has("renegotiation_info")
            && ch
                .cipher_suites
                .iter()
                .any(|s| s == "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
        {
            Some("OpenSSL (curl, Python, s_client, nginx, …)")
        } else {
            None
        }
    }

    /// Lists up to `n` items, then "… and N more".
    pub(crate) fn list(items: &[String], n: usize) -> String {
        if items.len() <= n {
            items.join(", ")
        } else {
            format!("{}, … and {} more", items[..n].join(", "), items.len() - n)
        }
    }

    /// The tcpdump command that would capture this connection properly.
    pub(crate) fn tcpdump(&self) -> String {
        format!(
            "tcpdump -i any -s 0 -w capture.pcap 'host {} and tcp port {}' (start it before the connection, on the client or the server)",
            self.conn.server.ip, self.conn.server.port
        )
    }
}

/// Validity of a certificate at a time: `Some(("expired", date))` or `Some(("not yet valid", date))`.
pub(crate) fn validity_problem(cert: &CertSummary, at: Timestamp) -> Option<(&'static str, &str)> {
    if at > cert.not_after_time {
        Some(("expired", cert.not_after.as_str()))
    } else if at < cert.not_before_time {
        Some(("not yet valid", cert.not_before.as_str()))
    } else {
        None
    }
}
