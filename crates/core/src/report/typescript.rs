//! TypeScript declarations of the JSON report and of its JSON Lines (feature `ts`), derived from
//! the report's Rust types by ts-rs, which reads their serde attributes (`rename`, `skip`,
//! `untagged`, `tag`, `flatten`): the npm package's `report.d.ts`.
//!
//! Where serde writes something other than the field's type, the field says so with a
//! `#[ts(...)]` attribute next to its `#[serde(...)]` one: a time (`serialize_with = "rfc3339"`) is
//! `string | null`; a field left out when empty or false (`skip_serializing_if`) is optional
//! (`field?: T`), while an `Option` always written is `T | null`. Integers are `number` (counts,
//! frame numbers and byte offsets stay far below 2^53, where `JSON.parse` would round).

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use ts_rs::{Config, TS, TypeVisitor};

use super::ConnectionReport;
use super::document::Document;

/// The declarations, as the npm package's `report.d.ts` holds them: every type the report and
/// the JSON Lines refer to, in name order, each exported with its documentation.
pub fn declarations() -> String {
    let mut out = Declarations::new();
    out.add::<Document<'static>>();
    // The entries `takeConnections` hands out whole (certificates and ClientHello in place).
    out.add::<ConnectionReport>();
    super::jsonl::typescript(&mut out);
    out.render()
}

/// Declarations collected by TypeScript name.
pub(crate) struct Declarations {
    config: Config,
    seen: HashSet<TypeId>,
    by_name: BTreeMap<String, String>,
}

impl Declarations {
    fn new() -> Self {
        Self {
            config: Config::new().with_large_int("number"),
            seen: HashSet::new(),
            by_name: BTreeMap::new(),
        }
    }

    /// The TypeScript name of `T`.
    pub(crate) fn name<T: TS + ?Sized>(&self) -> String {
        T::name(&self.config)
    }

    /// Declares `T` and, recursively, every type it refers to.
    pub(crate) fn add<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        // Primitives and wrappers (`Option`, `Vec`, `&T`, `Arc<[T]>`) have no declaration of
        // their own; the types inside them are visited all the same.
        if T::output_path().is_some() {
            let mut text = T::docs().unwrap_or_default();
            text.push_str("export ");
            text.push_str(&T::decl(&self.config));
            self.declare(T::ident(&self.config), text);
        }
        T::visit_dependencies(&mut Visit(self));
        T::visit_generics(&mut Visit(self));
    }

    /// Declares `name` with the given text (its documentation and `export type …;`).
    pub(crate) fn declare(&mut self, name: String, text: String) {
        // Two Rust types may stand for one TypeScript type (`CaptureError` is written as its
        // JSON form); two different declarations under one name would be a mistake.
        if let Some(earlier) = self.by_name.get(&name) {
            assert_eq!(
                earlier, &text,
                "two declarations of the TypeScript type {name}"
            );
            return;
        }
        self.by_name.insert(name, text);
    }

    fn render(&self) -> String {
        let mut out = String::from(HEADER);
        for text in self.by_name.values() {
            let _ = writeln!(out, "\n{}", layout(text));
        }
        out
    }
}

/// Declares every type it is shown.
struct Visit<'a>(&'a mut Declarations);

impl TypeVisitor for Visit<'_> {
    fn visit<U: TS + 'static + ?Sized>(&mut self) {
        self.0.add::<U>();
    }
}

/// ts-rs writes a type's fields one after another, each after its doc comment, without
/// indentation: this indents them by nesting, starts a closing brace on its own line when its
/// opening one is on an earlier line, and drops trailing spaces. Only whitespace changes.
fn layout(text: &str) -> String {
    const INDENT: &str = "  ";
    let mut out = String::with_capacity(text.len() * 5 / 4);
    // The line of each open bracket, and the current line's number and content so far.
    let mut open: Vec<usize> = Vec::new();
    let (mut line, mut line_start) = (0, 0);
    let (mut in_comment, mut in_string) = (false, false);
    let mut chars = text.trim().chars().peekable();
    let new_line = |out: &mut String, line: &mut usize, line_start: &mut usize, depth: usize| {
        out.truncate(out.trim_end_matches(' ').len());
        out.push('\n');
        *line += 1;
        *line_start = out.len();
        for _ in 0..depth {
            out.push_str(INDENT);
        }
    };
    while let Some(c) = chars.next() {
        if c == '\n' {
            // The next line's own leading spaces (` * ` of a doc comment) follow the indent.
            new_line(&mut out, &mut line, &mut line_start, open.len());
            continue;
        }
        if in_comment {
            out.push(c);
            in_comment = !(c == '/' && out.ends_with("*/"));
            continue;
        }
        if in_string {
            out.push(c);
            in_string = c != '"' || out.ends_with("\\\"");
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'*') => in_comment = true,
            '"' => in_string = true,
            '{' | '(' => open.push(line),
            '}' | ')' => {
                let opened = open.pop().unwrap_or(line);
                if opened < line && !out[line_start..].trim().is_empty() {
                    new_line(&mut out, &mut line, &mut line_start, open.len());
                } else if opened < line {
                    // Already alone on its line: one level less than the fields.
                    out.truncate(line_start);
                    for _ in 0..open.len() {
                        out.push_str(INDENT);
                    }
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out
}

const HEADER: &str = "\
// The JSON report of pcap-tls-diagnose (`--format json`, `diagnoseJson`; docs/report.md) and its
// JSON Lines (`--format jsonl`): `Report` and `JsonlLine`.
//
// Generated from the Rust types of pcap-tls-diagnose-core by ts-rs; do not edit. Regenerate with
//   REPORT_DTS=write cargo test -p pcap-tls-diagnose-wasm --test typescript
//
// `field?: T` is left out of the JSON when empty or false; `field: T | null` is always written.
";
