"""The TypedDicts of pcap_tls_diagnose.report against docs/report.schema.json, key by key."""

import json
import typing

import pytest

from conftest import ROOT
from pcap_tls_diagnose import report as shapes

SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())
DEFS = SCHEMA["$defs"]


def resolve(node):
    """A schema node with its `$ref` followed and a `oneOf` of null and an object unwrapped."""
    while True:
        if "$ref" in node:
            node = DEFS[node["$ref"].split("/")[-1]]
        elif "oneOf" in node:
            objects = [n for n in node["oneOf"] if n.get("type") != "null"]
            assert len(objects) == 1, node
            node = objects[0]
        elif node.get("type") == "array":
            node = node["items"]
        else:
            return node


CAPTURE = DEFS["capture"]["properties"]
TRAFFIC = DEFS["traffic"]["properties"]
DECRYPTION = DEFS["decryption"]["properties"]
REPORT = {k: v for k, v in SCHEMA.items() if k in ("properties", "required")}
TABLES = ("connections", "certificates", "client_hellos")
SUMMARY = {
    "properties": {k: v for k, v in SCHEMA["properties"].items() if k not in TABLES},
    "required": [k for k in SCHEMA["required"] if k not in TABLES],
}

PAIRS = [
    (shapes.Report, REPORT),
    (shapes.Summary, SUMMARY),
    (shapes.Tool, SCHEMA["properties"]["tool"]),
    (shapes.Capture, DEFS["capture"]),
    (shapes.NotAnalysed, resolve(CAPTURE["not_analysed"])),
    (shapes.KeyLogSummary, resolve(CAPTURE["key_log"])),
    (shapes.CaptureErrorInfo, resolve(CAPTURE["error"])),
    (shapes.Outcomes, CAPTURE["outcomes"]),
    (shapes.Connection, DEFS["connection"]),
    (shapes.ConnectionEntry, DEFS["connection_entry"]),
    (shapes.ShortConnection, DEFS["short_connection"]),
    (shapes.ShortFinding, resolve(DEFS["short_connection"]["properties"]["findings"])),
    (shapes.CertificateRef, DEFS["certificate_ref"]["oneOf"][0]),
    (shapes.Endpoint, DEFS["endpoint"]),
    (shapes.Traffic, DEFS["traffic"]),
    (shapes.Opening, resolve(TRAFFIC["opening"])),
    (shapes.Certificate, DEFS["parsed_certificate"]),
    (shapes.UnparsedCertificate, DEFS["unparsed_certificate"]),
    (shapes.ClientHello, DEFS["client_hello"]),
    (shapes.ServerHello, DEFS["server_hello"]),
    (shapes.ClientStack, DEFS["client_stack"]),
    (shapes.CertificateRequest, DEFS["certificate_request"]),
    (shapes.Message, DEFS["message"]),
    (shapes.Alert, DEFS["alert"]),
    (shapes.Anomaly, DEFS["anomaly"]),
    (shapes.Decryption, DEFS["decryption"]),
    (shapes.HiddenRecords, resolve(DECRYPTION["hidden"])),
    (shapes.DecryptionFailure, resolve(DECRYPTION["failures"])),
    (shapes.HttpResponse, resolve(DECRYPTION["http_response"])),
    (shapes.Finding, DEFS["finding"]),
]


def test_every_object_of_the_schema_has_its_typed_dict():
    objects = {
        name
        for name, node in DEFS.items()
        if node.get("type") == "object" or name == "certificate"
    }
    covered = {
        name for name in objects if any(node is DEFS[name] for _, node in PAIRS)
    } | {"certificate"}
    assert covered == objects


NAMES = {id(node): shape.__name__ for shape, node in PAIRS}
SCALARS = {"string": str, "integer": int, "boolean": bool, "null": type(None)}


def from_schema(node):
    """The values a schema node allows, as a set of atoms: a Python type, a literal value, a
    TypedDict's name, or a list of such."""
    if "$ref" in node:
        return from_schema(DEFS[node["$ref"].split("/")[-1]])
    if id(node) in NAMES:
        return {("dict", NAMES[id(node)])}
    if "oneOf" in node:
        return set().union(*map(from_schema, node["oneOf"]))
    if "const" in node:
        return {literal(node["const"])}
    if "enum" in node:
        return {("type", "NoneType") if v is None else literal(v) for v in node["enum"]}
    if node.get("type") == "object" and isinstance(node.get("additionalProperties"), dict):
        return {("mapping", frozenset(from_schema(node["additionalProperties"])))}
    kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
    atoms = set()
    for kind in kinds:
        if kind == "array":
            atoms.add(("list", frozenset(from_schema(node["items"]))))
        else:
            atoms.add(("type", SCALARS[kind].__name__))
    return atoms


def literal(value):
    return ("literal", type(value).__name__, value)


def from_hint(hint):
    """The same atoms for a type hint."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return {literal(v) for v in typing.get_args(hint)}
    if origin is typing.Union:
        return set().union(*map(from_hint, typing.get_args(hint)))
    if origin is list:
        return {("list", frozenset(from_hint(typing.get_args(hint)[0])))}
    if origin is dict:
        return {("mapping", frozenset(from_hint(typing.get_args(hint)[1])))}
    if isinstance(hint, type) and hasattr(hint, "__required_keys__"):  # a TypedDict
        return {("dict", hint.__name__)}
    assert hint in SCALARS.values(), hint
    return {("type", hint.__name__)}


@pytest.mark.parametrize("shape,node", PAIRS, ids=lambda x: getattr(x, "__name__", ""))
def test_keys_and_types_match_the_schema(shape, node):
    required = set(node["required"])
    assert set(shape.__required_keys__) == required
    assert set(shape.__optional_keys__) == set(node["properties"]) - required
    hints = typing.get_type_hints(shape)
    for key, prop in node["properties"].items():
        assert from_hint(hints[key]) == from_schema(prop), (shape.__name__, key)
