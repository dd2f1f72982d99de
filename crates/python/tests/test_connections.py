"""connections(): the document's entries one by one as connections end, then the summary."""

import os
import subprocess
import sys

import pytest

import pcap_tls_diagnose as ptd
from conftest import (
    HEADLINE,
    PCAPS,
    captures,
    cli_json,
    cli_json_many,
    resolve,
    JAVA_NOT_IN_CA_LIST,
    ROOT_CA,
    TLS13_KEYLOG,
    TLS13_KEYS,
    UNKNOWN_CA,
    UNRELATED_CERT,
)



def streamed(capture, **options):
    """The entries in the order they came, and the summary."""
    entries = ptd.connections(capture, **options)
    assert entries.summary is None
    listed = list(entries)
    return listed, entries.summary


def split(document):
    """A document (`--all`: every entry in full) as connections() gives it: its entries whole,
    and the rest without the tables the entries referred to."""
    tables = ("connections", "certificates", "client_hellos")
    rest = {k: v for k, v in document.items() if k not in tables}
    return resolve(document)["connections"], rest


def by_id(entries):
    return sorted(entries, key=lambda c: c["id"])


def test_every_capture_gives_the_document_entries_and_summary(cli):
    files = captures()
    for path, document in zip(files, cli_json_many(cli, files, "--all")):
        listed, summary = streamed(path)
        entries, rest = split(document)
        assert by_id(listed) == entries, path.name
        assert summary == rest, path.name


def test_bytes_and_the_options(cli):
    cases = [
        (HEADLINE, {}, []),
        (TLS13_KEYLOG, {"keylog": TLS13_KEYS}, ["--keylog", TLS13_KEYS]),
        (TLS13_KEYLOG, {"keylog": [TLS13_KEYS.read_bytes()]}, ["--keylog", TLS13_KEYS]),
        (
            JAVA_NOT_IN_CA_LIST,
            {"client_cert": UNRELATED_CERT},
            ["--client-cert", UNRELATED_CERT],
        ),
        (UNKNOWN_CA, {"ca": ROOT_CA.read_bytes()}, ["--ca", ROOT_CA]),
    ]
    for capture, options, arguments in cases:
        entries, rest = split(cli_json(cli, "--all", *arguments, capture))
        for source in (capture, capture.read_bytes()):
            listed, summary = streamed(source, **options)
            assert by_id(listed) == entries, (capture.name, options)
            assert summary == rest, (capture.name, options)
    # The options do change what is seen.
    assert streamed(TLS13_KEYLOG)[0] != streamed(TLS13_KEYLOG, keylog=TLS13_KEYS)[0]


def test_a_capture_cut_short_ends_with_its_partial_summary(cli, tmp_path):
    data = HEADLINE.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) - 7])
    entries, rest = split(cli_json(cli, "--all", cut))
    assert rest["capture"]["error"]["kind"] == "cut_short"
    assert streamed(cut) == (entries, rest)
    assert streamed(data[: len(data) - 7]) == (entries, rest)


def test_input_that_is_no_capture_raises_when_iterated():
    entries = ptd.connections(PCAPS / "README.md")
    with pytest.raises(ptd.CaptureError, match="not a pcap or pcapng capture") as raised:
        next(entries)
    assert raised.value.kind == "not_a_capture"
    # The iterator is over, without a summary.
    assert list(entries) == [] and entries.summary is None
    with pytest.raises(ptd.CaptureError, match="^the file is empty$"):
        next(ptd.connections(b""))


def test_files_and_options_are_read_at_the_call(tmp_path):
    with pytest.raises(FileNotFoundError):
        ptd.connections(tmp_path / "missing.pcap")
    with pytest.raises(ValueError, match="no key log line"):
        ptd.connections(HEADLINE, keylog=b"not a key log")
    with pytest.raises(ValueError, match="^client_cert: "):
        ptd.connections(HEADLINE, client_cert=b"not a certificate")


def test_close_and_the_context_manager():
    with ptd.connections(HEADLINE) as entries:
        assert iter(entries) is entries
    # Closed on exit before anything was read: nothing more, and no summary.
    assert list(entries) == [] and entries.summary is None
    with ptd.connections(HEADLINE) as entries:
        listed = list(entries)
    assert len(listed) == 1 and entries.summary is not None
    entries = ptd.connections(HEADLINE)
    entries.close()
    assert list(entries) == []
    # Closed after the first of three entries that came together: the rest are dropped.
    entries = ptd.connections(PCAPS / "tls-multi-connection-two-ports.pcap")
    assert next(entries)["id"] in (1, 2, 3)
    entries.close()
    assert list(entries) == [] and entries.summary is None


@pytest.fixture(scope="module")
def many_connections(bench, tmp_path_factory):
    """A generated capture of about 2,000 short connections (12 MB): more than the analysis
    holds once they ended, so that entries come out while the file is still being read."""
    path = tmp_path_factory.mktemp("generated") / "short.pcap"
    subprocess.run(
        [str(bench), "generate", "--shape", "short", "--size", "12M", "--out", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def read_position(path):
    """How far this process has read the open file `path` (Linux: /proc/self/fdinfo)."""
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.path.realpath(f"/proc/self/fd/{fd}") == str(path):
                with open(f"/proc/self/fdinfo/{fd}") as info:
                    return int(info.readline().split()[1])
        except OSError:
            continue
    raise AssertionError(f"{path} is not open")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fdinfo")
def test_entries_come_while_a_large_file_is_read(cli, many_connections):
    size = many_connections.stat().st_size
    entries = ptd.connections(many_connections)
    first = next(entries)
    position = read_position(many_connections.resolve())
    assert position < size * 0.9, (position, size)
    listed = [first, *entries]
    ids = [c["id"] for c in listed]
    assert len(ids) > 1500 and len(set(ids)) == len(ids)
    # In the order they ended, not the order they started.
    assert ids != sorted(ids)
    document_entries, rest = split(cli_json(cli, "--all", many_connections))
    assert by_id(listed) == document_entries
    assert entries.summary == rest
