//! Redaction: a report that can be pasted into a ticket or a forum. IP addresses, host names
//! (SNI, subjectAltNames), certificate subjects and issuers, serial numbers, fingerprints and
//! the other names of certificates are replaced by stable pseudonyms — the same value is always
//! the same pseudonym within a [`Redactor`]:
//!
//! | value | pseudonym |
//! |---|---|
//! | a client's / a server's IP address | `client-1`, `server-1` (by the role it was first seen in) |
//! | another IP address (in a certificate, in a finding's text) | `address-1` |
//! | a host name (SNI, DNS subjectAltName, a certificate's common name) | `host-1` |
//! | a CA's distinguished name (an issuer, a CertificateRequest's CA, a trust store's) | `CA-A`, `CA-B`, … |
//! | another certificate's subject | `subject-1` |
//! | a certificate's serial number / SHA-256 fingerprint | `serial-1` / `fingerprint-1` |
//! | an e-mail address, a URI of a subjectAltName | `email-1`, `uri-1` |
//!
//! What a reader needs is kept: which certificate issued which (an issuer and the subject of
//! the certificate that issued it get the same pseudonym), whether a name matched (the SNI and
//! the subjectAltName it matched get the same one), validity dates against the capture's time,
//! key types, alerts, versions, cipher suites, ports, frames and every finding's code, severity
//! and evidence. The findings' prose is rewritten with the same pseudonyms. A certificate's
//! DER is dropped, so nothing exports it. Redaction is not anonymisation of the capture file
//! itself: the pcap still holds everything.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use super::{
    Alias, AliasRole, Certificate, CertificateEntry, ConnectionReport, Endpoint, Finding,
    FirstPayload, Report,
};

/// Replaces the names of one capture (or of several, for one consistent set of pseudonyms) by
/// pseudonyms. Feed it every connection ([`Redactor::connection`]) and then the report
/// ([`Redactor::report`]), or the report alone.
#[derive(Debug, Default)]
pub struct Redactor {
    ips: HashMap<IpAddr, Alias>,
    ip_counts: [u32; 3],
    /// Each name seen, with its pseudonym.
    names: HashMap<String, String>,
    counts: HashMap<Kind, u32>,
    /// Names that any text may hold: those of what the user supplied (`--client-cert`,
    /// `--ca`), which findings quote.
    always: Vec<String>,
}

/// Kinds of names, each numbered on its own.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
enum Kind {
    Host,
    Ca,
    Subject,
    Serial,
    Fingerprint,
    Email,
    Uri,
}

impl Redactor {
    /// A redactor that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Redacts a whole report: its connections, the capture's findings and what the user
    /// supplied (`--client-cert`, `--ca`).
    pub fn report(&mut self, report: &mut Report) {
        self.supplied(&report.supplied_client_certificates, &report.trust_store);
        for conn in &mut report.connections {
            self.connection(conn);
        }
        for subject in &mut report.trust_store {
            *subject = self.name(subject, Kind::Ca);
        }
        for cert in &mut report.supplied_client_certificates {
            self.certificate(cert);
        }
        // The capture's findings may name any connection's values.
        let mut all: Vec<String> = self.names.keys().cloned().collect();
        longest_first(&mut all);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        for f in &mut report.findings {
            self.finding(f, &all);
        }
    }

    /// Learns the names of what the user supplied — the client's chain (`--client-cert`) and
    /// the trust store's subjects (`--ca`) — which the findings of any connection may quote.
    /// [`Redactor::report`] does it itself; call it first when redacting connections one by one
    /// ([`crate::Certificates::summaries`] gives them).
    pub fn supplied(&mut self, client_chain: &[Certificate], trust_store: &[String]) {
        for cert in client_chain {
            self.always.extend(sensitive(cert));
            let mut copy = cert.clone();
            self.certificate(&mut copy);
        }
        for subject in trust_store {
            self.always.push(subject.clone());
            self.always
                .extend(common_names(subject).map(str::to_string));
            let alias = self.name(subject, Kind::Ca);
            self.common_names_of(subject, &alias);
        }
        longest_first(&mut self.always);
    }

    /// Redacts one connection's report entry (as [`crate::Analyzer::take_connections`] hands
    /// them out: JSON Lines redact each as it ends).
    pub fn connection(&mut self, c: &mut ConnectionReport) {
        let mut seen = Vec::new();
        c.client = self.endpoint(c.client, AliasRole::Client);
        c.server = self.endpoint(c.server, AliasRole::Server);
        if let Some(sni) = &mut c.sni {
            seen.push(sni.clone());
            *sni = self.name(sni, Kind::Host);
        }
        if let Some(ch) = &mut c.client_hello
            && let Some(sni) = &mut ch.sni
        {
            seen.push(sni.clone());
            *sni = self.name(sni, Kind::Host);
        }
        if let Some(cr) = &mut c.certificate_request {
            for ca in &mut cr.certificate_authorities {
                seen.push(ca.clone());
                *ca = self.name(ca, Kind::Ca);
            }
        }
        for chain in [&mut c.server_certificates, &mut c.client_certificates]
            .into_iter()
            .flatten()
        {
            *chain = self.chain(chain, &mut seen);
        }
        seen.extend(self.always.iter().cloned());
        longest_first(&mut seen);
        let local: Vec<&str> = seen.iter().map(String::as_str).collect();
        for f in &mut c.findings {
            self.finding(f, &local);
        }
        for m in &mut c.messages {
            if let Some(summary) = &mut m.summary {
                *summary = self.scrub(summary, &local);
            }
        }
        for a in &mut c.anomalies {
            a.detail = self.scrub(&a.detail, &local);
        }
        if let Some(d) = &mut c.decryption {
            if let Some(note) = &mut d.note {
                *note = self.scrub(note, &local);
            }
            for h in &mut d.hidden {
                h.reason = self.scrub(&h.reason, &local);
            }
        }
        for t in [&mut c.client_to_server, &mut c.server_to_client] {
            if let Some(opening) = &mut t.opening {
                self.opening(opening, &local);
            }
        }
    }

    fn endpoint(&mut self, e: Endpoint, role: AliasRole) -> Endpoint {
        Endpoint {
            alias: Some(self.ip(e.ip, role)),
            ..e
        }
    }

    fn ip(&mut self, ip: IpAddr, role: AliasRole) -> Alias {
        // An IPv4-mapped IPv6 address is the IPv4 address.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 @ IpAddr::V4(_) => v4,
        };
        let counts = &mut self.ip_counts;
        *self.ips.entry(ip).or_insert_with(|| {
            let slot = &mut counts[role as usize];
            *slot += 1;
            Alias {
                role,
                number: *slot,
            }
        })
    }

    /// The pseudonym of a name, made the first time it is seen.
    fn name(&mut self, value: &str, kind: Kind) -> String {
        if let Some(alias) = self.names.get(value) {
            return alias.clone();
        }
        let count = self.counts.entry(kind).or_insert(0);
        *count += 1;
        let n = *count;
        let alias = match kind {
            Kind::Host => format!("host-{n}"),
            Kind::Ca => format!("CA-{}", letters(n)),
            Kind::Subject => format!("subject-{n}"),
            Kind::Serial => format!("serial-{n}"),
            Kind::Fingerprint => format!("fingerprint-{n}"),
            Kind::Email => format!("email-{n}"),
            Kind::Uri => format!("uri-{n}"),
        };
        self.names.insert(value.to_string(), alias.clone());
        alias
    }

    fn chain(
        &mut self,
        chain: &Arc<[CertificateEntry]>,
        seen: &mut Vec<String>,
    ) -> Arc<[CertificateEntry]> {
        // Issuers first: a certificate that issued another of the chain is named as a CA.
        for entry in chain.iter() {
            if let CertificateEntry::Parsed(cert) = entry {
                self.name(&cert.issuer, Kind::Ca);
            }
        }
        chain
            .iter()
            .map(|entry| match entry {
                CertificateEntry::Parsed(cert) => {
                    let mut cert = cert.clone();
                    seen.extend(sensitive(&cert));
                    self.certificate(&mut cert);
                    CertificateEntry::Parsed(cert)
                }
                CertificateEntry::Unparsable { .. } => entry.clone(),
            })
            .collect()
    }

    fn certificate(&mut self, cert: &mut Certificate) {
        let subject_kind = if cert.is_ca { Kind::Ca } else { Kind::Subject };
        let issuer = self.name(&cert.issuer, Kind::Ca);
        let subject = self.name(&cert.subject, subject_kind);
        self.common_names_of(&cert.subject, &subject);
        self.common_names_of(&cert.issuer, &issuer);
        cert.issuer = issuer;
        cert.subject = subject;
        cert.serial = self.name(&cert.serial, Kind::Serial);
        cert.sha256 = self.name(&cert.sha256, Kind::Fingerprint);
        for san in &mut cert.subject_alt_names {
            *san = self.alt_name(san);
        }
        cert.der = Arc::from([]);
    }

    /// Pseudonyms for the common names of a distinguished name, which a finding's text may
    /// quote on their own: a host name's own, or else the name's (`alias`).
    fn common_names_of(&mut self, dn: &str, alias: &str) {
        for cn in common_names(dn) {
            if looks_like_host(cn) {
                self.name(cn, Kind::Host);
            } else if !self.names.contains_key(cn) {
                self.names.insert(cn.to_string(), alias.to_string());
            }
        }
    }

    fn alt_name(&mut self, san: &str) -> String {
        let Some((kind, value)) = san.split_once(':') else {
            return self.name(san, Kind::Host);
        };
        let alias = match kind {
            "DNS" => match value.strip_prefix("*.") {
                Some(base) => format!("*.{}", self.name(base, Kind::Host)),
                None => self.name(value, Kind::Host),
            },
            "IP" => match value.parse::<IpAddr>() {
                Ok(ip) => self.ip(ip, AliasRole::Address).to_string(),
                Err(_) => self.name(value, Kind::Host),
            },
            "email" => self.name(value, Kind::Email),
            "URI" => self.name(value, Kind::Uri),
            "DirName" => self.name(value, Kind::Subject),
            _ => self.name(value, Kind::Host),
        };
        format!("{kind}:{alias}")
    }

    fn finding(&mut self, f: &mut Finding, names: &[&str]) {
        f.title = self.scrub(&f.title, names);
        f.explanation = self.scrub(&f.explanation, names);
        f.remediation = self.scrub(&f.remediation, names);
    }

    fn opening(&mut self, opening: &mut FirstPayload, names: &[&str]) {
        let Ok(text) = std::str::from_utf8(&opening.raw) else {
            return;
        };
        let scrubbed = self.scrub(text, names);
        if scrubbed != text {
            opening.raw = scrubbed.into_bytes();
            opening.raw.truncate(16);
            opening.head = crate::words::hex(&opening.raw);
        }
    }

    /// A text with the given names (longest first, see [`longest_first`]) and every IP address
    /// in it replaced by their pseudonyms.
    fn scrub(&mut self, text: &str, names: &[&str]) -> String {
        let mut out = text.to_string();
        for &name in names {
            let Some(alias) = self.names.get(name) else {
                continue;
            };
            if out.contains(name) {
                out = replace_names(&out, name, alias);
            }
        }
        self.scrub_ips(&out)
    }

    /// Replaces every IPv6 and IPv4 address in a text (`[::1]:443` becomes `client-1:443`).
    fn scrub_ips(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Not inside a longer number, word or address.
            let prev_ok = i == 0 || !(is_word(bytes[i - 1]) || b".:".contains(&bytes[i - 1]));
            if prev_ok && let Some((len, ip, bracketed)) = ip_at(text, i) {
                // Bracketed IPv6 (`[::1]`): the brackets go with it.
                if bracketed && out.ends_with('[') {
                    out.pop();
                }
                out.push_str(&self.ip(ip, AliasRole::Address).to_string());
                i += len;
                if bracketed && bytes.get(i) == Some(&b']') {
                    i += 1;
                }
                continue;
            }
            // Copy one character (whole, for UTF-8).
            let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + ch_len]);
            i += ch_len;
        }
        out
    }
}

/// Names to look for in a text, each once, the longest first: a distinguished name is replaced
/// before the common name inside it.
fn longest_first(names: &mut Vec<String>) {
    names.retain(|n| !n.is_empty());
    names.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    names.dedup();
}

/// The strings of a certificate that must not show in a redacted text.
fn sensitive(cert: &Certificate) -> Vec<String> {
    let mut out = vec![
        cert.subject.clone(),
        cert.issuer.clone(),
        cert.serial.clone(),
        cert.sha256.clone(),
    ];
    out.extend(
        common_names(&cert.subject)
            .chain(common_names(&cert.issuer))
            .map(str::to_string),
    );
    for san in &cert.subject_alt_names {
        let value = san.split_once(':').map_or(san.as_str(), |(_, v)| v);
        out.push(value.strip_prefix("*.").unwrap_or(value).to_string());
    }
    out
}

/// The CN values of a distinguished name as the report writes it (`CN=a, O=b`).
fn common_names(dn: &str) -> impl Iterator<Item = &str> {
    dn.split(", ").filter_map(|rdn| rdn.strip_prefix("CN="))
}

/// A common name that is a host name (or a wildcard, or an address), not a title such as
/// `Example Root CA`.
fn looks_like_host(cn: &str) -> bool {
    !cn.is_empty()
        && cn
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._*:".contains(&b))
}

/// `A`, …, `Z`, `AA`, `AB`, … (spreadsheet columns).
fn letters(mut n: u32) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A byte that continues a name or a number.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Replaces `name` in `text` where it stands on its own: not inside a longer name or number
/// (`host` in `myhost`, `a.host` or `host.example`; a serial inside a longer hex string).
fn replace_names(text: &str, name: &str, alias: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in text.match_indices(name) {
        if at < last {
            continue;
        }
        let end = at + name.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        let joined_before = before.is_some_and(|b| is_word(b) || b == b'.');
        let joined_after = after.is_some_and(is_word)
            || (after == Some(b'.') && bytes.get(end + 1).copied().is_some_and(is_word));
        if joined_before || joined_after {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push_str(alias);
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// An IP address starting at byte `i` of `text`: its length, the address, and whether it may be
/// bracketed (IPv6).
fn ip_at(text: &str, i: usize) -> Option<(usize, IpAddr, bool)> {
    let rest = &text.as_bytes()[i..];
    // IPv6 (possibly with an embedded IPv4 tail): hex digits, colons and dots.
    let run = rest
        .iter()
        .take_while(|b| b.is_ascii_hexdigit() || **b == b':' || **b == b'.')
        .count();
    let token = &text[i..i + run];
    if token.bytes().filter(|b| *b == b':').count() >= 2 {
        // Longest prefix that parses: `fe80::1:443` is not ambiguous in our texts, which
        // bracket IPv6 addresses with ports, but a sentence's final dot is trimmed.
        let mut end = token.len();
        while end > 0 {
            let candidate = &token[..end];
            if candidate.bytes().any(|b| b.is_ascii_hexdigit())
                && let Ok(v6) = candidate.parse::<Ipv6Addr>()
                && !rest.get(end).is_some_and(u8::is_ascii_alphanumeric)
            {
                return Some((end, IpAddr::V6(v6), true));
            }
            end = candidate.rfind([':', '.']).unwrap_or(0);
        }
    }
    // IPv4: digits and dots.
    let run = rest
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    let token = text[i..i + run].trim_end_matches('.');
    if let Ok(v4) = token.parse::<Ipv4Addr>()
        && !rest.get(token.len()).is_some_and(u8::is_ascii_alphanumeric)
    {
        return Some((token.len(), IpAddr::V4(v4), false));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_text_become_pseudonyms_wherever_they_stand() {
        let mut r = Redactor::new();
        let client = r.ip("10.0.0.5".parse().expect("ip"), AliasRole::Client);
        assert_eq!(client.to_string(), "client-1");
        assert_eq!(
            r.scrub_ips("from 10.0.0.5:53144 to [2001:db8::7]:443, and ::1."),
            "from client-1:53144 to address-1:443, and address-2."
        );
        // The same address is the same pseudonym; versions, times and frame lists are no
        // addresses.
        assert_eq!(
            r.scrub_ips("TLS 1.2 at 00:11:39.5 frames 6, 8, 9 by 10.0.0.5"),
            "TLS 1.2 at 00:11:39.5 frames 6, 8, 9 by client-1"
        );
        // Not part of a longer number or word.
        assert_eq!(r.scrub_ips("v10.0.0.5 1.2.3.4.5"), "v10.0.0.5 1.2.3.4.5");
        // An IPv4-mapped IPv6 address is its IPv4 address.
        assert_eq!(r.scrub_ips("::ffff:10.0.0.5"), "client-1");
    }

    #[test]
    fn names_are_replaced_only_where_they_stand_alone() {
        assert_eq!(
            replace_names(
                "localhost, mylocalhost, a.localhost, localhost.example, localhost.",
                "localhost",
                "host-1"
            ),
            "host-1, mylocalhost, a.localhost, localhost.example, host-1."
        );
        assert_eq!(letters(1), "A");
        assert_eq!(letters(26), "Z");
        assert_eq!(letters(27), "AA");
    }
}
