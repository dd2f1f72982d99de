"""diagnose(): the CLI's `--format json` document, as dicts, on the captures of pcaps/."""

import faulthandler
import gzip
import os
import pathlib
import subprocess
import threading
import time

import pytest

import pcap_tls_diagnose as ptd
from conftest import (
    HEADLINE,
    PCAPS,
    captures,
    cli_json,
    cli_json_many,
    run_cli,
    JAVA_NOT_IN_CA_LIST,
    ROOT_CA,
    TLS13_KEYLOG,
    TLS13_KEYS,
    UNKNOWN_CA,
    UNRELATED_CERT,
)

NOT_A_CAPTURE = PCAPS / "README.md"


def codes(report):
    return [f["code"] for c in report["connections"] for f in c["findings"]]


def test_every_capture_gives_the_cli_document(cli):
    files = captures()
    assert len(files) > 100
    for path, document in zip(files, cli_json_many(cli, files)):
        assert ptd.diagnose(path) == document, path.name


def test_the_headline_capture_is_a_missing_client_certificate(cli):
    report = ptd.diagnose(str(HEADLINE))
    assert report == cli_json(cli, HEADLINE)
    (connection,) = report["connections"]
    assert connection["outcome"] == "failed"
    assert connection["client_certificates"] == []
    assert connection["findings"][0]["code"] == "client-cert-missing"
    assert connection["findings"][0]["severity"] == "error"


def test_bytes_and_path_like_give_the_same_report():
    data = HEADLINE.read_bytes()
    report = ptd.diagnose(HEADLINE)
    assert ptd.diagnose(data) == report
    assert ptd.diagnose(bytearray(data)) == report
    assert ptd.diagnose(memoryview(data)) == report
    assert ptd.diagnose(str(HEADLINE)) == report
    assert ptd.diagnose(pathlib.PurePosixPath(HEADLINE)) == report


def test_gzip_compressed_capture(cli, tmp_path):
    packed = tmp_path / "capture.pcap.gz"
    packed.write_bytes(gzip.compress(HEADLINE.read_bytes()))
    report = ptd.diagnose(packed)
    assert report["capture"]["gzip"] is True
    assert report == cli_json(cli, packed)
    assert ptd.diagnose(packed.read_bytes()) == report


def test_every_key_log_of_pcaps_as_the_cli_uses_it(cli):
    pairs = [
        (capture, keys)
        for keys in sorted(PCAPS.glob("*.keys"))
        for capture in [keys.with_suffix(".pcap"), keys.with_suffix(".pcapng")]
        if capture.exists()
    ]
    assert len(pairs) >= 10
    for capture, keys in pairs:
        report = ptd.diagnose(capture, keylog=keys)
        assert report == cli_json(cli, "--keylog", keys, capture), capture.name
        assert report["capture"]["key_log"]["lines"] > 0


def test_a_key_log_decrypts_tls13(cli):
    without = ptd.diagnose(TLS13_KEYLOG)
    report = ptd.diagnose(TLS13_KEYLOG, keylog=TLS13_KEYS)
    assert report != without
    assert report["capture"]["key_log"]["connections_matched"] >= 1
    decrypted = [c["decryption"]["records_decrypted"] for c in report["connections"]]
    assert sum(decrypted) == 8  # as the CLI's text says: "key log: 8 records decrypted"
    assert ptd.diagnose(TLS13_KEYLOG, keylog=TLS13_KEYS.read_bytes()) == report


def test_several_key_logs_are_merged(cli, tmp_path):
    lines = TLS13_KEYS.read_bytes().splitlines(keepends=True)
    assert len(lines) >= 2
    first, second = tmp_path / "first.keys", tmp_path / "second.keys"
    first.write_bytes(b"".join(lines[: len(lines) // 2]))
    second.write_bytes(b"".join(lines[len(lines) // 2 :]))
    expected = cli_json(cli, "--keylog", first, "--keylog", second, TLS13_KEYLOG)
    assert expected == cli_json(cli, "--keylog", TLS13_KEYS, TLS13_KEYLOG)
    assert ptd.diagnose(TLS13_KEYLOG, keylog=[first, second]) == expected
    assert ptd.diagnose(TLS13_KEYLOG, keylog=(first, second.read_bytes())) == expected
    # Half of the secrets decrypt less than all of them.
    assert ptd.diagnose(TLS13_KEYLOG, keylog=first) != expected


def test_a_client_certificate_is_checked_against_the_certificate_request(cli):
    report = ptd.diagnose(JAVA_NOT_IN_CA_LIST, client_cert=UNRELATED_CERT)
    assert report == cli_json(cli, "--client-cert", UNRELATED_CERT, JAVA_NOT_IN_CA_LIST)
    assert len(report["supplied_client_certificates"]) >= 1
    assert "supplied_client_certificates" not in ptd.diagnose(JAVA_NOT_IN_CA_LIST)
    assert report != ptd.diagnose(JAVA_NOT_IN_CA_LIST)
    assert ptd.diagnose(JAVA_NOT_IN_CA_LIST, client_cert=UNRELATED_CERT.read_bytes()) == report


def test_a_trust_store_is_followed(cli):
    report = ptd.diagnose(UNKNOWN_CA, ca=ROOT_CA)
    assert report == cli_json(cli, "--ca", ROOT_CA, UNKNOWN_CA)
    assert report["trust_store"] == ["CN=Test Root CA, O=pcap-tls-diagnose"]
    assert "client-cert-untrusted-issuer" in codes(report)
    assert ptd.diagnose(UNKNOWN_CA, ca=ROOT_CA.read_bytes()) == report


def test_a_capture_cut_short_gives_its_partial_report(cli, tmp_path):
    data = HEADLINE.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) - 7])
    report = ptd.diagnose(cut)
    assert report == cli_json(cli, cut)
    error = report["capture"]["error"]
    assert error["kind"] == "cut_short"
    assert error["offset"] < len(data)
    assert "capture-truncated" in [f["code"] for f in report["findings"]] + codes(report)
    assert ptd.diagnose(data[: len(data) - 7]) == report


def cli_error(cli, *args):
    """What the CLI says on stderr when it refuses an input (exit 2), without its name."""
    done = run_cli_refusing(cli, *args)
    prefix = "pcap-tls-diagnose: "
    assert done.stderr.startswith(prefix) and done.stderr.endswith("\n"), done.stderr
    return done.stderr[len(prefix) : -1]


def run_cli_refusing(cli, *args):
    done = subprocess.run(
        [str(cli), "--format", "json", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    return done


def test_a_file_that_is_no_capture_raises_the_cli_message(cli):
    with pytest.raises(ptd.CaptureError) as raised:
        ptd.diagnose(NOT_A_CAPTURE)
    error = raised.value
    assert isinstance(error, ValueError)
    assert str(error) == cli_error(cli, NOT_A_CAPTURE)
    assert str(error).startswith(f"{NOT_A_CAPTURE}: not a pcap or pcapng capture")
    assert (error.kind, error.offset, error.filename) == ("not_a_capture", 0, str(NOT_A_CAPTURE))
    with pytest.raises(ptd.CaptureError) as raised:
        ptd.diagnose(NOT_A_CAPTURE.read_bytes())
    assert str(raised.value) == str(error)[len(f"{NOT_A_CAPTURE}: ") :]
    assert raised.value.filename is None


def test_an_empty_file_raises(cli, tmp_path):
    empty = tmp_path / "empty.pcap"
    empty.write_bytes(b"")
    with pytest.raises(ptd.CaptureError) as raised:
        ptd.diagnose(empty)
    assert str(raised.value) == cli_error(cli, empty)
    assert raised.value.kind == "empty"
    with pytest.raises(ptd.CaptureError, match="^the file is empty$"):
        ptd.diagnose(b"")


def test_key_logs_and_certificate_files_without_content_raise_the_cli_messages(cli):
    for option, keyword in [("--keylog", "keylog"), ("--client-cert", "client_cert"), ("--ca", "ca")]:
        expected = cli_error(cli, option, NOT_A_CAPTURE, HEADLINE)
        with pytest.raises(ValueError) as raised:
            ptd.diagnose(HEADLINE, **{keyword: NOT_A_CAPTURE})
        assert type(raised.value) is ValueError
        assert str(raised.value) == expected
        # As bytes, the message names the parameter instead of a file.
        with pytest.raises(ValueError) as raised:
            ptd.diagnose(HEADLINE, **{keyword: NOT_A_CAPTURE.read_bytes()})
        assert str(raised.value) == keyword + expected[len(str(NOT_A_CAPTURE)) :]
    with pytest.raises(ValueError, match=r"^keylog\[1\]: no key log line"):
        ptd.diagnose(HEADLINE, keylog=[TLS13_KEYS, b"nothing"])


def test_files_that_cannot_be_read_raise_os_errors(tmp_path):
    missing = tmp_path / "missing.pcap"
    with pytest.raises(FileNotFoundError) as raised:
        ptd.diagnose(missing)
    assert raised.value.filename == str(missing)
    assert raised.value.errno == 2
    with pytest.raises(IsADirectoryError):
        ptd.diagnose(tmp_path)
    for keyword in ["keylog", "client_cert", "ca"]:
        with pytest.raises(FileNotFoundError) as raised:
            ptd.diagnose(HEADLINE, **{keyword: missing})
        assert raised.value.filename == str(missing)


def test_other_types_raise_type_errors():
    with pytest.raises(TypeError, match="^capture must be a path"):
        ptd.diagnose(42)
    with pytest.raises(TypeError, match="^ca must be a path"):
        ptd.diagnose(HEADLINE, ca=1.5)
    with pytest.raises(TypeError):
        ptd.diagnose(HEADLINE, None, None)  # the options are keyword-only


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_the_gil_is_released_while_the_capture_is_read(tmp_path):
    # The analysis waits for a pipe that this thread fills: if it held the GIL, this thread
    # could not run and the test would hang (faulthandler then ends it with a traceback).
    pipe = tmp_path / "capture.pcap"
    os.mkfifo(pipe)
    data = HEADLINE.read_bytes()
    result = {}

    def analyse():
        result["report"] = ptd.diagnose(pipe)

    faulthandler.dump_traceback_later(60, exit=True)
    try:
        worker = threading.Thread(target=analyse)
        worker.start()
        with open(pipe, "wb") as writer:
            writer.write(data[:100])
            writer.flush()
            time.sleep(0.2)
            assert worker.is_alive() and "report" not in result
            writer.write(data[100:])
        worker.join()
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert result["report"] == ptd.diagnose(data)
