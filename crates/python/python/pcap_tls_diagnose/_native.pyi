"""The native part of ``pcap_tls_diagnose`` (Rust, PyO3); use it through the package."""

from types import TracebackType
from typing import Iterator, List, Literal, Optional, Type, final

from .report import Connection, KeyLogs, Report, Source, Summary

__all__ = ["diagnose", "connections", "Connections", "CaptureError"]

class CaptureError(ValueError):
    """The input is not a capture at all (empty, or neither pcap nor pcapng).

    ``str(error)`` is the CLI's message: the file's name (for a path), then what is wrong and
    at which byte offset. A capture that is cut short or breaks off later is not an error: its
    partial report says so in ``capture["error"]``.
    """

    filename: Optional[str]
    """The path given, as given; ``None`` when the capture was bytes."""
    kind: Literal["empty", "not_a_capture", "cut_short", "bad_length", "malformed", "gzip"]
    """As in the report's ``capture.error.kind``."""
    offset: int
    """Byte offset of the problem in the file (in the decompressed data for gzip)."""

def diagnose(
    capture: Source,
    *,
    keylog: Optional[KeyLogs] = None,
    client_cert: Optional[Source] = None,
    ca: Optional[Source] = None,
    all: bool = False,
) -> Report:
    """Analyses a whole capture and returns its report (``--format json``'s document,
    ``schema_version`` 2: certificates and ClientHello shapes once, in ``certificates`` and
    ``client_hellos``, connections referring to them; a connection without a problem has a
    short entry unless ``all`` is true, as ``--all``).

    ``capture``, ``client_cert`` and ``ca`` are a path (``str`` or ``os.PathLike``) or the
    content (``bytes``; ``bytearray`` and ``memoryview`` are copied); ``keylog`` is one of those
    or a list of them (``--keylog``, repeatable). A file is read in chunks with the GIL released.

    Raises ``OSError`` when a file cannot be read, ``ValueError`` when a key log has no usable
    line or a certificate file no certificate (the CLI's messages), ``CaptureError`` when the
    capture is no capture at all. A capture cut short gives its partial report.
    """

def connections(
    capture: Source,
    *,
    keylog: Optional[KeyLogs] = None,
    client_cert: Optional[Source] = None,
    ca: Optional[Source] = None,
) -> Connections:
    """The capture's connections, one report entry at a time as each ends, for large files.

    Arguments and errors as for ``diagnose``; the file is opened and the key log and
    certificates read at the call (``OSError``, ``ValueError``), the capture as the iterator is
    consumed (``CaptureError`` from the first ``next()``).
    """

@final
class Connections(Iterator[Connection]):
    """An iterator of report entries (``Connection``) in the order the connections end.

    The file is read 256 KiB at a time with the GIL released; only the connections still open
    are held, so memory stays flat whatever the size of the capture. Connections whose findings
    may name a later one (a refused connection, plain text on a TLS port, a resumed session)
    come at the end; sort by ``"id"`` for the report's order. Once exhausted, ``summary`` holds
    the rest of the report. Also a context manager that closes the file on exit. One thread at
    a time.
    """

    @property
    def summary(self) -> Optional[Summary]:
        """The report without ``connections`` (the capture's facts, counts, outcomes, errors
        and capture-wide findings) once the iterator is exhausted; ``None`` before."""
    def __iter__(self) -> Connections: ...
    def __next__(self) -> Connection: ...
    def close(self) -> None:
        """Stops the analysis and closes the file; the iterator ends (``summary`` stays
        ``None`` unless it had reached the end)."""
    def __enter__(self) -> Connections: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> Literal[False]: ...
