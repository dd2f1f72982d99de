//! The projection: a connection's model and its findings in, its report entry out, with every
//! name, hex string and time written here. Lists that many connections share (a client's cipher
//! suites, a server's certificate chain) are written once and shared between the entries.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::Arc;

use super::{
    Alert, Anomaly, CertificateEntry, CertificateRequest, ClientFingerprints, ClientHello,
    ClientStack, Confidence, ConnectionReport, Decryption, DecryptionFailure, Endpoint, Finding,
    FirstPayload, HiddenRecords, HttpResponse, Message, Opening, Outcome, Party, RoleBasis,
    ServerFingerprints, ServerHello, Traffic, fingerprint,
};
use crate::findings;
use crate::model::{self, StartTls};
use crate::tls::handshake::{self as hs, Details};
use crate::words;
use crate::x509::verify::Verdict;

/// Projects connections one after the other, sharing what recurs.
#[derive(Default)]
pub(crate) struct Projector {
    /// Written lists by the address of the model's list (the model shares identical lists, so
    /// the address stands for the content), each with a handle on the model's list that keeps
    /// the address from being reused while it is a key.
    lists: HashMap<usize, Written<Box<dyn std::any::Any + Send + Sync>, String>>,
    /// Written certificate chains, likewise.
    chains: HashMap<usize, Written<Arc<[hs::CertEntry]>, CertificateEntry>>,
    /// ClientHello fingerprints by what they are made of: the addresses of the model's shared
    /// lists (held, as above) and the values beside them.
    client_fingerprints: HashMap<HelloKey, (HelloLists, Arc<ClientFingerprints>)>,
    /// ServerHello fingerprints by their content.
    server_fingerprints: HashMap<ServerKey, Arc<ServerFingerprints>>,
}

/// What a ClientHello's fingerprints are made of, its lists by address.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
struct HelloKey {
    lists: [usize; 6],
    legacy_version: u16,
    alpn_first_last: Option<[u8; 2]>,
}

/// The lists a [`HelloKey`] points at, held.
type HelloLists = (
    hs::List<crate::tls::enums::CipherSuite>,
    hs::List<crate::tls::enums::ExtensionType>,
    hs::List<crate::tls::enums::SignatureScheme>,
    hs::List<crate::tls::enums::NamedGroup>,
    hs::List<u8>,
    hs::List<crate::tls::enums::ProtocolVersion>,
);

/// What a ServerHello's fingerprint is made of.
type ServerKey = (u16, u16, Vec<crate::tls::enums::ExtensionType>);

/// A model's list (held so that its address stays its own) and its written form.
type Written<K, T> = (K, Arc<[T]>);

/// Most written lists (and chains) kept for sharing: beyond, the projector starts afresh.
const MAX_SHARED: usize = 4096;

impl Projector {
    /// The report entry of a connection.
    pub(crate) fn connection(
        &mut self,
        conn: &model::Connection,
        found: Vec<findings::Finding>,
        resumes: Option<u32>,
        stack: Option<findings::StackGuess>,
    ) -> ConnectionReport {
        let (mut messages, alerts) = records(conn);
        self.fingerprint_messages(conn, &mut messages);
        ConnectionReport {
            id: conn.id,
            client: endpoint(conn.client),
            server: endpoint(conn.server),
            role_basis: role_basis(conn.role_basis),
            first_frame: conn.first_frame.get(),
            last_frame: conn.last_frame.get(),
            start: conn.start,
            end: conn.end,
            client_to_server: traffic(&conn.client_to_server),
            server_to_client: traffic(&conn.server_to_client),
            starts_like_tls: conn.starts_like_tls(),
            starttls: conn.starttls.map(starttls),
            tls_version: conn.version().map(|v| v.to_string()),
            cipher_suite: conn.cipher_suite().map(|s| s.to_string()),
            sni: conn.sni().map(str::to_string),
            alpn: conn
                .alpn()
                .map_or_else(|| Arc::from([]), |list| self.list(list)),
            alpn_selected: conn.server_hello().and_then(|sh| sh.alpn.clone()),
            outcome: outcome(conn.outcome),
            resumed: conn.resumed,
            resumes,
            client_certificate_requested: conn.client_certificate_requested,
            certificate_request: conn.certificate_request().map(certificate_request),
            server_certificates: conn
                .certificates(model::Party::Server)
                .map(|c| self.chain(c)),
            client_certificates: conn
                .certificates(model::Party::Client)
                .map(|c| self.chain(c)),
            client_hello: conn.client_hello().map(|ch| self.client_hello(ch)),
            server_hello: conn.server_hello().map(|sh| self.server_hello(sh)),
            client_stack: stack.map(|g| ClientStack {
                stack: g.stack.code(),
                name: g.stack.name(),
                basis: g.basis,
                confidence: Confidence::Likely,
            }),
            messages,
            alerts,
            anomalies: conn.anomalies.iter().map(anomaly).collect(),
            dropped_events: conn.dropped_events,
            decryption: conn.decryption.as_ref().map(decryption),
            findings: found.into_iter().map(finding).collect(),
        }
    }

    /// A list of names, written once per distinct model list.
    fn list<T: Display + Send + Sync + 'static>(&mut self, list: &Arc<[T]>) -> Arc<[String]> {
        let key = Arc::as_ptr(list).cast::<()>() as usize;
        if self.lists.len() >= MAX_SHARED && !self.lists.contains_key(&key) {
            self.lists.clear();
        }
        let (_, written) = self.lists.entry(key).or_insert_with(|| {
            let keep: Box<dyn std::any::Any + Send + Sync> = Box::new(Arc::clone(list));
            (keep, list.iter().map(ToString::to_string).collect())
        });
        Arc::clone(written)
    }

    fn chain(&mut self, list: &Arc<[hs::CertEntry]>) -> Arc<[CertificateEntry]> {
        let key = Arc::as_ptr(list).cast::<()>() as usize;
        if self.chains.len() >= MAX_SHARED && !self.chains.contains_key(&key) {
            self.chains.clear();
        }
        let (_, written) = self.chains.entry(key).or_insert_with(|| {
            (
                Arc::clone(list),
                list.iter().map(certificate_entry).collect(),
            )
        });
        Arc::clone(written)
    }

    fn client_hello(&mut self, ch: &hs::ClientHello) -> ClientHello {
        ClientHello {
            legacy_version: ch.legacy_version.to_string(),
            supported_versions: self.list(&ch.supported_versions),
            cipher_suites: self.list(&ch.cipher_suites),
            sni: ch.sni.clone(),
            alpn: self.list(&ch.alpn),
            groups: self.list(&ch.groups),
            key_share_groups: self.list(&ch.key_share_groups),
            signature_algorithms: self.list(&ch.signature_algorithms),
            session_id_length: ch.session_id_length,
            session_ticket: ch.session_ticket,
            pre_shared_key: ch.pre_shared_key,
            renegotiation_info: ch.renegotiation_info,
            post_handshake_auth: ch.post_handshake_auth,
            extended_master_secret: ch.extended_master_secret,
            fallback_scsv: ch.fallback_scsv,
            extensions: self.list(&ch.extensions),
            sslv2_format: ch.sslv2_format,
            fingerprints: self.client_fingerprints(ch),
        }
    }

    /// A ClientHello's fingerprints, made once per distinct ClientHello shape.
    fn client_fingerprints(&mut self, ch: &hs::ClientHello) -> Arc<ClientFingerprints> {
        let address = |p: *const ()| p as usize;
        let key = HelloKey {
            lists: [
                address(Arc::as_ptr(&ch.cipher_suites).cast()),
                address(Arc::as_ptr(&ch.extensions).cast()),
                address(Arc::as_ptr(&ch.signature_algorithms).cast()),
                address(Arc::as_ptr(&ch.groups).cast()),
                address(Arc::as_ptr(&ch.ec_point_formats).cast()),
                address(Arc::as_ptr(&ch.supported_versions).cast()),
            ],
            legacy_version: ch.legacy_version.0,
            alpn_first_last: ch.alpn_first_last,
        };
        if self.client_fingerprints.len() >= MAX_SHARED
            && !self.client_fingerprints.contains_key(&key)
        {
            self.client_fingerprints.clear();
        }
        let (_, written) = self.client_fingerprints.entry(key).or_insert_with(|| {
            let lists = (
                Arc::clone(&ch.cipher_suites),
                Arc::clone(&ch.extensions),
                Arc::clone(&ch.signature_algorithms),
                Arc::clone(&ch.groups),
                Arc::clone(&ch.ec_point_formats),
                Arc::clone(&ch.supported_versions),
            );
            (lists, Arc::new(fingerprint::client(ch)))
        });
        Arc::clone(written)
    }

    /// Each ClientHello of the ladder gets its fingerprints.
    fn fingerprint_messages(&mut self, conn: &model::Connection, messages: &mut [Message]) {
        for e in &conn.events {
            if let (model::Party::Client, Some(m)) = (e.from, e.message())
                && let Details::ClientHello(ch) = &m.details
                && let Ok(i) = messages.binary_search_by_key(&e.seq, |m| m.seq)
            {
                messages[i].client_fingerprints = Some(self.client_fingerprints(ch));
            }
        }
    }

    fn server_hello(&mut self, sh: &hs::ServerHello) -> ServerHello {
        let key = (
            sh.legacy_version.0,
            sh.cipher_suite.0,
            sh.extensions.clone(),
        );
        if self.server_fingerprints.len() >= MAX_SHARED
            && !self.server_fingerprints.contains_key(&key)
        {
            self.server_fingerprints.clear();
        }
        let fingerprints = Arc::clone(
            self.server_fingerprints
                .entry(key)
                .or_insert_with(|| Arc::new(fingerprint::server(sh))),
        );
        server_hello(sh, fingerprints)
    }
}

/// The ladder's records and the alerts, each with its place in the connection.
fn records(conn: &model::Connection) -> (Vec<Message>, Vec<Alert>) {
    let mut messages = Vec::new();
    let mut alerts = Vec::new();
    for e in &conn.events {
        let from = party(e.from);
        let time = e.time;
        let frame = e.frame.get();
        if let model::EventKind::Alert(a) = e.kind {
            let (level, description) = match a {
                model::Alert::Clear { level, description } => (Some(level), Some(description)),
                model::Alert::Encrypted { .. } | model::Alert::Inferred { .. } => (None, None),
            };
            alerts.push(Alert {
                frame,
                time,
                from,
                level: level.map(|l| l.to_string()),
                code: description.map(crate::tls::enums::AlertDescription::value),
                description: description.map(|d| d.to_string()),
                encrypted: a.is_encrypted(),
                decrypted: e.decrypted,
                length: a.length(),
                inferred: a.inferred().map(model::Likely::name),
                seq: e.seq,
            });
            continue;
        }
        let mut m = Message {
            frame,
            first_frame: (e.first_frame != e.frame).then_some(e.first_frame.get()),
            time,
            from,
            typ: words::record_type(e),
            encrypted: e.is_encrypted(),
            decrypted: e.decrypted,
            length: e.length(),
            certificates_length: None,
            incomplete: e.handshake().is_some_and(|h| h.incomplete),
            sslv2_format: false,
            signature_valid: None,
            handshake_type: e.handshake().map(|h| h.typ.value()),
            inferred: e.inferred.map(model::Inferred::name),
            seq: e.seq,
            summary: e.inferred.map(|i| inferred_summary(i, e.length())),
            client_fingerprints: None,
        };
        if let Some(h) = e.message() {
            details(e.from, &h.details, &mut m);
        }
        messages.push(m);
    }
    (messages, alerts)
}

/// What the ladder says of a TLS 1.3 record's content inferred from its size and place.
fn inferred_summary(inferred: model::Inferred, length: u32) -> String {
    let what = match inferred {
        // A certificate is some 0.8–2 KB; a record under about 1.3 KB has room for one only.
        model::Inferred::ServerCertificate | model::Inferred::ClientCertificate
            if length < model::ONE_CERTIFICATE =>
        {
            "Certificate, with room for one certificate only".to_string()
        }
        model::Inferred::ServerCertificate | model::Inferred::ClientCertificate => {
            "Certificate, large enough for a chain".to_string()
        }
        other => other.words().to_string(),
    };
    format!("likely {what}")
}

/// What the ladder says of a message's content.
fn details(from: model::Party, details: &Details, m: &mut Message) {
    match details {
        Details::ClientHello(ch) if from == model::Party::Client => {
            m.sslv2_format = ch.sslv2_format;
            m.summary = Some(client_hello_summary(ch));
        }
        Details::ServerHello(sh) if from == model::Party::Server => {
            m.summary = Some(format!("{}, {}", sh.version, sh.cipher_suite));
        }
        Details::Certificate(c) => {
            m.certificates_length = Some(c.list_length);
            m.summary = Some(if c.list_length == 0 {
                "EMPTY: no certificate (certificates length 0)".to_string()
            } else {
                let n = c.certificates.len();
                format!(
                    "{n} certificate{} ({} bytes){}",
                    if n == 1 { "" } else { "s" },
                    c.list_length,
                    c.malformed
                        .as_ref()
                        .map_or(String::new(), |m| format!("; malformed: {m}"))
                )
            });
        }
        Details::CertificateRequest(cr) if from == model::Party::Server => {
            let n = cr.certificate_authorities.len();
            m.summary = Some(if n == 0 {
                "accepts a certificate from any CA (empty CA list)".to_string()
            } else {
                format!(
                    "accepts certificates issued by {n} CA{}",
                    if n == 1 { "" } else { "s" }
                )
            });
        }
        Details::Malformed(reason) => m.summary = Some(format!("malformed: {reason}")),
        Details::NewSessionTicket { lifetime, .. } => {
            m.summary = Some(format!("lifetime {lifetime} s"));
        }
        Details::CertificateVerify {
            signature_scheme,
            check,
        } => {
            let scheme =
                signature_scheme.map_or_else(|| "signature".to_string(), |s| s.to_string());
            m.summary = Some(match check {
                Some(Verdict::Valid) => {
                    m.signature_valid = Some(true);
                    format!("{scheme}, verified with the client certificate's key")
                }
                Some(Verdict::Invalid) => {
                    m.signature_valid = Some(false);
                    format!("{scheme}: DOES NOT VERIFY with the client certificate's key")
                }
                Some(Verdict::Unchecked(why)) => format!("{scheme} (not checked: {why})"),
                None => scheme,
            });
        }
        _ => {}
    }
}

fn client_hello_summary(ch: &hs::ClientHello) -> String {
    let mut parts = Vec::new();
    if ch.sslv2_format {
        parts.push("SSLv2 format".to_string());
    }
    parts.push(if ch.supported_versions.is_empty() {
        format!("offers up to {}", ch.legacy_version)
    } else {
        format!("offers {}", join(&ch.supported_versions, ", "))
    });
    parts.push(format!("{} cipher suites", ch.cipher_suites.len()));
    if let Some(sni) = &ch.sni {
        parts.push(format!("SNI {sni}"));
    }
    if !ch.alpn.is_empty() {
        parts.push(format!("ALPN {}", ch.alpn.join(",")));
    }
    parts.join(", ")
}

fn join<T: Display>(items: &[T], separator: &str) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}

fn names<T: Display>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

fn server_hello(sh: &hs::ServerHello, fingerprints: Arc<ServerFingerprints>) -> ServerHello {
    ServerHello {
        hello_retry_request: sh.hello_retry_request,
        legacy_version: sh.legacy_version.to_string(),
        version: sh.version.to_string(),
        cipher_suite: sh.cipher_suite.to_string(),
        alpn: sh.alpn.clone(),
        key_share_group: sh.key_share_group.map(|g| g.to_string()),
        pre_shared_key: sh.pre_shared_key,
        extended_master_secret: sh.extended_master_secret,
        renegotiation_info: sh.renegotiation_info,
        session_ticket: sh.session_ticket,
        session_id_length: sh.session_id_length,
        extensions: names(&sh.extensions),
        fingerprints,
    }
}

fn certificate_request(cr: &hs::CertificateRequest) -> CertificateRequest {
    CertificateRequest {
        tls13: cr.tls13,
        certificate_types: names(&cr.certificate_types),
        signature_algorithms: names(&cr.signature_algorithms),
        signature_algorithms_cert: names(&cr.signature_algorithms_cert),
        certificate_authorities: names(&cr.certificate_authorities),
        oid_filters: cr
            .oid_filters
            .iter()
            .map(|f| format!("{}={}", f.oid, words::hex(&f.values)))
            .collect(),
    }
}

fn certificate_entry(entry: &hs::CertEntry) -> CertificateEntry {
    match entry {
        hs::CertEntry::Parsed(c) => CertificateEntry::Parsed(Box::new(certificate(c))),
        hs::CertEntry::Unparsable { error, der_length } => CertificateEntry::Unparsable {
            error: error.to_string(),
            der_length: *der_length,
        },
    }
}

/// A certificate as the report shows it.
pub(crate) fn certificate(c: &crate::x509::Certificate) -> super::Certificate {
    super::Certificate {
        subject: c.subject.to_string(),
        issuer: c.issuer.to_string(),
        serial: words::hex(&c.serial),
        not_before: words::date(c.not_before),
        not_after: words::date(c.not_after),
        subject_alt_names: names(&c.subject_alt_names),
        public_key: c.public_key.to_string(),
        signature_algorithm: c.signature_algorithm.to_string(),
        sha256: words::hex(&c.sha256),
        self_signed: c.self_signed,
        key_usage: names(&c.key_usage),
        extended_key_usage: names(&c.extended_key_usage),
        is_ca: c.is_ca,
        der_length: c.der_length,
        signature_valid: c.signature_valid,
        der: Arc::clone(&c.der),
    }
}

fn endpoint(e: model::Endpoint) -> Endpoint {
    Endpoint::new(e.ip, e.port)
}

fn party(p: model::Party) -> Party {
    match p {
        model::Party::Client => Party::Client,
        model::Party::Server => Party::Server,
    }
}

fn outcome(o: model::Outcome) -> Outcome {
    match o {
        model::Outcome::Established => Outcome::Established,
        model::Outcome::Failed => Outcome::Failed,
        model::Outcome::Incomplete => Outcome::Incomplete,
        model::Outcome::NotTls => Outcome::NotTls,
    }
}

fn role_basis(b: model::RoleBasis) -> RoleBasis {
    match b {
        model::RoleBasis::Syn => RoleBasis::Syn,
        model::RoleBasis::SynAck => RoleBasis::SynAck,
        model::RoleBasis::TlsHello => RoleBasis::TlsHello,
        model::RoleBasis::Port => RoleBasis::Port,
    }
}

fn opening(o: model::Opening) -> Opening {
    match o {
        model::Opening::TlsClientHello => Opening::TlsClientHello,
        model::Opening::Sslv2ClientHello => Opening::Sslv2ClientHello,
        model::Opening::TlsServerHello => Opening::TlsServerHello,
        model::Opening::TlsRecord => Opening::TlsRecord,
        model::Opening::Text => Opening::Text,
        model::Opening::Binary => Opening::Binary,
    }
}

fn starttls(s: StartTls) -> &'static str {
    match s {
        StartTls::Postgresql => "postgresql",
        StartTls::Imap => "imap",
        StartTls::Pop3 => "pop3",
        StartTls::Smtp => "smtp",
        StartTls::Ftp => "ftp",
        StartTls::Xmpp => "xmpp",
        StartTls::Ldap => "ldap",
        StartTls::Mysql => "mysql",
        StartTls::Other => "other",
    }
}

fn traffic(t: &model::Traffic) -> Traffic {
    Traffic {
        frames: t.frames,
        bytes: t.bytes,
        payload_bytes: t.payload_bytes,
        syn: t.syn,
        fin: t.fin,
        rst: t.rst,
        fin_frame: t.fin_frame.map(model::FrameNumber::get),
        rst_frame: t.rst_frame.map(model::FrameNumber::get),
        truncated_frames: t.truncated_frames,
        application_data_records: t.application_data_records,
        application_data_bytes: t.application_data_bytes,
        opening: t.opening.as_ref().map(|o| FirstPayload {
            frame: o.frame.get(),
            kind: opening(o.kind),
            head: words::hex(&o.head[..o.head.len().min(16)]),
            raw: o.head[..o.head.len().min(16)].to_vec(),
        }),
    }
}

fn anomaly(a: &model::Anomaly) -> Anomaly {
    Anomaly {
        frame: a.frame.get(),
        from: party(a.from),
        kind: words::anomaly_kind(&a.kind),
        detail: words::anomaly(a),
    }
}

fn decryption(d: &model::Decryption) -> Decryption {
    Decryption {
        matched: d.matched,
        secrets: d.secrets.iter().map(|l| l.name()).collect(),
        missing: d.missing.iter().map(|l| l.name()).collect(),
        records_decrypted: d.records_decrypted,
        hidden: d
            .hidden
            .iter()
            .map(|h| HiddenRecords {
                from: party(h.from),
                first_frame: h.first_frame.get(),
                records: h.records,
                reason: words::hidden_reason(h.reason, d.unsupported),
            })
            .collect(),
        failures: d
            .failures
            .iter()
            .map(|f| DecryptionFailure {
                from: party(f.from),
                frame: f.frame.get(),
                reason: if f.authentication {
                    "authentication"
                } else {
                    "malformed"
                },
            })
            .collect(),
        note: d.note().map(|n| n.to_string()),
        http_response: d.http_response.as_ref().map(|h| HttpResponse {
            frame: h.frame.get(),
            status_line: h.status_line.clone(),
            no_client_certificate: h.no_client_certificate,
        }),
    }
}

/// A finding as the report shows it.
pub(crate) fn finding(f: findings::Finding) -> Finding {
    Finding {
        code: f.code,
        severity: f.severity,
        confidence: f.confidence,
        title: f.title,
        explanation: f.explanation,
        remediation: f.remediation,
        frames: f.frames.into_iter().map(model::FrameNumber::get).collect(),
    }
}

/// What the report needs of the capture stage's counters.
pub(crate) struct CaptureCounts<'a> {
    pub(crate) info: crate::capture::CaptureInfo,
    pub(crate) link_types: &'a std::collections::BTreeSet<crate::capture::LinkType>,
    pub(crate) first: Option<crate::capture::Timestamp>,
    pub(crate) last: Option<crate::capture::Timestamp>,
    pub(crate) truncated_frames: u64,
    pub(crate) tcp_frames: u64,
    pub(crate) not_tcp: &'a std::collections::BTreeMap<crate::wire::NotTcp, u64>,
    pub(crate) secrets_blocks: u64,
    pub(crate) evicted_connections: u64,
    pub(crate) late_frames: u64,
    pub(crate) error: Option<crate::error::CaptureError>,
}

/// The capture's summary.
pub(crate) fn capture_summary(c: CaptureCounts<'_>) -> super::CaptureSummary {
    super::CaptureSummary {
        format: c.info.format,
        gzip: c.info.gzip,
        frames: c.info.frames,
        link_types: c.link_types.iter().map(|l| l.name()).collect(),
        start: c.first,
        end: c.last,
        truncated_frames: c.truncated_frames,
        tcp_frames: c.tcp_frames,
        not_analysed: not_analysed(c.not_tcp),
        decryption_secrets_blocks: c.secrets_blocks,
        key_log: None,
        untracked_connections: 0,
        untracked_frames: c.late_frames,
        evicted_connections: c.evicted_connections,
        unlisted_connections: 0,
        outcomes: super::OutcomeCounts::default(),
        error: c.error,
    }
}

fn not_analysed(
    counts: &std::collections::BTreeMap<crate::wire::NotTcp, u64>,
) -> Vec<super::NotAnalysed> {
    use crate::wire::NotTcp;
    counts
        .iter()
        .map(|(reason, &frames)| {
            let (reason, detail) = match reason {
                NotTcp::UnknownLinkType(l) => ("unknown_link_type", format!("{} frames", l.name())),
                NotTcp::NotIp(kind) => ("not_ip", format!("non-IP (type {kind:#06x})")),
                NotTcp::OtherTransport(p) => ("other_transport", ip_protocol_name(*p)),
                NotTcp::Fragment => ("ip_fragment", "IP fragment".to_string()),
                NotTcp::Truncated(layer) => {
                    ("truncated", format!("cut short in the {layer} header"))
                }
                NotTcp::Malformed(layer) => ("malformed", format!("malformed {layer} header")),
            };
            super::NotAnalysed {
                reason,
                detail,
                frames,
            }
        })
        .collect()
}

fn ip_protocol_name(protocol: u8) -> String {
    match protocol {
        1 => "ICMP".into(),
        2 => "IGMP".into(),
        17 => "UDP".into(),
        47 => "GRE".into(),
        50 => "ESP".into(),
        58 => "ICMPv6".into(),
        132 => "SCTP".into(),
        p => format!("IP protocol {p}"),
    }
}
