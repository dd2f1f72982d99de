"""The shapes of the JSON report (``schema_version`` 1) as ``TypedDict``\\ s.

Each class is one object of docs/report.md and docs/report.schema.json, field for field: keys
the schema requires are required here, the others (present only when they apply) are
``NotRequired`` (a ``total=False`` part). The tests check every class against the schema.
They are for type checkers and readers; at run time the report is plain ``dict``\\ s and
``list``\\ s, as ``json.loads`` makes them.
"""

from os import PathLike
from typing import Dict, List, Literal, Optional, Tuple, TypedDict, Union

__all__ = [
    "Source",
    "KeyLogs",
    "Time",
    "Party",
    "Severity",
    "Confidence",
    "Outcome",
    "Report",
    "Summary",
    "Tool",
    "Capture",
    "NotAnalysed",
    "KeyLogSummary",
    "CaptureErrorInfo",
    "Outcomes",
    "Connection",
    "ConnectionEntry",
    "ShortConnection",
    "ShortFinding",
    "CertificateRef",
    "Endpoint",
    "Traffic",
    "Opening",
    "Certificate",
    "UnparsedCertificate",
    "ClientHello",
    "ServerHello",
    "ClientStack",
    "CertificateRequest",
    "Message",
    "Alert",
    "Anomaly",
    "Decryption",
    "HiddenRecords",
    "DecryptionFailure",
    "HttpResponse",
    "Finding",
]

Source = Union[str, PathLike[str], bytes, bytearray, memoryview]
"""A capture, key log or certificate file: a path, or its content."""

KeyLogs = Union[Source, List[Source], Tuple[Source, ...]]
"""One key log, or several (``--keylog``, repeatable)."""

Time = Optional[str]
"""RFC 3339 in UTC with nanoseconds (``2024-05-01T10:00:00.123456789Z``), from the capture;
``None`` when unknown."""

Party = Literal["client", "server"]
Severity = Literal["error", "warning", "info"]
Confidence = Literal["certain", "likely"]
Outcome = Literal["established", "failed", "incomplete", "not_tls"]


class Tool(TypedDict):
    """The tool that wrote the report."""

    name: Literal["pcap-tls-diagnose"]
    version: str


class NotAnalysed(TypedDict):
    """Frames passed over, grouped by reason."""

    reason: Literal[
        "unknown_link_type", "not_ip", "other_transport", "ip_fragment", "truncated", "malformed"
    ]
    detail: str
    frames: int


class KeyLogSummary(TypedDict):
    """The key log in use, counted (its secrets are never in the report)."""

    sessions: int
    lines: int
    skipped_lines: int
    connections_matched: int


class _CaptureErrorRequired(TypedDict):
    kind: Literal["empty", "not_a_capture", "cut_short", "bad_length", "malformed", "gzip"]
    offset: int
    message: str


class CaptureErrorInfo(_CaptureErrorRequired, total=False):
    """Why reading stopped early: the kind, the byte offset, the message and the kind's
    details."""

    magic: List[int]
    what: str
    missing: int
    length: int
    limit: int
    why: str


class Outcomes(TypedDict):
    """Every connection analysed, listed or not, counted."""

    connections: int
    tls: int
    established: int
    failed: int
    incomplete: int


class Capture(TypedDict):
    """Facts about the capture file."""

    format: Optional[Literal["pcap", "pcapng"]]
    gzip: bool
    frames: int
    link_types: List[str]
    start: Time
    end: Time
    truncated_frames: int
    tcp_frames: int
    not_analysed: List[NotAnalysed]
    decryption_secrets_blocks: int
    key_log: Optional[KeyLogSummary]
    error: Optional[CaptureErrorInfo]
    untracked_connections: int
    untracked_frames: int
    evicted_connections: int
    unlisted_connections: int
    outcomes: Outcomes


class Endpoint(TypedDict):
    """An IP address and a TCP port."""

    ip: str
    port: int


class Opening(TypedDict):
    """How a direction's first payload looks."""

    frame: int
    kind: Literal[
        "tls_client_hello", "sslv2_client_hello", "tls_server_hello", "tls_record", "text", "binary"
    ]
    head: str


class Traffic(TypedDict):
    """Traffic in one direction."""

    frames: int
    bytes: int
    payload_bytes: int
    syn: bool
    fin: bool
    rst: bool
    truncated_frames: int
    opening: Optional[Opening]
    application_data_records: int
    application_data_bytes: int
    fin_frame: Optional[int]
    rst_frame: Optional[int]


class _CertificateRequired(TypedDict):
    subject: str
    issuer: str
    serial: str
    not_before: Time
    not_after: Time
    subject_alt_names: List[str]
    public_key: str
    signature_algorithm: str
    sha256: str
    self_signed: bool
    key_usage: List[str]
    extended_key_usage: List[str]
    is_ca: bool
    der_length: int


class Certificate(_CertificateRequired, total=False):
    """An X.509 certificate; ``signature_valid`` is present when its signature was checked."""

    signature_valid: bool


class UnparsedCertificate(TypedDict):
    """A certificate that does not parse: kept, with the reason."""

    error: str
    der_length: int


class ClientHello(TypedDict):
    """What the (last) ClientHello offered."""

    legacy_version: str
    supported_versions: List[str]
    cipher_suites: List[str]
    sni: Optional[str]
    alpn: List[str]
    groups: List[str]
    key_share_groups: List[str]
    signature_algorithms: List[str]
    session_id_length: int
    session_ticket: bool
    pre_shared_key: bool
    renegotiation_info: bool
    post_handshake_auth: bool
    extended_master_secret: bool
    fallback_scsv: bool
    extensions: List[str]
    sslv2_format: bool
    ja4: str
    ja4_r: str
    ja4_o: str
    ja4_ro: str
    ja3: str
    ja3_string: str


class ClientStack(TypedDict):
    """The TLS stack the client looks like, from its ClientHello's shape (always ``likely``)."""

    stack: Literal["java", "go", "nodejs", "browser", "gnutls", "openssl", "schannel"]
    name: str
    basis: str
    confidence: Literal["likely"]


class ServerHello(TypedDict):
    """What the ServerHello chose."""

    hello_retry_request: bool
    legacy_version: str
    version: str
    cipher_suite: str
    alpn: Optional[str]
    key_share_group: Optional[str]
    pre_shared_key: bool
    extended_master_secret: bool
    renegotiation_info: bool
    session_ticket: bool
    session_id_length: int
    extensions: List[str]
    ja3s: str
    ja3s_string: str


class CertificateRequest(TypedDict):
    """The server's CertificateRequest (``certificate_authorities`` empty: any CA)."""

    tls13: bool
    certificate_types: List[str]
    signature_algorithms: List[str]
    signature_algorithms_cert: List[str]
    certificate_authorities: List[str]
    oid_filters: List[str]


# `from` is a Python keyword: these use the functional form of TypedDict.
_MessageRequired = TypedDict(
    "_MessageRequired",
    {
        "frame": int,
        "time": Time,
        "from": Party,
        "type": str,
        "encrypted": bool,
        "length": int,
    },
)


class Message(_MessageRequired, total=False):
    """A handshake message or another TLS record, in order."""

    first_frame: int
    decrypted: Literal[True]
    certificates_length: int
    incomplete: Literal[True]
    sslv2_format: Literal[True]
    signature_valid: bool
    inferred: Literal[
        "encrypted_extensions",
        "certificate_request",
        "certificate",
        "certificate_verify",
        "finished",
        "server_handshake_flight",
        "empty_certificate",
        "empty_certificate_and_finished",
        "certificate_certificate_verify_finished",
        "new_session_ticket",
        "application_data",
        "data_or_alert",
    ]


_AlertRequired = TypedDict(
    "_AlertRequired",
    {
        "frame": int,
        "time": Time,
        "from": Party,
        "level": Optional[str],
        "code": Optional[int],
        "description": Optional[str],
        "encrypted": bool,
        "length": int,
    },
)


class Alert(_AlertRequired, total=False):
    """A TLS alert; an encrypted one has ``level``, ``code`` and ``description`` ``None``."""

    decrypted: Literal[True]
    inferred: Literal["fatal", "close_notify"]


Anomaly = TypedDict(
    "Anomaly",
    {
        "frame": int,
        "from": Party,
        "kind": Literal[
            "gap",
            "overlap",
            "out_of_order",
            "midstream",
            "truncated",
            "one_sided",
            "evicted",
            "starttls",
            "not_tls",
            "resync",
            "incomplete_message",
            "oversized_message",
        ],
        "detail": str,
    },
)
"""What about the capture or the stream limits what can be seen."""

HiddenRecords = TypedDict(
    "HiddenRecords",
    {"from": Party, "first_frame": int, "records": int, "reason": str},
)
"""Records of one direction that stayed encrypted, and why."""

DecryptionFailure = TypedDict(
    "DecryptionFailure",
    {"from": Party, "frame": int, "reason": Literal["authentication", "malformed"]},
)
"""The first record of a direction that did not decrypt."""


class HttpResponse(TypedDict):
    """The status line of the server's first HTTP/1.x response (no other application data)."""

    frame: int
    status_line: str
    no_client_certificate: bool


class Decryption(TypedDict):
    """What a key log decrypted on a connection and what stayed hidden."""

    matched: bool
    secrets: List[
        Literal[
            "CLIENT_RANDOM",
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0",
            "CLIENT_EARLY_TRAFFIC_SECRET",
        ]
    ]
    missing: List[str]
    records_decrypted: int
    hidden: List[HiddenRecords]
    failures: List[DecryptionFailure]
    note: Optional[str]
    http_response: Optional[HttpResponse]


class Finding(TypedDict):
    """A diagnosis: its stable code (docs/findings.md), how bad and how sure, in words, and the
    frames that show it."""

    code: str
    severity: Severity
    confidence: Confidence
    title: str
    explanation: str
    remediation: str
    frames: List[int]


class _ConnectionFacts(TypedDict):
    """What a connection's whole entry and its document entry share."""

    id: int
    client: Endpoint
    server: Endpoint
    role_basis: Literal["syn", "syn_ack", "tls_hello", "port"]
    first_frame: int
    last_frame: int
    start: Time
    end: Time
    client_to_server: Traffic
    server_to_client: Traffic
    starts_like_tls: bool
    starttls: Optional[
        Literal["smtp", "imap", "pop3", "ftp", "ldap", "xmpp", "postgresql", "mysql", "other"]
    ]
    tls_version: Optional[str]
    cipher_suite: Optional[str]
    sni: Optional[str]
    alpn: List[str]
    alpn_selected: Optional[str]
    outcome: Outcome
    resumed: bool
    resumes: Optional[int]
    client_certificate_requested: Optional[bool]
    certificate_request: Optional[CertificateRequest]
    server_hello: Optional[ServerHello]
    client_stack: Optional[ClientStack]
    messages: List[Message]
    alerts: List[Alert]
    anomalies: List[Anomaly]
    dropped_events: int
    decryption: Optional[Decryption]
    findings: List[Finding]


class Connection(_ConnectionFacts):
    """One TCP connection's whole entry: every detail, its certificates and ClientHello in
    place (what ``connections()`` yields)."""

    server_certificates: Optional[List[Union[Certificate, UnparsedCertificate]]]
    client_certificates: Optional[List[Union[Certificate, UnparsedCertificate]]]
    client_hello: Optional[ClientHello]


class _CertificateRefRequired(TypedDict):
    sha256: str


class CertificateRef(_CertificateRefRequired, total=False):
    """A certificate of a chain in the document: its SHA-256, a key of ``Report["certificates"]``
    (``signature_valid``: checked with the next certificate's key, where that is its issuer).
    A certificate that does not parse stays in place (``UnparsedCertificate``)."""

    signature_valid: bool


class ConnectionEntry(_ConnectionFacts):
    """A connection's entry in the document: as ``Connection``, its certificates and ClientHello
    by reference (``certificates``, ``client_hellos``). Connections with a problem have it, all
    of them with ``all=True``."""

    server_certificates: Optional[List[Union[CertificateRef, UnparsedCertificate]]]
    client_certificates: Optional[List[Union[CertificateRef, UnparsedCertificate]]]
    client_hello: Optional[str]


class ShortFinding(TypedDict):
    """A finding of a short entry: its code, severity and confidence."""

    code: str
    severity: Severity
    confidence: Confidence


class ShortConnection(TypedDict):
    """A connection without a problem, short (unless ``all=True``)."""

    id: int
    client: Endpoint
    server: Endpoint
    first_frame: int
    last_frame: int
    start: Time
    end: Time
    outcome: Outcome
    tls_version: Optional[str]
    cipher_suite: Optional[str]
    sni: Optional[str]
    alpn_selected: Optional[str]
    resumed: bool
    resumes: Optional[int]
    server_certificates: Optional[List[Union[CertificateRef, UnparsedCertificate]]]
    client_certificates: Optional[List[Union[CertificateRef, UnparsedCertificate]]]
    client_hello: Optional[str]
    findings: List[ShortFinding]


class _SummaryRequired(TypedDict):
    schema_version: Literal[2]
    tool: Tool
    capture: Capture
    findings: List[Finding]


class Summary(_SummaryRequired, total=False):
    """The report without its ``connections``, ``certificates`` and ``client_hellos``: what
    ``Connections.summary`` holds once the iterator is exhausted."""

    supplied_client_certificates: List[Union[Certificate, UnparsedCertificate]]
    trust_store: List[str]


class Report(Summary):
    """Everything the tool found in one capture: what ``pcap-tls-diagnose --format json``
    prints, and what ``diagnose`` returns (``schema_version`` 2: certificates and ClientHello
    shapes once, connections referring to them)."""

    connections: List[Union[ConnectionEntry, ShortConnection]]
    certificates: Dict[str, Certificate]
    client_hellos: Dict[str, ClientHello]
