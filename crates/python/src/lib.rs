//! The Python module `pcap_tls_diagnose` (its native part, `pcap_tls_diagnose._native`): the
//! core's JSON report as Python objects, parsed with `json.loads` from the very text that
//! `pcap-tls-diagnose --format json` prints, so the two cannot differ. No logic of its own.
//!
//! - `diagnose(capture, *, keylog=None, client_cert=None, ca=None) -> dict`: the whole report.
//! - `connections(...)`: an iterator of the connections' entries as they end, with the capture's
//!   summary in its `summary` attribute once it is exhausted; memory stays flat.
//!
//! Files are read in 256 KiB chunks through the core's streaming `Analyzer`, with the GIL
//! released. Errors: `OSError` when a file cannot be read; `ValueError` when a key log or
//! certificate file holds nothing usable; `CaptureError` (a `ValueError`) when the input is no
//! capture at all (a capture cut short gives its partial report instead, as the CLI does); and
//! `RuntimeError` if the core ever panicked: no panic reaches Python.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use pcap_tls_diagnose_core::report::{self, ConnectionReport, Report};
use pcap_tls_diagnose_core::{Analyzer, CaptureError as CoreCaptureError, Certificates, KeyLog};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyMemoryView, PyTuple};

/// Bytes read from a file (or taken from a `bytes` capture) at a time, as the CLI reads.
const CHUNK: usize = 1 << 18;

pyo3::create_exception!(
    pcap_tls_diagnose,
    CaptureError,
    PyValueError,
    "The input is not a capture at all (empty, or neither pcap nor pcapng). Attributes: \
     `filename` (the path given, or None for bytes), `kind` (`empty`, `not_a_capture`, \
     `cut_short`, `bad_length`, `malformed`, `gzip`) and `offset` (the byte offset of the \
     problem), as in the report's `capture.error`."
);

/// What went wrong, made into a Python exception once the GIL is held again.
enum Failure {
    /// A file could not be opened or read: `OSError` (its errno subclass) with the file name.
    Io { error: io::Error, path: PathBuf },
    /// A key log or certificate file without anything usable: `ValueError`.
    Input(String),
    /// The input is not a capture: `CaptureError`.
    Capture {
        error: CoreCaptureError,
        filename: Option<String>,
    },
    /// The core panicked (a bug): `RuntimeError`, never a panic in Python.
    Panic(String),
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Self::Io { error, path } => os_error(py, &error, path),
            Self::Input(message) => PyValueError::new_err(message),
            Self::Capture { error, filename } => capture_error(py, &error, filename),
            Self::Panic(message) => PyRuntimeError::new_err(format!(
                "internal error in pcap-tls-diagnose ({message}); please report it with the \
                 capture"
            )),
        }
    }
}

/// `OSError(errno, strerror, filename)`, which Python makes the errno's subclass
/// (`FileNotFoundError`, `PermissionError`, `IsADirectoryError`, …), as `open()` raises.
fn os_error(py: Python<'_>, error: &io::Error, path: PathBuf) -> PyErr {
    let Some(code) = error.raw_os_error() else {
        return PyOSError::new_err(format!("{}: {error}", path.display()));
    };
    let strerror = py
        .import("os")
        .and_then(|os| os.call_method1("strerror", (code,)))
        .and_then(|s| s.extract::<String>())
        .unwrap_or_else(|_| error.to_string());
    PyOSError::new_err((code, strerror, path.into_os_string()))
}

/// `CaptureError` with the core's message (after the file's name, as the CLI prints it) and
/// the error's `kind` and `offset`.
fn capture_error(py: Python<'_>, error: &CoreCaptureError, filename: Option<String>) -> PyErr {
    let message = match &filename {
        Some(name) => format!("{name}: {error}"),
        None => error.to_string(),
    };
    // The kind's name, as the report's `capture.error.kind` writes it.
    let kind = serde_json::to_value(error)
        .ok()
        .and_then(|json| Some(json.get("kind")?.as_str()?.to_string()));
    let err = CaptureError::new_err(message);
    let value = err.value(py);
    let set = value
        .setattr("filename", filename)
        .and_then(|()| value.setattr("kind", kind))
        .and_then(|()| value.setattr("offset", error.offset));
    match set {
        Ok(()) => err,
        Err(other) => other,
    }
}

/// Runs `work` with the GIL released, turning a panic into a [`Failure`].
fn detached<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, Failure> + Send,
) -> Result<T, Failure> {
    py.detach(|| {
        catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            Err(Failure::Panic(message))
        })
    })
}

/// `json.loads(text)`.
fn loads(py: Python<'_>, text: String) -> PyResult<Py<PyAny>> {
    Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
}

/// An argument that is a path or bytes.
enum Arg<'py> {
    /// `bytes` (borrowed: immutable), or `bytearray` and `memoryview` (copied into `bytes`).
    Bytes(Bound<'py, PyBytes>),
    /// A `str` or `os.PathLike`.
    Path(PathBuf),
}

impl<'py> Arg<'py> {
    /// Reads `value` as a path or bytes; `what` names the parameter in a `TypeError`.
    fn new(value: &Bound<'py, PyAny>, what: &str) -> PyResult<Self> {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            return Ok(Self::Bytes(bytes.clone()));
        }
        if value.is_instance_of::<PyByteArray>() || value.is_instance_of::<PyMemoryView>() {
            let copy = value.py().get_type::<PyBytes>().call1((value,))?;
            return Ok(Self::Bytes(copy.cast_into::<PyBytes>()?));
        }
        // `str` or `os.PathLike` (through `os.fspath`).
        value.extract::<PathBuf>().map(Self::Path).map_err(|_| {
            let type_name = value
                .get_type()
                .name()
                .map_or_else(|_| "?".to_string(), |n| n.to_string());
            PyTypeError::new_err(format!(
                "{what} must be a path (str or os.PathLike) or bytes, not {type_name}"
            ))
        })
    }

    /// The bytes, or the path to read them from, for use with the GIL released.
    fn data(&self) -> Data<'_> {
        match self {
            Self::Bytes(bytes) => Data::Bytes(bytes.as_bytes()),
            Self::Path(path) => Data::Path(path.clone()),
        }
    }
}

/// An argument's content, readable without the GIL.
enum Data<'a> {
    Bytes(&'a [u8]),
    Path(PathBuf),
}

impl Data<'_> {
    /// The whole content (a key log or a certificate file: small).
    fn read(&self) -> Result<std::borrow::Cow<'_, [u8]>, Failure> {
        match self {
            Self::Bytes(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            Self::Path(path) => std::fs::read(path)
                .map(std::borrow::Cow::Owned)
                .map_err(|error| Failure::Io {
                    error,
                    path: path.clone(),
                }),
        }
    }

    /// How a message names it: the path as given (the CLI's way), else the parameter.
    fn name(&self, parameter: &str) -> String {
        match self {
            Self::Bytes(_) => parameter.to_string(),
            Self::Path(path) => path.display().to_string(),
        }
    }
}

/// The key logs, client certificate and trust store a call supplies.
struct SuppliedArgs<'py> {
    /// Each key log with the name its message would use for bytes (`keylog`, `keylog[1]`).
    keylogs: Vec<(String, Arg<'py>)>,
    client_cert: Option<Arg<'py>>,
    ca: Option<Arg<'py>>,
}

impl<'py> SuppliedArgs<'py> {
    fn new(
        keylog: Option<&Bound<'py, PyAny>>,
        client_cert: Option<&Bound<'py, PyAny>>,
        ca: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        let mut keylogs = Vec::new();
        if let Some(keylog) = keylog {
            if keylog.is_instance_of::<PyList>() || keylog.is_instance_of::<PyTuple>() {
                for (i, item) in keylog.try_iter()?.enumerate() {
                    let name = format!("keylog[{i}]");
                    let arg = Arg::new(&item?, &name)?;
                    keylogs.push((name, arg));
                }
            } else {
                keylogs.push(("keylog".to_string(), Arg::new(keylog, "keylog")?));
            }
        }
        Ok(Self {
            keylogs,
            client_cert: client_cert
                .map(|c| Arg::new(c, "client_cert"))
                .transpose()?,
            ca: ca.map(|c| Arg::new(c, "ca")).transpose()?,
        })
    }

    /// The contents, for use with the GIL released.
    fn data(&self) -> Supplied<'_> {
        Supplied {
            keylogs: self
                .keylogs
                .iter()
                .map(|(name, arg)| (name.as_str(), arg.data()))
                .collect(),
            client_cert: self.client_cert.as_ref().map(Arg::data),
            ca: self.ca.as_ref().map(Arg::data),
        }
    }
}

/// What [`SuppliedArgs`] hold, readable without the GIL.
struct Supplied<'a> {
    keylogs: Vec<(&'a str, Data<'a>)>,
    client_cert: Option<Data<'a>>,
    ca: Option<Data<'a>>,
}

impl Supplied<'_> {
    /// An analyser with them, read with the core's readers and the CLI's messages.
    fn analyzer(&self) -> Result<Analyzer, Failure> {
        let mut analyzer = Analyzer::new();
        let mut key_log = KeyLog::new();
        for (parameter, data) in &self.keylogs {
            if key_log.add(&data.read()?) == 0 {
                return Err(Failure::Input(format!(
                    "{}: {}",
                    data.name(parameter),
                    pcap_tls_diagnose_core::NO_KEY_LOG_LINE
                )));
            }
        }
        analyzer.set_key_log(key_log);
        if let Some(data) = &self.client_cert {
            analyzer.set_client_certificates(certificates(
                data,
                "client_cert",
                Certificates::client_chain,
            )?);
        }
        if let Some(data) = &self.ca {
            analyzer.set_trust_store(certificates(data, "ca", Certificates::trust_store)?);
        }
        Ok(analyzer)
    }
}

/// A certificate file read with the core's `reader`; its error after the file's name.
fn certificates(
    data: &Data<'_>,
    parameter: &str,
    reader: fn(&[u8]) -> Result<Certificates, pcap_tls_diagnose_core::CertificateFileError>,
) -> Result<Certificates, Failure> {
    reader(&data.read()?).map_err(|why| Failure::Input(format!("{}: {why}", data.name(parameter))))
}

/// Where the capture's bytes come from, as it is read.
enum Input {
    /// A file, read [`CHUNK`] bytes at a time.
    File { file: File, path: PathBuf },
    /// `bytes` (held by the caller of [`Stream::step`]), taken from `at` on.
    Bytes { at: usize },
}

impl Input {
    /// Opens the capture (`bytes` are held by the caller).
    fn open(capture: &Data<'_>) -> Result<Self, Failure> {
        match capture {
            Data::Bytes(_) => Ok(Self::Bytes { at: 0 }),
            Data::Path(path) => match File::open(path) {
                Ok(file) => Ok(Self::File {
                    file,
                    path: path.clone(),
                }),
                Err(error) => Err(Failure::Io {
                    error,
                    path: path.clone(),
                }),
            },
        }
    }

    /// The name of a file in messages (as the CLI shows it); `None` for bytes.
    fn filename(&self) -> Option<String> {
        match self {
            Self::File { path, .. } => Some(path.display().to_string()),
            Self::Bytes { .. } => None,
        }
    }
}

/// A capture being analysed: the analyser and what feeds it.
struct Stream {
    analyzer: Analyzer,
    input: Input,
    /// The file's read buffer.
    buf: Vec<u8>,
    /// The input ended, or the analyser stopped at an error it keeps for `finish`.
    read_all: bool,
}

impl Stream {
    fn new(analyzer: Analyzer, input: Input) -> Self {
        Self {
            analyzer,
            input,
            buf: Vec::new(),
            read_all: false,
        }
    }

    /// Reads and analyses the capture until connections have ended (when `take`: their report
    /// entries, in the order they ended) or to its end (`None`). Call it with the GIL released;
    /// `bytes` is the content of a `bytes` input.
    fn feed(
        &mut self,
        bytes: Option<&[u8]>,
        take: bool,
    ) -> Result<Option<Vec<ConnectionReport>>, Failure> {
        while !self.read_all {
            let chunk = match &mut self.input {
                Input::Bytes { at } => {
                    let all = bytes.unwrap_or_default();
                    // All at once when nothing is taken on the way (as the core's `diagnose`).
                    let end = if take {
                        all.len().min(*at + CHUNK)
                    } else {
                        all.len()
                    };
                    let chunk = all.get(*at..end).unwrap_or_default();
                    *at = end;
                    chunk
                }
                Input::File { file, path } => {
                    if self.buf.is_empty() {
                        self.buf = vec![0; CHUNK];
                    }
                    let n = loop {
                        match file.read(&mut self.buf) {
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(error) => {
                                return Err(Failure::Io {
                                    error,
                                    path: path.clone(),
                                });
                            }
                            Ok(n) => break n,
                        }
                    };
                    &self.buf[..n]
                }
            };
            // After an error the analyser keeps it; `finish` returns it with the partial report.
            self.read_all = chunk.is_empty() || self.analyzer.push(chunk).is_err();
            if take {
                let taken = self.analyzer.take_connections();
                if !taken.is_empty() {
                    return Ok(Some(taken));
                }
            }
        }
        Ok(None)
    }

    /// Ends the analysis: the report, with the connections not taken before; partial for a
    /// capture read in part (as the CLI prints it), an error for input that is no capture.
    fn end(self) -> Result<Report, Failure> {
        match self.analyzer.finish() {
            Ok(report) => Ok(report),
            Err(failure) if failure.partial.capture.format.is_some() => Ok(failure.partial),
            Err(failure) => Err(Failure::Capture {
                error: failure.error,
                filename: self.input.filename(),
            }),
        }
    }
}

// The doc comments of the functions and the class below are their Python docstrings.

/// Analyses a whole capture and returns its report: the document that
/// `pcap-tls-diagnose --format json` prints (docs/report.md), as dicts and lists.
///
/// `capture`, `client_cert` and `ca` are each a path (str or os.PathLike) or the file's
/// content (bytes; bytearray and memoryview are copied). `keylog` is one of those or a list of
/// them. As the CLI's `--keylog`, `--client-cert` and `--ca`. A file is read in 256 KiB chunks
/// with the GIL released.
///
/// Raises OSError when a file cannot be read; ValueError when a key log has no usable line or
/// a certificate file no certificate; CaptureError (a ValueError) when the capture is no
/// capture at all. A capture cut short returns its partial report (`capture["error"]`).
#[pyfunction]
#[pyo3(signature = (capture, *, keylog=None, client_cert=None, ca=None, all=false))]
fn diagnose(
    py: Python<'_>,
    capture: &Bound<'_, PyAny>,
    keylog: Option<&Bound<'_, PyAny>>,
    client_cert: Option<&Bound<'_, PyAny>>,
    ca: Option<&Bound<'_, PyAny>>,
    all: bool,
) -> PyResult<Py<PyAny>> {
    let capture = Arg::new(capture, "capture")?;
    let supplied = SuppliedArgs::new(keylog, client_cert, ca)?;
    let (capture, supplied) = (capture.data(), supplied.data());
    let json = detached(py, || {
        let mut stream = Stream::new(supplied.analyzer()?, Input::open(&capture)?);
        let bytes = match &capture {
            Data::Bytes(bytes) => Some(*bytes),
            Data::Path(_) => None,
        };
        // Taking no connections on the way, it reads to the end.
        stream.feed(bytes, false)?;
        Ok(report::to_json_with(&stream.end()?, all))
    })
    .map_err(|failure| failure.into_py(py))?;
    loads(py, json)
}

/// Analyses a capture as a stream: returns an iterator (`Connections`) of the connections'
/// report entries, each as its connection ends, so that memory stays flat on a large file;
/// once it is exhausted, its `summary` holds the rest of the report.
///
/// Arguments as for `diagnose`. The file is opened and the key logs and certificates read at
/// this call (OSError, ValueError); a capture that is no capture raises CaptureError from the
/// first `next()`.
#[pyfunction]
#[pyo3(signature = (capture, *, keylog=None, client_cert=None, ca=None))]
fn connections(
    py: Python<'_>,
    capture: &Bound<'_, PyAny>,
    keylog: Option<&Bound<'_, PyAny>>,
    client_cert: Option<&Bound<'_, PyAny>>,
    ca: Option<&Bound<'_, PyAny>>,
) -> PyResult<Connections> {
    let capture = Arg::new(capture, "capture")?;
    let supplied = SuppliedArgs::new(keylog, client_cert, ca)?;
    let (data, supplied_data) = (capture.data(), supplied.data());
    let stream = detached(py, || {
        Ok(Stream::new(supplied_data.analyzer()?, Input::open(&data)?))
    })
    .map_err(|failure| failure.into_py(py))?;
    let bytes = match capture {
        Arg::Bytes(bytes) => Some(bytes.unbind()),
        Arg::Path(_) => None,
    };
    Ok(Connections {
        stream: Some(Mutex::new(stream)),
        bytes,
        ready: VecDeque::new(),
        summary: None,
    })
}

/// An iterator of a capture's connection entries (dicts), in the order the connections end;
/// those whose findings may name a later connection come at the end (sort by "id" for the
/// report's order). Once it is exhausted, `summary` holds the report without its
/// `connections`. A context manager: leaving the `with` block closes the file.
#[pyclass(module = "pcap_tls_diagnose")]
struct Connections {
    /// `None` once the analysis ended (or failed, or was closed). In a mutex for `Sync` only:
    /// the analyser is `Send`, not `Sync`, and is only reached through `&mut self`.
    stream: Option<Mutex<Stream>>,
    /// The capture, when it was given as `bytes`.
    bytes: Option<Py<PyBytes>>,
    /// Entries parsed and not yet handed out.
    ready: VecDeque<Py<PyAny>>,
    summary: Option<Py<PyAny>>,
}

#[pymethods]
impl Connections {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(mut slf: PyRefMut<'_, Self>) -> PyResult<Option<Py<PyAny>>> {
        let py = slf.py();
        let this = &mut *slf;
        loop {
            if let Some(next) = this.ready.pop_front() {
                return Ok(Some(next));
            }
            let Some(stream) = this.stream.as_mut() else {
                return Ok(None);
            };
            let stream = stream.get_mut().unwrap_or_else(PoisonError::into_inner);
            let bytes = this.bytes.as_ref().map(|b| b.as_bytes(py));
            let fed = detached(py, || {
                let taken = stream.feed(bytes, true)?;
                Ok(taken.map(|taken| report::connections_to_json(&taken)))
            });
            let entries = match fed {
                Ok(Some(entries)) => entries,
                // The end: the connections still held, then the summary.
                Ok(None) => {
                    let Some(stream) = this.stream.take() else {
                        return Ok(None);
                    };
                    this.bytes = None;
                    let stream = stream.into_inner().unwrap_or_else(PoisonError::into_inner);
                    let (entries, summary) = detached(py, || {
                        let mut report = stream.end()?;
                        let rest = std::mem::take(&mut report.connections);
                        Ok((
                            report::connections_to_json(&rest),
                            report::to_json_compact(&report, false),
                        ))
                    })
                    .map_err(|failure| failure.into_py(py))?;
                    let summary = loads(py, summary)?;
                    // The document without its connections (and the tables they refer to).
                    let dict = summary.bind(py).cast::<PyDict>()?;
                    for key in ["connections", "certificates", "client_hellos"] {
                        dict.del_item(key)?;
                    }
                    this.summary = Some(summary);
                    entries
                }
                Err(failure) => {
                    this.close();
                    return Err(failure.into_py(py));
                }
            };
            for entry in loads(py, entries)?.bind(py).try_iter()? {
                this.ready.push_back(entry?.unbind());
            }
        }
    }

    /// The report without its `connections` once the iterator is exhausted; `None` before.
    #[getter]
    fn summary(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        // Read with the last connections: shown once they have been handed out.
        if !self.ready.is_empty() {
            return None;
        }
        self.summary.as_ref().map(|s| s.clone_ref(py))
    }

    /// Stops the analysis and closes the file; the iterator then ends (without a summary if it
    /// had not reached the end).
    fn close(&mut self) {
        self.stream = None;
        self.bytes = None;
        // Entries not handed out yet: the end was not reached.
        if !self.ready.is_empty() {
            self.ready.clear();
            self.summary = None;
        }
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __exit__(
        &mut self,
        _type: &Bound<'_, PyAny>,
        _value: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> bool {
        self.close();
        false
    }
}

/// The module `pcap_tls_diagnose._native`, re-exported by `pcap_tls_diagnose`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(diagnose, m)?)?;
    m.add_function(wrap_pyfunction!(connections, m)?)?;
    m.add_class::<Connections>()?;
    m.add("CaptureError", m.py().get_type::<CaptureError>())?;
    Ok(())
}
