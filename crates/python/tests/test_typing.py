"""The stubs against the module, and the example and the package under `mypy --strict`."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

HERE = Path(__file__).resolve().parents[1]


def mypy(*arguments):
    done = subprocess.run(
        [sys.executable, "-m", *arguments], capture_output=True, text=True, check=False, cwd=HERE
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_stubs_match_the_native_module():
    # Every function, class, method and attribute of _native.pyi exists at run time with the
    # same signature, and nothing the module has is missing from the stubs.
    mypy("mypy.stubtest", "pcap_tls_diagnose._native")


def test_the_example_and_the_package_type_check_strictly():
    assert "Success" in mypy(
        "mypy", "--strict", "--no-incremental", "examples/diagnose.py", "python/pcap_tls_diagnose"
    )
