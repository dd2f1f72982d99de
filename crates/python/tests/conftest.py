"""Shared helpers: the repository's captures and the CLI to compare the module with.

The CLI is target/debug/pcap-tls-diagnose (what `cargo test --workspace` builds), or the binary
named by PCAP_TLS_DIAGNOSE_CLI; when neither exists it is built here with cargo.
"""

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Sequence

import pytest

ROOT = Path(__file__).resolve().parents[3]
PCAPS = ROOT / "pcaps"
HEADLINE = PCAPS / "tls12-mtls-missing-client-cert-openssl.pcap"
TLS13_KEYLOG = PCAPS / "tls13-mtls-missing-client-cert-keylog.pcap"
TLS13_KEYS = PCAPS / "tls13-mtls-missing-client-cert-keylog.keys"
JAVA_NOT_IN_CA_LIST = PCAPS / "tls12-mtls-java-client-cert-not-in-ca-list.pcap"
UNRELATED_CERT = PCAPS / "certs" / "client-unrelated.pem"
ROOT_CA = PCAPS / "certs" / "root.pem"
UNKNOWN_CA = PCAPS / "tls12-client-cert-unknown-ca.pcap"


def captures() -> List[Path]:
    """Every capture of pcaps/, by name."""
    return sorted(p for p in PCAPS.iterdir() if p.suffix in (".pcap", ".pcapng"))


def _binary(name: str, package: str, variable: str) -> Path:
    given = os.environ.get(variable)
    if given:
        return Path(given)
    path = ROOT / "target" / "debug" / name
    if not path.exists():
        subprocess.run(["cargo", "build", "-q", "-p", package], cwd=ROOT, check=True)
    return path


@pytest.fixture(scope="session")
def cli() -> Path:
    """The pcap-tls-diagnose binary."""
    return _binary("pcap-tls-diagnose", "pcap-tls-diagnose", "PCAP_TLS_DIAGNOSE_CLI")


@pytest.fixture(scope="session")
def bench() -> Path:
    """The benchmark's capture generator (pcap-tls-bench)."""
    return _binary("pcap-tls-bench", "pcap-tls-bench", "PCAP_TLS_BENCH")


def run_cli(cli: Path, *args: "os.PathLike[str] | str") -> subprocess.CompletedProcess:
    """Runs the CLI; exit 0 (no error finding) and 1 (an error finding) are both success."""
    done = subprocess.run(
        [str(cli), *map(str, args)], capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return done


def json_documents(text: str) -> List[Dict[str, Any]]:
    """The JSON documents the CLI printed one after another (one per capture)."""
    decoder = json.JSONDecoder()
    documents: List[Dict[str, Any]] = []
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return documents
        document, at = decoder.raw_decode(text, at)
        documents.append(document)


def cli_json(cli: Path, *args: "os.PathLike[str] | str") -> Dict[str, Any]:
    """`pcap-tls-diagnose --format json ARGS` for one capture, parsed."""
    (document,) = json_documents(run_cli(cli, "--format", "json", *args).stdout)
    return document


def cli_json_many(cli: Path, files: Sequence[Path], *args: str) -> List[Dict[str, Any]]:
    """The CLI's documents for several captures at once, in the files' order."""
    documents = json_documents(run_cli(cli, "--format", "json", *args, *files).stdout)
    assert len(documents) == len(files)
    return documents


def resolve(document: Dict[str, Any]) -> Dict[str, Any]:
    """A document's connections whole: their certificates and ClientHello in place of the
    references to the document's `certificates` and `client_hellos` (as connections() yields
    them)."""
    certificates = document["certificates"]
    hellos = document["client_hellos"]

    def chain(refs: Any) -> Any:
        if refs is None:
            return None
        whole = []
        for ref in refs:
            if "error" in ref:
                whole.append(ref)
                continue
            cert = dict(certificates[ref["sha256"]])
            if "signature_valid" in ref:
                cert["signature_valid"] = ref["signature_valid"]
            whole.append(cert)
        return whole

    out = dict(document)
    out["connections"] = [
        {
            **c,
            "server_certificates": chain(c["server_certificates"]),
            "client_certificates": chain(c["client_certificates"]),
            "client_hello": hellos[c["client_hello"]] if c["client_hello"] else None,
        }
        for c in document["connections"]
    ]
    return out
