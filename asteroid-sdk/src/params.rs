//! Path, query and header parameters on the wire, exactly as OpenAPI 3.1 "Style Values"
//! and "Style Examples" describe them (progenitor only knows `form` queries with
//! `explode: true` and `Display` for path and header values).
//!
//! The generated code keeps one [`ParamSpec`] constant per parameter (the transform
//! `param_styles` of the xtask records the spec's real style as `x-wire`) and calls
//! [`push_query`], [`apply_query`], [`path_segment`] and [`header_value`].
//!
//! Where OpenAPI 3.1.0 and 3.1.1 disagree this module follows 3.1.1:
//! - `label` with `explode: false` joins with `,` (`.blue,black,brown`), not `.`;
//! - the `pipeDelimited` and `deepObject` delimiters are percent-encoded (`%7C`, `%5B`,
//!   `%5D`), as 3.1.1's table and its Appendix E require for RFC 3986 compliance;
//! - `allowReserved` keeps RFC 3986's reserved characters and existing `%XX` triples, but
//!   still encodes the ones 3.1.1 says applications must (`[`, `]`, `#`, `&`, `=`, `+`),
//!   and `%` that does not start a triple.
//!
//! Values go through serde: a primitive, an array of primitives or an object of
//! primitives (a struct's fields in declaration order). `null` (`None`) omits the
//! parameter, and a `null` inside an array or object is skipped (RFC 6570's "undefined").
//! A nested array or object is an error.
//!
//! Everything outside RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) is
//! percent-encoded in names and values, so a `,` or `&` inside a value never reads as a
//! delimiter. Where a style's delimiter is itself percent-encoded (`spaceDelimited`,
//! `pipeDelimited`, `deepObject`'s brackets) or unreserved (`.` of exploded `label`), a
//! value holding that character could not be told apart from the delimiter (3.1.1
//! Appendix E); such values are refused with an error rather than sent ambiguously.
//!
//! The "empty" cases: the empty string follows the table's first column (`color=`,
//! `;color`, `.`, empty). An empty array or object sends nothing for exploded `form` and
//! `deepObject` (there are no pairs), `name=` for the other query styles, and the empty
//! column's value for path and header styles.

// Which of these the generated code calls depends on the spec's parameters (a spec with
// no query parameter calls no query function), so unused items are expected.
#![allow(dead_code)]

use std::fmt::Write as _;

use reqwest::header::HeaderValue;
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A parameter style (OpenAPI 3.1 "Style Values").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `form` (query): `color=blue`, `color=blue,black` or `color=blue&color=black`.
    Form,
    /// `spaceDelimited` (query, arrays and objects, `explode: false`).
    SpaceDelimited,
    /// `pipeDelimited` (query, arrays and objects, `explode: false`).
    PipeDelimited,
    /// `deepObject` (query, objects, `explode: true`): `color[R]=100`.
    DeepObject,
    /// `simple` (path, header): `blue,black`.
    Simple,
    /// `label` (path): `.blue`.
    Label,
    /// `matrix` (path): `;color=blue`.
    Matrix,
}

impl Style {
    fn as_str(self) -> &'static str {
        match self {
            Style::Form => "form",
            Style::SpaceDelimited => "spaceDelimited",
            Style::PipeDelimited => "pipeDelimited",
            Style::DeepObject => "deepObject",
            Style::Simple => "simple",
            Style::Label => "label",
            Style::Matrix => "matrix",
        }
    }
}

/// How one parameter is serialized: its name as the API spells it, style, explode and
/// (query only) allowReserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ParamSpec {
    /// The parameter's name in the API (not percent-encoded).
    pub name: &'static str,
    /// The style.
    pub style: Style,
    /// `explode`.
    pub explode: bool,
    /// `allowReserved` (meaningful for query parameters only).
    pub allow_reserved: bool,
}

impl ParamSpec {
    /// A spec, usable in `const` items.
    pub const fn new(
        name: &'static str,
        style: Style,
        explode: bool,
        allow_reserved: bool,
    ) -> Self {
        Self {
            name,
            style,
            explode,
            allow_reserved,
        }
    }
}

/// Append the query pairs of one parameter to `query` (already percent-encoded, joined
/// with `&` to what is there). Nothing is appended for an absent value or on error.
pub(crate) fn push_query<T: Serialize + ?Sized>(
    query: &mut String,
    spec: &ParamSpec,
    value: &T,
) -> Result<(), String> {
    let pairs = query_encoded_pairs(spec, value)?;
    for (name, value) in pairs {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&name);
        query.push('=');
        query.push_str(&value);
    }
    Ok(())
}

/// Set the request URL's query to exactly `query` (no query at all when it is empty).
///
/// `url::Url::set_query` leaves `%XX` triples and the delimiters this module writes
/// (`,` `|` `&` `=` `;` and reserved characters) as they are; it would re-encode only
/// space, `"`, `#`, `<`, `>` and (for http and https) `'`, which [`push_query`] never
/// writes unencoded.
pub(crate) fn apply_query(request: &mut reqwest::Request, query: &str) {
    request
        .url_mut()
        .set_query(if query.is_empty() { None } else { Some(query) });
}

/// The name/value pairs [`push_query`] would send, percent-decoded the way a server (and
/// httpmock's `query_param(name, value)`) reads them: `("status", "queued,running")`,
/// `("color[R]", "100")`.
pub(crate) fn query_pairs<T: Serialize + ?Sized>(
    spec: &ParamSpec,
    value: &T,
) -> Result<Vec<(String, String)>, String> {
    let mut query = String::new();
    push_query(&mut query, spec, value)?;
    Ok(url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect())
}

/// The text that replaces `{name}` in the path template, percent-encoded (a `/` in a
/// value is `%2F`). Styles `simple`, `label` and `matrix`.
///
/// A path whose segment comes out as `.` or `..` (a `simple` value `..`, or `label` of an
/// empty string) would be removed by URL normalisation: check the expanded path with
/// [`check_path`].
pub(crate) fn path_segment<T: Serialize + ?Sized>(
    spec: &ParamSpec,
    value: &T,
) -> Result<String, String> {
    let name = spec.name;
    if !matches!(spec.style, Style::Simple | Style::Label | Style::Matrix) {
        return Err(wrong_style(name, spec.style, "path"));
    }
    let flat = flatten(name, value)?;
    let enc = |s: &str| encode(s, false);
    Ok(match (spec.style, &flat) {
        (_, Flat::Absent) => {
            return Err(format!(
                "path parameter `{name}` has no value (null); path parameters are required"
            ));
        }
        (Style::Label, Flat::Array(items)) if spec.explode => {
            check_collision(name, spec.style, &refs(items), '.')?;
            if items.is_empty() {
                ".".to_string()
            } else {
                items.iter().map(|i| format!(".{}", enc(i))).collect()
            }
        }
        (Style::Label, Flat::Object(entries)) if spec.explode => {
            check_collision(name, spec.style, &entry_texts(entries), '.')?;
            if entries.is_empty() {
                ".".to_string()
            } else {
                entries
                    .iter()
                    .map(|(k, v)| format!(".{}={}", enc(k), enc(v)))
                    .collect()
            }
        }
        (Style::Label, _) => format!(".{}", simple(&flat, false, enc)),
        (Style::Matrix, _) => {
            let n = encode(name, false);
            // `;name=value`, or `;name` for an empty value (RFC 6570's `;` operator).
            let pair = |key: &str, v: &str| {
                if v.is_empty() {
                    format!(";{key}")
                } else {
                    format!(";{key}={}", enc(v))
                }
            };
            match &flat {
                Flat::Prim(s) => pair(&n, s),
                Flat::Array(items) if spec.explode && !items.is_empty() => {
                    items.iter().map(|i| pair(&n, i)).collect()
                }
                Flat::Object(entries) if spec.explode && !entries.is_empty() => {
                    entries.iter().map(|(k, v)| pair(&enc(k), v)).collect()
                }
                _ => {
                    let joined = simple(&flat, false, enc);
                    if joined.is_empty() {
                        format!(";{n}")
                    } else {
                        format!(";{n}={joined}")
                    }
                }
            }
        }
        _ => simple(&flat, spec.explode, enc),
    })
}

/// Refuse an expanded path that has a `.` or `..` segment (also percent-encoded as
/// `%2E`): URL parsing removes such segments, so the request would go elsewhere.
pub(crate) fn check_path(path: &str) -> Result<(), String> {
    // Only a segment made of dots (written `.` or `%2E`) can be one: most paths have
    // neither byte, which `contains` (memchr) finds out quickly.
    let bytes = path.as_bytes();
    if !bytes.contains(&b'.') && !bytes.contains(&b'%') {
        return Ok(());
    }
    let end = path.bytes().position(|b| b == b'?' || b == b'#');
    let path = &path[..end.unwrap_or(path.len())];
    for segment in path.split('/') {
        if is_dot_segment(segment.as_bytes()) {
            return Err(format!(
                "the path `{path}` has a `{segment}` segment, which URL normalisation would \
                 remove: a path parameter cannot have this value"
            ));
        }
    }
    Ok(())
}

/// Whether a segment is `.` or `..`, each dot written as `.` or `%2E` (any case).
fn is_dot_segment(segment: &[u8]) -> bool {
    let mut dots = 0;
    let mut rest = segment;
    while !rest.is_empty() {
        match rest {
            [b'.', tail @ ..] => rest = tail,
            [b'%', b'2', e, tail @ ..] if e.eq_ignore_ascii_case(&b'e') => rest = tail,
            _ => return false,
        }
        dots += 1;
    }
    dots == 1 || dots == 2
}

/// A regex matching [`path_segment`]'s text literally, for httpmock's `path_matches`,
/// which sees the request path as sent: percent-encoded (httpmock 0.8 matches
/// `http::Uri::path()`, which does not decode).
#[cfg(feature = "mock")]
pub(crate) fn path_segment_regex<T: Serialize + ?Sized>(
    spec: &ParamSpec,
    value: &T,
) -> Result<String, String> {
    Ok(regex::escape(&path_segment(spec, value)?))
}

/// The value of a header parameter (style `simple`, no percent-encoding); `None` for an
/// absent value, which omits the header. A value that cannot be sent as it is in a header
/// (control or non-ASCII characters, leading or trailing whitespace, a `,` inside an
/// array element) is an error naming the parameter.
pub(crate) fn header_value<T: Serialize + ?Sized>(
    spec: &ParamSpec,
    value: &T,
) -> Result<Option<HeaderValue>, String> {
    let name = spec.name;
    if spec.style != Style::Simple {
        return Err(wrong_style(name, spec.style, "header"));
    }
    let flat = flatten(name, value)?;
    match &flat {
        Flat::Absent => return Ok(None),
        Flat::Prim(_) => {}
        Flat::Array(items) => check_collision(name, spec.style, &refs(items), ',')?,
        Flat::Object(entries) => {
            check_collision(name, spec.style, &entry_texts(entries), ',')?;
            if spec.explode {
                let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
                check_collision(name, spec.style, &keys, '=')?;
            }
        }
    }
    let text = simple(&flat, spec.explode, |s| s.to_string());
    if let Some(c) = text
        .chars()
        .find(|c| !(c.is_ascii_graphic() || *c == ' ' || *c == '\t'))
    {
        return Err(format!(
            "header parameter `{name}`: the value holds {c:?}, which cannot be sent in an \
             HTTP header (only visible ASCII, space and tab can)"
        ));
    }
    if text.starts_with([' ', '\t']) || text.ends_with([' ', '\t']) {
        return Err(format!(
            "header parameter `{name}`: the value starts or ends with whitespace, which HTTP \
             strips from header values"
        ));
    }
    HeaderValue::from_str(&text)
        .map_err(|e| format!("header parameter `{name}`: {e}"))
        .map(Some)
}

// ---------------------------------------------------------------------------------------

/// The percent-encoded `(name, value)` pairs of one query parameter.
fn query_encoded_pairs<T: Serialize + ?Sized>(
    spec: &ParamSpec,
    value: &T,
) -> Result<Vec<(String, String)>, String> {
    let name = spec.name;
    let style = spec.style;
    if !matches!(
        style,
        Style::Form | Style::SpaceDelimited | Style::PipeDelimited | Style::DeepObject
    ) {
        return Err(wrong_style(name, style, "query"));
    }
    let flat = flatten(name, value)?;
    let n = encode(name, false);
    let enc = |s: &str| encode(s, spec.allow_reserved);
    let items: Vec<&str> = match &flat {
        Flat::Array(items) => refs(items),
        Flat::Object(entries) => entry_texts(entries),
        _ => Vec::new(),
    };
    let na = |what: &str| {
        Err(format!(
            "query parameter `{name}`: style {} with explode={} is not defined for {what} \
             (OpenAPI 3.1 Style Examples: n/a)",
            style.as_str(),
            spec.explode
        ))
    };
    // The delimited styles: one pair, the items joined by an encoded delimiter.
    let delimited = |delim: char, encoded: &str| -> Result<Vec<(String, String)>, String> {
        check_collision(name, style, &items, delim)?;
        if spec.allow_reserved {
            // A `%XX` triple passed through could decode to the delimiter.
            let decoded: Vec<String> = items.iter().map(|i| percent_decode(i)).collect();
            check_collision(name, style, &refs(&decoded), delim)?;
        }
        let joined: Vec<String> = items.iter().map(|i| enc(i)).collect();
        Ok(vec![(n.clone(), joined.join(encoded))])
    };
    match (style, &flat) {
        (_, Flat::Absent) => Ok(Vec::new()),
        (Style::Form, Flat::Prim(s)) => Ok(vec![(n, enc(s))]),
        (Style::Form, Flat::Array(items)) if spec.explode => {
            Ok(items.iter().map(|i| (n.clone(), enc(i))).collect())
        }
        (Style::Form, Flat::Object(entries)) if spec.explode => Ok(entries
            .iter()
            .map(|(k, v)| (encode(k, false), enc(v)))
            .collect()),
        (Style::Form, _) => Ok(vec![(n, simple(&flat, false, enc))]),
        (Style::SpaceDelimited | Style::PipeDelimited | Style::DeepObject, Flat::Prim(_)) => {
            na("a primitive value")
        }
        (Style::SpaceDelimited | Style::PipeDelimited, _) if spec.explode => {
            na("arrays or objects")
        }
        (Style::SpaceDelimited, _) => delimited(' ', "%20"),
        (Style::PipeDelimited, _) => delimited('|', "%7C"),
        (Style::DeepObject, Flat::Array(_)) => na("an array"),
        (Style::DeepObject, _) if !spec.explode => na("objects"),
        (Style::DeepObject, Flat::Object(entries)) => {
            let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
            check_collision(name, style, &keys, '[')?;
            check_collision(name, style, &keys, ']')?;
            Ok(entries
                .iter()
                .map(|(k, v)| (format!("{n}%5B{}%5D", encode(k, false)), enc(v)))
                .collect())
        }
        (other, _) => Err(wrong_style(name, other, "query")),
    }
}

/// `simple` style text (also the joined part of non-exploded `form`, `label`, `matrix`).
fn simple(flat: &Flat, explode: bool, enc: impl Fn(&str) -> String) -> String {
    match flat {
        Flat::Absent => String::new(),
        Flat::Prim(s) => enc(s),
        Flat::Array(items) => items.iter().map(|i| enc(i)).collect::<Vec<_>>().join(","),
        Flat::Object(entries) => {
            let parts: Vec<String> = if explode {
                entries
                    .iter()
                    .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                    .collect()
            } else {
                entries.iter().flat_map(|(k, v)| [enc(k), enc(v)]).collect()
            };
            parts.join(",")
        }
    }
}

fn refs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

/// Keys and values of an object, in order.
fn entry_texts(entries: &[(String, String)]) -> Vec<&str> {
    entries
        .iter()
        .flat_map(|(k, v)| [k.as_str(), v.as_str()])
        .collect()
}

fn wrong_style(name: &str, style: Style, location: &str) -> String {
    format!(
        "parameter `{name}`: style {} is not a {location} parameter style",
        style.as_str()
    )
}

/// Refuse a value holding the style's delimiter where it would not be encoded (or would
/// be encoded exactly like the delimiter).
fn check_collision(name: &str, style: Style, items: &[&str], delim: char) -> Result<(), String> {
    match items.iter().find(|i| i.contains(delim)) {
        Some(item) => Err(format!(
            "parameter `{name}`: the value {item:?} holds {delim:?}, which style {} uses as a \
             delimiter; it could not be told apart on the wire (OpenAPI 3.1.1 Appendix E)",
            style.as_str()
        )),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------
// Percent-encoding.

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 reserved characters that `allowReserved` passes through. Left out, as OpenAPI
/// 3.1.1 says applications must still encode them: `[` `]` `#` (not allowed in a query)
/// and `&` `=` `+` (form-urlencoded delimiters); also `'`, which `url` re-encodes in
/// http(s) queries, so the sent bytes would differ.
fn is_passed_reserved(b: u8) -> bool {
    matches!(
        b,
        b':' | b'/' | b'?' | b'@' | b'!' | b'$' | b'(' | b')' | b'*' | b',' | b';'
    )
}

/// Percent-encode everything but unreserved characters (and, with `allow_reserved`,
/// reserved characters and existing `%XX` triples). Uppercase hex, UTF-8 bytes.
fn encode(s: &str, allow_reserved: bool) -> String {
    let bytes = s.as_bytes();
    if bytes.iter().all(|&b| is_unreserved(b)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_unreserved(b) || (allow_reserved && is_passed_reserved(b)) {
            out.push(b as char);
        } else if allow_reserved
            && b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            out.push_str(&s[i..i + 3]);
            i += 3;
            continue;
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        i += 1;
    }
    out
}

/// Decode `%XX` triples (anything else is kept as it is; invalid UTF-8 is replaced).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------
// From any `Serialize` value to a primitive, an array or an object of primitives.

/// A parameter value, each primitive as its text (strings raw, numbers as JSON writes
/// them, `true`/`false`).
#[derive(Debug, Clone, PartialEq)]
enum Flat {
    Absent,
    Prim(String),
    Array(Vec<String>),
    Object(Vec<(String, String)>),
}

/// A JSON value whose objects keep their order (serde_json's `Value` sorts keys unless
/// its `preserve_order` feature is on somewhere in the build).
enum Node {
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        // As serde_json writes it (finite: it came from JSON text).
        Ok(Node::Scalar(
            serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Scalar(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            entries.push((k, v));
        }
        Ok(Node::Map(entries))
    }
}

fn flatten<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<Flat, String> {
    // Most parameters are one primitive (an id, a number, a date): read it directly. A
    // compound value goes through JSON text, which keeps the order of a struct's fields.
    match value.serialize(ScalarText) {
        Ok(Some(text)) => return Ok(Flat::Prim(text)),
        Ok(None) => return Ok(Flat::Absent),
        Err(NotScalar) => {}
    }
    flatten_json(name, value)
}

/// [`flatten`] of any value, through JSON text.
fn flatten_json<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<Flat, String> {
    let text = serde_json::to_string(value)
        .map_err(|e| format!("parameter `{name}`: cannot serialize the value: {e}"))?;
    let node: Node = serde_json::from_str(&text)
        .map_err(|e| format!("parameter `{name}`: cannot read the value back: {e}"))?;
    let nested = || {
        format!(
            "parameter `{name}`: a nested array or object cannot be serialized as a \
             parameter (only a primitive, an array of primitives or an object of primitives)"
        )
    };
    Ok(match node {
        Node::Null => Flat::Absent,
        Node::Scalar(s) => Flat::Prim(s),
        Node::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Node::Null => {}
                    Node::Scalar(s) => out.push(s),
                    Node::Seq(_) | Node::Map(_) => return Err(nested()),
                }
            }
            Flat::Array(out)
        }
        Node::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                match v {
                    Node::Null => {}
                    Node::Scalar(s) => out.push((k, s)),
                    Node::Seq(_) | Node::Map(_) => return Err(nested()),
                }
            }
            Flat::Object(out)
        }
    })
}

/// The value is not a primitive: [`ScalarText`] cannot take it.
#[derive(Debug)]
struct NotScalar;

impl std::fmt::Display for NotScalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a primitive")
    }
}

impl std::error::Error for NotScalar {}

impl serde::ser::Error for NotScalar {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        NotScalar
    }
}

/// A serializer that takes a primitive and gives its text exactly as the JSON route does
/// (`Some`), `None` for a null, and refuses anything compound.
struct ScalarText;

type Compound = serde::ser::Impossible<Option<String>, NotScalar>;

impl serde::Serializer for ScalarText {
    type Ok = Option<String>;
    type Error = NotScalar;
    type SerializeSeq = Compound;
    type SerializeTuple = Compound;
    type SerializeTupleStruct = Compound;
    type SerializeTupleVariant = Compound;
    type SerializeMap = Compound;
    type SerializeStruct = Compound;
    type SerializeStructVariant = Compound;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_i128(self, v: i128) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_u128(self, v: u128) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    // Floats, and anything else whose text serde_json decides: the compound route.
    fn serialize_f32(self, _: f32) -> Result<Self::Ok, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_f64(self, _: f64) -> Result<Self::Ok, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok, NotScalar> {
        Ok(Some(v.to_string()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_none(self) -> Result<Self::Ok, NotScalar> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, NotScalar> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, NotScalar> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok, NotScalar> {
        Ok(None)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, NotScalar> {
        Ok(Some(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok, NotScalar> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound, NotScalar> {
        Err(NotScalar)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The values of the Style Examples: `color` is "blue", ["blue","black","brown"] or
    /// {"R": 100, "G": 200, "B": 150} (a struct, so the keys keep the table's order).
    #[derive(Serialize)]
    struct Rgb {
        #[serde(rename = "R")]
        r: u32,
        #[serde(rename = "G")]
        g: u32,
        #[serde(rename = "B")]
        b: u32,
    }

    const OBJECT: Rgb = Rgb {
        r: 100,
        g: 200,
        b: 150,
    };
    const ARRAY: [&str; 3] = ["blue", "black", "brown"];
    const NO_STRINGS: [&str; 0] = [];

    fn spec(style: Style, explode: bool) -> ParamSpec {
        ParamSpec::new("color", style, explode, false)
    }

    fn query<T: Serialize + ?Sized>(spec: &ParamSpec, value: &T) -> Result<String, String> {
        let mut q = String::new();
        push_query(&mut q, spec, value).map(|()| q)
    }

    /// A query (without the table's `?` prefix) or a path segment; `None` for an error.
    fn render<T: Serialize + ?Sized>(style: Style, explode: bool, value: &T) -> Option<String> {
        let spec = spec(style, explode);
        match style {
            Style::Simple | Style::Label | Style::Matrix => path_segment(&spec, value).ok(),
            _ => query(&spec, value).ok(),
        }
    }

    type Cell = Option<&'static str>;

    /// OpenAPI 3.1.1, "Style Examples", verbatim; `None` is _n/a_. The `?` that the table
    /// puts before query styles is dropped: `push_query` writes pairs, not a whole query.
    /// Columns: style, explode, empty (the empty string), string, array, object.
    #[rustfmt::skip]
    const TABLE: &[(Style, bool, Cell, Cell, Cell, Cell)] = &[
        (Style::Matrix, false, Some(";color"), Some(";color=blue"), Some(";color=blue,black,brown"), Some(";color=R,100,G,200,B,150")),
        (Style::Matrix, true, Some(";color"), Some(";color=blue"), Some(";color=blue;color=black;color=brown"), Some(";R=100;G=200;B=150")),
        (Style::Label, false, Some("."), Some(".blue"), Some(".blue,black,brown"), Some(".R,100,G,200,B,150")),
        (Style::Label, true, Some("."), Some(".blue"), Some(".blue.black.brown"), Some(".R=100.G=200.B=150")),
        (Style::Simple, false, Some(""), Some("blue"), Some("blue,black,brown"), Some("R,100,G,200,B,150")),
        (Style::Simple, true, Some(""), Some("blue"), Some("blue,black,brown"), Some("R=100,G=200,B=150")),
        (Style::Form, false, Some("color="), Some("color=blue"), Some("color=blue,black,brown"), Some("color=R,100,G,200,B,150")),
        (Style::Form, true, Some("color="), Some("color=blue"), Some("color=blue&color=black&color=brown"), Some("R=100&G=200&B=150")),
        (Style::SpaceDelimited, false, None, None, Some("color=blue%20black%20brown"), Some("color=R%20100%20G%20200%20B%20150")),
        (Style::SpaceDelimited, true, None, None, None, None),
        (Style::PipeDelimited, false, None, None, Some("color=blue%7Cblack%7Cbrown"), Some("color=R%7C100%7CG%7C200%7CB%7C150")),
        (Style::PipeDelimited, true, None, None, None, None),
        (Style::DeepObject, false, None, None, None, None),
        (Style::DeepObject, true, None, None, None, Some("color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150")),
    ];

    #[test]
    fn the_style_examples_table_of_openapi_3_1_1() {
        for &(style, explode, empty, string, array, object) in TABLE {
            let row = format!("{style:?} explode={explode}");
            let want = |c: Cell| c.map(String::from);
            assert_eq!(render(style, explode, ""), want(empty), "{row}: empty");
            assert_eq!(
                render(style, explode, "blue"),
                want(string),
                "{row}: string"
            );
            assert_eq!(render(style, explode, &ARRAY), want(array), "{row}: array");
            assert_eq!(
                render(style, explode, &OBJECT),
                want(object),
                "{row}: object"
            );
        }
    }

    #[test]
    fn n_a_combinations_are_errors_that_name_the_parameter() {
        let e = query(&spec(Style::DeepObject, true), "blue").unwrap_err();
        assert!(e.contains("`color`") && e.contains("deepObject"), "{e}");
        let e = query(&spec(Style::PipeDelimited, true), &ARRAY).unwrap_err();
        assert!(e.contains("explode=true"), "{e}");
        // A style of another location.
        assert!(query(&spec(Style::Simple, false), "blue").is_err());
        assert!(path_segment(&spec(Style::Form, true), "blue").is_err());
        assert!(header_value(&spec(Style::Label, false), "blue").is_err());
    }

    #[test]
    fn header_values_follow_the_simple_rows_without_percent_encoding() {
        fn h<T: Serialize + ?Sized>(explode: bool, v: &T) -> Option<String> {
            header_value(&spec(Style::Simple, explode), v)
                .unwrap()
                .map(|h| h.to_str().unwrap().to_string())
        }
        for explode in [false, true] {
            assert_eq!(h(explode, "").as_deref(), Some(""));
            assert_eq!(h(explode, "blue").as_deref(), Some("blue"));
            assert_eq!(h(explode, &ARRAY).as_deref(), Some("blue,black,brown"));
        }
        assert_eq!(h(false, &OBJECT).as_deref(), Some("R,100,G,200,B,150"));
        assert_eq!(h(true, &OBJECT).as_deref(), Some("R=100,G=200,B=150"));
        assert_eq!(h(false, "a/b c%,d").as_deref(), Some("a/b c%,d"));
        // Absent: no header.
        assert_eq!(h(false, &None::<String>), None);
    }

    #[test]
    fn header_values_that_cannot_be_sent_are_errors_naming_the_parameter() {
        let s = ParamSpec::new("X-Trace-Tags", Style::Simple, false, false);
        for bad in ["caf\u{e9}", "a\r\nInjected: 1", " padded", "tab\t", "nul\0"] {
            let e = header_value(&s, bad).unwrap_err();
            assert!(e.contains("`X-Trace-Tags`"), "{bad:?}: {e}");
        }
        // A `,` inside an element would split it in two.
        let e = header_value(&s, &["a,b", "c"]).unwrap_err();
        assert!(e.contains("delimiter"), "{e}");
        assert!(
            header_value(&s, "a,b").is_ok(),
            "a primitive may hold a comma"
        );
    }

    #[test]
    fn empty_arrays_and_objects() {
        let empty_map: BTreeMap<String, u32> = BTreeMap::new();
        // Exploded form and deepObject have no pairs to send.
        assert_eq!(query(&spec(Style::Form, true), &NO_STRINGS).unwrap(), "");
        assert_eq!(query(&spec(Style::Form, true), &empty_map).unwrap(), "");
        assert_eq!(
            query(&spec(Style::DeepObject, true), &empty_map).unwrap(),
            ""
        );
        // The other query styles send the name with an empty value.
        assert_eq!(
            query(&spec(Style::Form, false), &NO_STRINGS).unwrap(),
            "color="
        );
        assert_eq!(
            query(&spec(Style::Form, false), &empty_map).unwrap(),
            "color="
        );
        assert_eq!(
            query(&spec(Style::SpaceDelimited, false), &NO_STRINGS).unwrap(),
            "color="
        );
        assert_eq!(
            query(&spec(Style::PipeDelimited, false), &NO_STRINGS).unwrap(),
            "color="
        );
        // Path styles: the table's empty column.
        for explode in [false, true] {
            assert_eq!(render(Style::Simple, explode, &NO_STRINGS).unwrap(), "");
            assert_eq!(render(Style::Label, explode, &NO_STRINGS).unwrap(), ".");
            assert_eq!(
                render(Style::Matrix, explode, &NO_STRINGS).unwrap(),
                ";color"
            );
            assert_eq!(
                render(Style::Matrix, explode, &empty_map).unwrap(),
                ";color"
            );
        }
    }

    #[test]
    fn null_omits_the_parameter_and_is_skipped_inside_arrays_and_objects() {
        let none: Option<Vec<String>> = None;
        let mut q = String::from("a=1");
        push_query(&mut q, &spec(Style::Form, true), &none).unwrap();
        assert_eq!(q, "a=1");
        push_query(
            &mut q,
            &spec(Style::Form, true),
            &[Some("x"), None, Some("y")],
        )
        .unwrap();
        assert_eq!(q, "a=1&color=x&color=y");
        let with_null = serde_json::json!({"a": 1, "b": null});
        assert_eq!(
            query(&spec(Style::DeepObject, true), &with_null).unwrap(),
            "color%5Ba%5D=1"
        );
        let e = path_segment(&spec(Style::Simple, false), &none).unwrap_err();
        assert!(e.contains("`color`") && e.contains("required"), "{e}");
    }

    #[test]
    fn primitives_as_json_writes_them() {
        let s = spec(Style::Form, false);
        assert_eq!(query(&s, &true).unwrap(), "color=true");
        assert_eq!(query(&s, &-3i64).unwrap(), "color=-3");
        assert_eq!(query(&s, &u64::MAX).unwrap(), "color=18446744073709551615");
        assert_eq!(query(&s, &1.5f64).unwrap(), "color=1.5");
        assert_eq!(query(&s, &100.0f64).unwrap(), "color=100.0");
        assert_eq!(query(&s, &[1, 2]).unwrap(), "color=1,2");
        let id = uuid::Uuid::nil();
        assert_eq!(
            path_segment(&spec(Style::Simple, false), &id).unwrap(),
            "00000000-0000-0000-0000-000000000000"
        );
    }

    #[test]
    fn nested_values_are_errors() {
        let e = query(&spec(Style::Form, true), &[[1, 2], [3, 4]]).unwrap_err();
        assert!(e.contains("`color`") && e.contains("nested"), "{e}");
        let nested = serde_json::json!({"a": {"b": 1}});
        assert!(query(&spec(Style::DeepObject, true), &nested).is_err());
        assert!(path_segment(&spec(Style::Simple, true), &serde_json::json!({"a": [1]})).is_err());
        assert!(header_value(&spec(Style::Simple, false), &[[1]]).is_err());
    }

    #[test]
    fn reserved_characters_inside_values_are_percent_encoded_and_delimiters_are_not() {
        // form, explode=false: the `,` inside an element is encoded, the delimiter is not.
        assert_eq!(
            query(&spec(Style::Form, false), &["a,b", "c"]).unwrap(),
            "color=a%2Cb,c"
        );
        assert_eq!(
            query(&spec(Style::Form, true), &["a&b=c", "d+e f"]).unwrap(),
            "color=a%26b%3Dc&color=d%2Be%20f"
        );
        // Object keys that become names are encoded too.
        let map = serde_json::json!({"a b": "x|y"});
        assert_eq!(
            query(&spec(Style::Form, true), &map).unwrap(),
            "a%20b=x%7Cy"
        );
        // Path: `/` is encoded, and so is everything outside unreserved characters.
        assert_eq!(
            path_segment(&spec(Style::Simple, false), "x/y").unwrap(),
            "x%2Fy"
        );
        assert_eq!(
            path_segment(&spec(Style::Simple, false), "a b?#%;=").unwrap(),
            "a%20b%3F%23%25%3B%3D"
        );
        assert_eq!(
            path_segment(&spec(Style::Matrix, true), &["a;b", "c=d"]).unwrap(),
            ";color=a%3Bb;color=c%3Dd"
        );
        // Unicode: UTF-8 bytes, uppercase hex; unreserved characters stay.
        assert_eq!(
            path_segment(&spec(Style::Simple, false), "café ❤ -._~").unwrap(),
            "caf%C3%A9%20%E2%9D%A4%20-._~"
        );
        let heart = ParamSpec::new("❤", Style::Form, true, false);
        assert_eq!(query(&heart, "love!").unwrap(), "%E2%9D%A4=love%21");
    }

    #[test]
    fn values_holding_an_encoded_or_unreserved_delimiter_are_refused() {
        let e = query(&spec(Style::PipeDelimited, false), &["a|b", "c"]).unwrap_err();
        assert!(e.contains("`color`") && e.contains("delimiter"), "{e}");
        assert!(query(&spec(Style::SpaceDelimited, false), &["two words"]).is_err());
        let brackets = serde_json::json!({"a[0]": 1});
        assert!(query(&spec(Style::DeepObject, true), &brackets).is_err());
        assert!(path_segment(&spec(Style::Label, true), &["1.5", "2"]).is_err());
        // Where the delimiter is not encoded, a value holding it is fine (it is encoded).
        assert_eq!(
            query(&spec(Style::PipeDelimited, false), &["a,b", "c"]).unwrap(),
            "color=a%2Cb%7Cc"
        );
        assert_eq!(
            path_segment(&spec(Style::Label, false), &["1.5", "2"]).unwrap(),
            ".1.5,2"
        );
    }

    #[test]
    fn allow_reserved_keeps_reserved_characters_and_triples() {
        let s = ParamSpec::new("q", Style::Form, true, true);
        assert_eq!(
            query(&s, ":/?@!$()*,;").unwrap(),
            "q=:/?@!$()*,;",
            "reserved characters pass"
        );
        // Still encoded: `[ ] #` (not allowed in a query), `& = +` (form delimiters), `'`
        // (url re-encodes it), `%` outside a triple, and everything unsafe.
        assert_eq!(
            query(&s, "[]#&=+' %").unwrap(),
            "q=%5B%5D%23%26%3D%2B%27%20%25"
        );
        assert_eq!(query(&s, "x%2By%zz").unwrap(), "q=x%2By%25zz");
        // Names are never passed through.
        let named = ParamSpec::new("a/b", Style::Form, true, true);
        assert_eq!(query(&named, "c/d").unwrap(), "a%2Fb=c/d");
        // A triple that decodes to the delimiter is as ambiguous as the delimiter itself.
        let piped = ParamSpec::new("q", Style::PipeDelimited, false, true);
        assert!(query(&piped, &["a%7Cb"]).is_err());
    }

    #[test]
    fn query_pairs_are_what_a_server_decodes() {
        let status = ParamSpec::new("status", Style::Form, false, false);
        assert_eq!(
            query_pairs(&status, &["queued", "running"]).unwrap(),
            [("status".to_string(), "queued,running".to_string())]
        );
        let exploded = ParamSpec::new("status", Style::Form, true, false);
        assert_eq!(
            query_pairs(&exploded, &["a b", "c&d"]).unwrap(),
            [
                ("status".to_string(), "a b".to_string()),
                ("status".to_string(), "c&d".to_string())
            ]
        );
        assert_eq!(
            query_pairs(&spec(Style::PipeDelimited, false), &ARRAY).unwrap(),
            [("color".to_string(), "blue|black|brown".to_string())]
        );
        assert_eq!(
            query_pairs(&spec(Style::DeepObject, true), &OBJECT).unwrap(),
            [
                ("color[R]".to_string(), "100".to_string()),
                ("color[G]".to_string(), "200".to_string()),
                ("color[B]".to_string(), "150".to_string())
            ]
        );
        assert!(query_pairs(&exploded, &None::<u8>).unwrap().is_empty());
    }

    fn request() -> reqwest::Request {
        let url = reqwest::Url::parse("http://localhost:1/executions?stale=1").unwrap();
        reqwest::Request::new(reqwest::Method::GET, url)
    }

    #[test]
    fn a_real_request_carries_the_query_byte_for_byte() {
        let statuses = ["queued", "running"];
        for (explode, want) in [
            (false, "status=queued,running"),
            (true, "status=queued&status=running"),
        ] {
            let mut q = String::new();
            let s = ParamSpec::new("status", Style::Form, explode, false);
            push_query(&mut q, &s, &statuses).unwrap();
            let mut r = request();
            apply_query(&mut r, &q);
            assert_eq!(r.url().query(), Some(want));
            assert_eq!(
                r.url().as_str(),
                format!("http://localhost:1/executions?{want}")
            );
        }
        // Every style together, as the list operation of the evolved spec sends them.
        let mut q = String::new();
        push_query(
            &mut q,
            &ParamSpec::new("page", Style::Form, true, false),
            &2,
        )
        .unwrap();
        push_query(
            &mut q,
            &ParamSpec::new("label", Style::PipeDelimited, false, false),
            &["a,b", "c"],
        )
        .unwrap();
        push_query(
            &mut q,
            &ParamSpec::new("q", Style::SpaceDelimited, false, false),
            &["x", "y"],
        )
        .unwrap();
        push_query(&mut q, &spec(Style::DeepObject, true), &OBJECT).unwrap();
        let want =
            "page=2&label=a%2Cb%7Cc&q=x%20y&color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150";
        assert_eq!(q, want);
        let mut r = request();
        apply_query(&mut r, &q);
        assert_eq!(r.url().query(), Some(want));
        // No parameters: no `?` at all.
        let mut r = request();
        apply_query(&mut r, "");
        assert_eq!(r.url().as_str(), "http://localhost:1/executions");
    }

    #[test]
    fn url_set_query_keeps_delimiters_and_triples_as_they_are() {
        // What `apply_query` relies on (url 2.5): `|`, `,`, `[`, `]`, `;`, `:`, `/`, `?`,
        // `@`, `!`, `$`, `(`, `)`, `*`, `=`, `&` and `%XX` are kept; space and `'` are not,
        // which is why `encode` never leaves them.
        let kept = "a=b|c,d[e]f;g:h/i?j@k!l$m(n)o*p&q=%20%7C%2c";
        let mut r = request();
        apply_query(&mut r, kept);
        assert_eq!(r.url().query(), Some(kept));
        let mut r = request();
        apply_query(&mut r, "a=b c'd");
        assert_eq!(r.url().query(), Some("a=b%20c%27d"));
    }

    #[test]
    fn primitives_read_directly_give_the_text_of_the_json_route() {
        #[derive(Serialize)]
        enum Kind {
            #[serde(rename = "quick-scan")]
            QuickScan,
        }
        #[derive(Serialize)]
        struct Id(u64);
        let when: chrono::DateTime<chrono::Utc> = "2026-11-01T09:30:00.25Z".parse().unwrap();
        let id: uuid::Uuid = "0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7f".parse().unwrap();
        fn both<T: Serialize + ?Sized>(v: &T) -> (Flat, Flat) {
            let direct = match v.serialize(ScalarText) {
                Ok(Some(t)) => Flat::Prim(t),
                Ok(None) => Flat::Absent,
                Err(NotScalar) => panic!("not read directly"),
            };
            (direct, flatten_json("p", v).unwrap())
        }
        let mut cases = vec![
            both(&id),
            both(&when),
            both(&-42i64),
            both(&u64::MAX),
            both(&true),
            both("a b,c/é"),
            both(&'x'),
            both(&Kind::QuickScan),
            both(&Id(7)),
            both(&Some(3u8)),
            both(&None::<u8>),
            both(&()),
        ];
        // An open string enum of the spec, a known and an unknown value.
        if_execution_api! {
            cases.push(both(&crate::ExecutionStatus::Running));
            cases.push(both(&crate::ExecutionStatus::Unknown("queued".into())));
        }
        for (direct, json) in cases {
            assert_eq!(direct, json);
        }
        // Floats and compound values take the JSON route.
        assert!(1.5f64.serialize(ScalarText).is_err());
        assert!(vec![1].serialize(ScalarText).is_err());
        assert_eq!(flatten("p", &1.5f64).unwrap(), Flat::Prim("1.5".into()));
    }

    #[test]
    fn dot_segments_would_be_normalised_away() {
        // URL parsing drops `..`: the request would go to another resource.
        let url = reqwest::Url::parse("http://h/pets/../admin").unwrap();
        assert_eq!(url.path(), "/admin");
        let seg = path_segment(&spec(Style::Simple, false), "..").unwrap();
        assert!(check_path(&format!("/pets/{seg}")).is_err());
        let seg = path_segment(&spec(Style::Label, false), "").unwrap();
        assert!(check_path(&format!("/pets/{seg}")).is_err());
        assert!(check_path("/pets/%2e%2E").is_err());
        assert!(check_path("/pets/...").is_ok());
        assert!(check_path("/pets/.json/x").is_ok());
        assert!(check_path("/pets/a.b?x=..").is_ok());
    }

    #[cfg(feature = "mock")]
    #[test]
    fn mock_path_regex_matches_the_encoded_segment_literally() {
        let s = spec(Style::Simple, false);
        let re = path_segment_regex(&s, "a.b/c+d").unwrap();
        assert_eq!(re, r"a\.b%2Fc%2Bd");
        let re = regex::Regex::new(&format!("^/pets/{re}$")).unwrap();
        assert!(re.is_match("/pets/a.b%2Fc%2Bd"));
        assert!(!re.is_match("/pets/aXb%2Fc%2Bd"));
    }

    #[test]
    fn specs_are_const() {
        const P: ParamSpec = ParamSpec::new("status", Style::Form, false, false);
        const Q: ParamSpec = ParamSpec {
            name: "created",
            style: Style::DeepObject,
            explode: true,
            allow_reserved: false,
        };
        assert_ne!(P, Q);
    }
}
