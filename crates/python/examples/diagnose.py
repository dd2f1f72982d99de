#!/usr/bin/env python3
"""Prints each connection with a problem and its findings, as `pcap-tls-diagnose` does.

    python3 examples/diagnose.py capture.pcap [--keylog keys.txt] [--client-cert c.pem] [--ca ca.pem]

The capture is read as a stream (`connections()`): only the connections with a problem are kept,
so memory stays flat on a large file. Exit status as the CLI's: 0 no error finding, 1 at least
one, 2 the file is not a capture or cannot be read.
"""

import argparse
import sys

import pcap_tls_diagnose as ptd
from pcap_tls_diagnose.report import Endpoint

MARKS = {"error": "✗", "warning": "!", "info": "i"}
STATUS = {"established": "established", "failed": "FAILED", "incomplete": "incomplete",
          "not_tls": "not TLS"}


def endpoint(e: Endpoint) -> str:
    return f"[{e['ip']}]:{e['port']}" if ":" in e["ip"] else f"{e['ip']}:{e['port']}"


def finding_line(f: ptd.Finding) -> str:
    likely = " (likely)" if f["confidence"] == "likely" else ""
    return f"  {MARKS[f['severity']]} {f['code']}  {f['title']}{likely}"


def connection_line(c: ptd.Connection) -> str:
    line = f"connection {c['id']}  {endpoint(c['client'])} → {endpoint(c['server'])}"
    if c["sni"] is not None:
        line += f"  SNI {c['sni']}"
    if c["tls_version"] is not None:
        line += f"  {c['tls_version']}"
    return line + f"  {STATUS[c['outcome']]}" + (" (resumed)" if c["resumed"] else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("--keylog", action="append", default=[])
    parser.add_argument("--client-cert")
    parser.add_argument("--ca")
    args = parser.parse_args()
    try:
        entries = ptd.connections(
            args.capture, keylog=args.keylog or None, client_cert=args.client_cert, ca=args.ca
        )
        problems = [c for c in entries if any(f["severity"] != "info" for f in c["findings"])]
    except (OSError, ValueError) as error:  # CaptureError is a ValueError
        print(f"diagnose.py: {error}", file=sys.stderr)
        return 2
    summary = entries.summary
    assert summary is not None  # the iterator was read to its end
    n = summary["capture"]["outcomes"]
    print(
        f"{n['connections']} TCP connection{'' if n['connections'] == 1 else 's'}, "
        f"{n['tls']} with TLS: {n['established']} established, {n['failed']} failed, "
        f"{n['incomplete']} incomplete"
    )
    for f in summary["findings"]:
        print(finding_line(f))
    for c in sorted(problems, key=lambda c: c["id"]):
        print()
        print(connection_line(c))
        for f in c["findings"]:
            print(finding_line(f))
    errors = [f for c in problems for f in c["findings"]] + summary["findings"]
    return 1 if any(f["severity"] == "error" for f in errors) else 0


if __name__ == "__main__":
    sys.exit(main())
