//! Files for `multipart/form-data` request bodies.
//!
//! An operation whose body the spec gives as `multipart/form-data` takes a generated body
//! type like any other (built with its builder, checked before sending); its binary members
//! are [`FilePart`]s, the others are typed fields. On the wire each member is one part
//! named like the member: a file with its file name and content type, a string or number
//! as text, an object as JSON. An array of files or of scalars is one part per item.
//!
//! ```
//! use asteroid_sdk::multipart::FilePart;
//!
//! let report = FilePart::bytes("total: 3\n")
//!     .file_name("report.txt")
//!     .content_type("text/plain");
//! assert_eq!(report.name(), Some("report.txt"));
//! assert_eq!(report.len(), Some(9));
//! ```
//!
//! A part's content type is, in this order: the one set with [`FilePart::content_type`],
//! the one the spec's `encoding` gives for that member, `application/octet-stream`.
//!
//! Retries: a request whose files are all in memory ([`FilePart::bytes`],
//! [`FilePart::from_path`]) is built again for a retry like any other; a file given as a
//! stream ([`FilePart::stream`]) can be sent once, so a request holding one is not retried.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One file of a `multipart/form-data` request body: its content (bytes in memory or a
/// stream), and optionally its file name and content type.
#[derive(Clone)]
pub struct FilePart {
    content: Content,
    file_name: Option<String>,
    content_type: Option<String>,
}

#[derive(Clone)]
enum Content {
    Bytes(Bytes),
    /// Taken out when the request is built: a stream can be read once.
    Stream {
        body: Arc<Mutex<Option<reqwest::Body>>>,
        length: Option<u64>,
    },
}

impl FilePart {
    /// A file whose content is in memory (a `Vec<u8>`, `&'static [u8]`, `String`,
    /// `&'static str` or [`bytes::Bytes`]).
    pub fn bytes(content: impl Into<Bytes>) -> Self {
        Self {
            content: Content::Bytes(content.into()),
            file_name: None,
            content_type: None,
        }
    }

    /// The file at `path`, read whole now; its file name is the path's last component.
    /// For a large file, [`FilePart::stream`] sends it without reading it into memory.
    pub fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let content = std::fs::read(path)?;
        let mut part = Self::bytes(content);
        part.file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        Ok(part)
    }

    /// A file whose content is read from a stream while the request is sent: anything
    /// `Into<reqwest::Body>`, such as a `tokio::fs::File` or
    /// `reqwest::Body::wrap_stream(..)`. A stream can be sent once: a request holding one
    /// is not retried.
    pub fn stream(body: impl Into<reqwest::Body>) -> Self {
        Self {
            content: Content::Stream {
                body: Arc::new(Mutex::new(Some(body.into()))),
                length: None,
            },
            file_name: None,
            content_type: None,
        }
    }

    /// Like [`FilePart::stream`], with the content's length in bytes known beforehand
    /// (the request then has a `Content-Length`).
    pub fn stream_with_length(body: impl Into<reqwest::Body>, length: u64) -> Self {
        let mut part = Self::stream(body);
        if let Content::Stream { length: l, .. } = &mut part.content {
            *l = Some(length);
        }
        part
    }

    /// Sets the file name sent with the part (`filename=` of its `Content-Disposition`).
    #[must_use]
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the part's content type (`text/csv`, `image/png`, ...), instead of the one the
    /// spec gives.
    #[must_use]
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// The file name, if one is set.
    pub fn name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The content type set with [`FilePart::content_type`], if any.
    pub fn mime(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The content's length in bytes, when it is known (always for bytes in memory).
    pub fn len(&self) -> Option<u64> {
        match &self.content {
            Content::Bytes(b) => Some(b.len() as u64),
            Content::Stream { length, .. } => *length,
        }
    }

    /// Whether the content is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The content, when it is in memory.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.content {
            Content::Bytes(b) => Some(b),
            Content::Stream { .. } => None,
        }
    }

    #[allow(
        dead_code,
        reason = "called by the generated code of specs with multipart bodies"
    )]
    /// The part as reqwest sends it. A stream is taken out (it can be read once).
    fn to_part(
        &self,
        field: &str,
        spec_type: Option<&str>,
    ) -> Result<reqwest::multipart::Part, String> {
        let mut part = match &self.content {
            Content::Bytes(b) => reqwest::multipart::Part::stream_with_length(
                reqwest::Body::from(b.clone()),
                b.len() as u64,
            ),
            Content::Stream { body, length } => {
                let taken = body.lock().map_or(None, |mut b| b.take());
                let Some(body) = taken else {
                    return Err(format!(
                        "the stream of part `{field}` was already sent: a stream can be sent once"
                    ));
                };
                match length {
                    Some(n) => reqwest::multipart::Part::stream_with_length(body, *n),
                    None => reqwest::multipart::Part::stream(body),
                }
            }
        };
        if let Some(name) = &self.file_name {
            part = part.file_name(name.clone());
        }
        let mime = self
            .content_type
            .as_deref()
            .or(spec_type)
            .unwrap_or("application/octet-stream");
        part.mime_str(mime)
            .map_err(|e| format!("part `{field}`: content type {mime:?}: {e}"))
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.len())
            .field("stream", &matches!(self.content, Content::Stream { .. }))
            .finish()
    }
}

/// Two parts are equal when their names, types and in-memory contents are; a stream is
/// equal only to itself (a clone of the same part).
impl PartialEq for FilePart {
    fn eq(&self, other: &Self) -> bool {
        self.file_name == other.file_name
            && self.content_type == other.content_type
            && match (&self.content, &other.content) {
                (Content::Bytes(a), Content::Bytes(b)) => a == b,
                (Content::Stream { body: a, .. }, Content::Stream { body: b, .. }) => {
                    Arc::ptr_eq(a, b)
                }
                _ => false,
            }
    }
}

/// A file part is not JSON: as JSON (in `Debug`-like output of a body, or a mock's
/// record) it is its description `{"fileName", "contentType", "length"}`.
impl Serialize for FilePart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("fileName", &self.file_name)?;
        map.serialize_entry("contentType", &self.content_type)?;
        map.serialize_entry("length", &self.len())?;
        map.end()
    }
}

/// A JSON string decodes as a file of that text (so that a body type holding files can
/// be decoded, e.g. in tests).
impl<'de> Deserialize<'de> for FilePart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(FilePart::bytes)
    }
}

#[allow(
    dead_code,
    reason = "called by the generated code of specs with multipart bodies"
)]
/// The file parts of a member: one, several, or none.
pub(crate) trait Files {
    fn parts(&self) -> &[FilePart];
}

impl Files for FilePart {
    fn parts(&self) -> &[FilePart] {
        std::slice::from_ref(self)
    }
}

impl Files for Vec<FilePart> {
    fn parts(&self) -> &[FilePart] {
        self
    }
}

impl<T: Files> Files for Option<T> {
    fn parts(&self) -> &[FilePart] {
        self.as_ref().map_or(&[], Files::parts)
    }
}

#[allow(
    dead_code,
    reason = "called by the generated code of specs with multipart bodies"
)]
/// Writes the parts of a form: the generated `to_form` of each multipart body type calls
/// it once per member.
pub(crate) struct FormWriter {
    form: reqwest::multipart::Form,
}

#[allow(
    dead_code,
    reason = "called by the generated code of specs with multipart bodies"
)]
impl FormWriter {
    pub(crate) fn new() -> Self {
        Self {
            form: reqwest::multipart::Form::new(),
        }
    }

    /// A member holding files: one part each, named `name`.
    pub(crate) fn files(
        mut self,
        name: &str,
        files: &impl Files,
        spec_type: Option<&str>,
    ) -> Result<Self, String> {
        for file in files.parts() {
            let part = file.to_part(name, spec_type)?;
            self.form = self.form.part(name.to_string(), part);
        }
        Ok(self)
    }

    /// Any other member: a string or number as text, `null` (an unset optional member)
    /// as no part, an array of scalars as one part per item, an object as JSON.
    pub(crate) fn value<T: Serialize>(
        mut self,
        name: &str,
        value: &T,
        spec_type: Option<&str>,
    ) -> Result<Self, String> {
        let json = serde_json::to_value(value).map_err(|e| format!("part `{name}`: {e}"))?;
        let items = match json {
            serde_json::Value::Array(items) if items.iter().all(is_scalar) => items,
            other => vec![other],
        };
        for item in items {
            let (text, default_type) = match item {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => (s, "text/plain"),
                serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {
                    (item.to_string(), "text/plain")
                }
                other => (other.to_string(), "application/json"),
            };
            let mime = spec_type.unwrap_or(default_type);
            let part = reqwest::multipart::Part::text(text)
                .mime_str(mime)
                .map_err(|e| format!("part `{name}`: content type {mime:?}: {e}"))?;
            self.form = self.form.part(name.to_string(), part);
        }
        Ok(self)
    }

    pub(crate) fn finish(self) -> reqwest::multipart::Form {
        self.form
    }
}

#[allow(
    dead_code,
    reason = "called by the generated code of specs with multipart bodies"
)]
/// A pattern matching a part of a multipart body as reqwest writes it: its
/// `Content-Disposition` with `name` (and `filename`), its headers, then its content.
#[cfg(feature = "mock")]
pub(crate) fn part_regex(
    name: &str,
    content: Option<&str>,
    file_name: Option<&str>,
) -> regex::Regex {
    let file = match file_name {
        Some(f) => format!("; filename=\"{}\"", regex::escape(f)),
        None => "[^\r\n]*".to_string(),
    };
    let content = match content {
        Some(c) => format!("{}\r\n--", regex::escape(c)),
        None => String::new(),
    };
    let pattern = format!(
        "(?s)Content-Disposition: form-data; name=\"{}\"{file}\r\n(?:[^\r\n]+\r\n)*\r\n{content}",
        regex::escape(name)
    );
    // Every piece from the caller is escaped: the pattern is always valid.
    regex::Regex::new(&pattern)
        .unwrap_or_else(|_| regex::Regex::new("$^").expect("a valid pattern"))
}

#[allow(
    dead_code,
    reason = "called by the generated code of specs with multipart bodies"
)]
fn is_scalar(v: &serde_json::Value) -> bool {
    !matches!(
        v,
        serde_json::Value::Array(_) | serde_json::Value::Object(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_know_their_name_type_and_length() {
        let p = FilePart::bytes(vec![1u8, 2, 3]).file_name("a.bin");
        assert_eq!(p.name(), Some("a.bin"));
        assert_eq!(p.mime(), None);
        assert_eq!(p.len(), Some(3));
        assert!(!p.is_empty());
        assert_eq!(p.as_bytes().map(|b| b.as_ref()), Some(&[1u8, 2, 3][..]));
        assert_eq!(p.clone(), p);
        let s = FilePart::stream(reqwest::Body::from("x"));
        assert_eq!(s.len(), None);
        assert_eq!(s.clone(), s);
        assert_ne!(s, FilePart::stream(reqwest::Body::from("x")));
    }

    #[test]
    fn from_path_reads_the_file_and_names_it() {
        let dir = std::env::temp_dir().join(format!("asteroid-mp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notes.txt");
        std::fs::write(&path, "hello").unwrap();
        let p = FilePart::from_path(&path).unwrap();
        assert_eq!(p.name(), Some("notes.txt"));
        assert_eq!(p.as_bytes().unwrap().as_ref(), b"hello");
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(FilePart::from_path(dir.join("missing")).is_err());
    }

    #[test]
    fn a_stream_is_sent_once() {
        let s = FilePart::stream(reqwest::Body::from("x"));
        assert!(FormWriter::new().files("f", &s, None).is_ok());
        let again = FormWriter::new().files("f", &s, None).err().unwrap();
        assert!(again.contains("already sent"), "{again}");
    }

    #[test]
    fn a_bad_content_type_is_an_error_naming_the_part() {
        let p = FilePart::bytes("x").content_type("not a type");
        let e = FormWriter::new().files("doc", &p, None).err().unwrap();
        assert!(e.contains("part `doc`"), "{e}");
    }
}
