"""Explains failed TLS handshakes (mutual TLS first) from a pcap or pcapng capture.

The report is the one ``pcap-tls-diagnose --format json`` prints (docs/report.md), as ``dict``\\ s
and ``list``\\ s::

    import pcap_tls_diagnose as ptd

    report = ptd.diagnose("capture.pcap")
    for connection in report["connections"]:
        for finding in connection["findings"]:
            print(connection["id"], finding["severity"], finding["code"], finding["title"])

For large captures, ``connections()`` yields each connection's entry as it ends, reading the
file in chunks, so memory stays flat; once the iterator is exhausted, its ``summary`` holds the
rest of the report::

    with ptd.connections("big.pcap") as entries:
        failed = [c["id"] for c in entries if c["outcome"] == "failed"]
    print(entries.summary["capture"]["outcomes"])
"""

from ._native import CaptureError, Connections, connections, diagnose
from .report import (
    Alert,
    Capture,
    Certificate,
    Connection,
    Finding,
    Message,
    Report,
    Source,
    Summary,
)

__all__ = [
    "diagnose",
    "connections",
    "Connections",
    "CaptureError",
    "Source",
    "Report",
    "Summary",
    "Capture",
    "Connection",
    "Finding",
    "Message",
    "Alert",
    "Certificate",
]
