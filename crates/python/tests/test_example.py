"""examples/diagnose.py prints the findings the CLI prints (code, severity, title)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HEADLINE, PCAPS

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "diagnose.py"

# The lines both print: the count of connections, each connection's first line, each finding's
# first line (its mark, code and title).
SHARED = re.compile(r"^(\d+ TCP connections?, .*|connection \d+  .*|  [✗!i] [a-z0-9-]+  .*)$")

CASES = [
    [HEADLINE],
    [PCAPS / "tls12-mtls-missing-client-cert-ipv6.pcap"],
    [PCAPS / "tls-refused-ipv4-then-ipv6-curl.pcap"],
    [PCAPS / "tls-multi-connection-two-ports.pcap"],
    [PCAPS / "plain-http-to-tls-port.pcap"],
    [PCAPS / "tls12-mtls-ok.pcap"],
    [PCAPS / "plain-http-only.pcap"],
    [
        "--keylog",
        PCAPS / "tls13-mtls-missing-client-cert-keylog.keys",
        PCAPS / "tls13-mtls-missing-client-cert-keylog.pcap",
    ],
    [
        "--client-cert",
        PCAPS / "certs" / "client-unrelated.pem",
        PCAPS / "tls12-mtls-java-client-cert-not-in-ca-list.pcap",
    ],
]


def shared_lines(text):
    return [line for line in text.splitlines() if SHARED.match(line)]


@pytest.mark.parametrize("arguments", CASES, ids=lambda a: Path(a[-1]).stem)
def test_the_example_prints_the_cli_findings(cli, arguments):
    # Options after the capture, as argparse allows.
    example = subprocess.run(
        [sys.executable, str(EXAMPLE), str(arguments[-1]), *map(str, arguments[:-1])],
        capture_output=True,
        text=True,
        check=False,
    )
    expected = subprocess.run(
        [str(cli), "--color", "never", *map(str, arguments)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert example.stderr == ""
    assert example.returncode == expected.returncode
    lines = shared_lines(example.stdout)
    assert lines == shared_lines(expected.stdout)
    # Every line of the example is one the comparison covers (or a blank one).
    assert [line for line in example.stdout.splitlines() if line] == lines


def test_the_headline_capture_prints_the_missing_client_certificate(cli):
    example = subprocess.run(
        [sys.executable, str(EXAMPLE), str(HEADLINE)], capture_output=True, text=True, check=False
    )
    assert example.returncode == 1
    assert example.stdout.splitlines() == [
        "1 TCP connection, 1 with TLS: 0 established, 1 failed, 0 incomplete",
        "",
        "connection 1  127.0.0.1:46830 → 127.0.0.1:20181  SNI localhost  TLS 1.2  FAILED",
        "  ✗ client-cert-missing  The server requires a client certificate and the client sent"
        " none",
    ]


def test_the_example_refuses_a_file_that_is_no_capture():
    example = subprocess.run(
        [sys.executable, str(EXAMPLE), str(PCAPS / "README.md")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert example.returncode == 2
    assert example.stdout == ""
    assert "not a pcap or pcapng capture" in example.stderr
