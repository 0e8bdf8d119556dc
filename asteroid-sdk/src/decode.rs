//! Decoding response bodies, for every operation: the generated code calls [`response`]
//! and [`from_response`] on the [`Buffered`] response instead of progenitor's
//! `ResponseValue::from_response` (the xtask rewrites the calls), so that a body that does
//! not decode reports the status, the request id, the content type, the serde path of the
//! field at fault and a bounded snippet.

// The error type is progenitor's own (what every generated `send` returns); its size is not
// ours to choose, and the generated code converts it into `crate::Error` at once.
#![allow(clippy::result_large_err)]

use std::io;

use bytes::Bytes;
use progenitor_client::{Error as ProgenitorError, ResponseValue};
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::buffered::Buffered;
use crate::error::BodyLimitExceeded;

/// The most of a body an error keeps.
pub const SNIPPET_LIMIT: usize = 1024;

/// What went wrong decoding a response body.
#[derive(Debug, Clone)]
pub(crate) struct DecodeFailure {
    pub response: crate::error::ResponseInfo,
    pub path: String,
    pub message: String,
    pub snippet: String,
}

impl std::fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at `{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for DecodeFailure {}

/// Decode a successful JSON response body into `T`.
pub(crate) fn response<T: DeserializeOwned, E>(
    response: Buffered,
) -> Result<crate::Response<T>, ProgenitorError<E>> {
    let (value, status, headers) = decode_response(response)?;
    Ok(crate::Response::new(value, status, headers))
}

/// A body of another media type than JSON, as read: the bytes.
#[allow(dead_code)] // Only operations with such a body call it.
pub(crate) fn bytes<E>(response: Buffered) -> Result<crate::Response<Bytes>, ProgenitorError<E>> {
    let (status, headers, body) = response.into_parts();
    match body {
        Ok(bytes) => Ok(crate::Response::new(bytes, status, headers)),
        Err(limit) => Err(ProgenitorError::InvalidResponsePayload(
            Bytes::new(),
            carry(BodyLimitExceeded { limit }),
        )),
    }
}

/// A `text/*` body: its bytes as UTF-8 text.
#[allow(dead_code)] // Only operations with such a body call it.
pub(crate) fn text<E>(response: Buffered) -> Result<crate::Response<String>, ProgenitorError<E>> {
    let body = bytes(response)?;
    let raw: &Bytes = &body;
    match std::str::from_utf8(raw) {
        Ok(text) => {
            let text = text.to_owned();
            Ok(body.map(|_| text))
        }
        Err(e) => Err(failure(
            body.status(),
            body.headers(),
            "$",
            format!("the text body is not UTF-8: {e}"),
            raw,
        )),
    }
}

/// A response that cannot be taken as the operation's answer: a decode error naming the
/// status, the request id, `path` (where in the answer) and a snippet of `body`.
pub(crate) fn failure<E>(
    status: reqwest::StatusCode,
    headers: &reqwest::header::HeaderMap,
    path: &str,
    message: String,
    body: &Bytes,
) -> ProgenitorError<E> {
    let failure = DecodeFailure {
        response: crate::error::ResponseInfo::new(status, headers),
        path: path.to_string(),
        message,
        snippet: snippet(body),
    };
    ProgenitorError::InvalidResponsePayload(
        body.slice(..body.len().min(SNIPPET_LIMIT)),
        carry(failure),
    )
}

/// Decode a JSON error body into `E`, as progenitor's error path wants it.
pub(crate) fn from_response<T: DeserializeOwned, E>(
    response: Buffered,
) -> Result<ResponseValue<T>, ProgenitorError<E>> {
    let (value, status, headers) = decode_response(response)?;
    Ok(ResponseValue::new(value, status, headers))
}

fn decode_response<T: DeserializeOwned, E>(
    response: Buffered,
) -> Result<(T, reqwest::StatusCode, reqwest::header::HeaderMap), ProgenitorError<E>> {
    let (status, headers, body) = response.into_parts();
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(limit) => {
            return Err(ProgenitorError::InvalidResponsePayload(
                Bytes::new(),
                carry(BodyLimitExceeded { limit }),
            ));
        }
    };
    match decode_json::<T>(&bytes) {
        Ok(value) => Ok((value, status, headers)),
        Err((path, message)) => {
            let failure = DecodeFailure {
                response: crate::error::ResponseInfo::new(status, &headers),
                path,
                message,
                snippet: snippet(&bytes),
            };
            let kept = bytes.slice(..bytes.len().min(SNIPPET_LIMIT));
            Err(ProgenitorError::InvalidResponsePayload(
                kept,
                carry(failure),
            ))
        }
    }
}

/// Decode JSON with the path of the value at fault on failure: `$` for the whole body,
/// `comments[0].userId` for a field, `metadata["a.b"]` for a key that needs quoting.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (String, String)> {
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| (path_text(e.path()), e.into_inner().to_string()))?;
    de.end().map_err(|e| ("$".to_string(), e.to_string()))?;
    Ok(value)
}

fn path_text(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                let plain = !key.is_empty()
                    && !key.contains(['.', '[', ']', '"', '`'])
                    && !key.chars().any(char::is_control);
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                } else {
                    let quoted = serde_json::to_string(key).unwrap_or_default();
                    out.push_str(&format!("[{quoted}]"));
                }
            }
            Segment::Unknown => out.push_str(if out.is_empty() { "?" } else { ".?" }),
        }
    }
    if out.is_empty() { "$".to_string() } else { out }
}

/// At most [`SNIPPET_LIMIT`] bytes of a body, as text (`…` marks a cut).
pub fn snippet(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(SNIPPET_LIMIT)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    let mut truncated = bytes.len() > SNIPPET_LIMIT;
    if text.len() > SNIPPET_LIMIT {
        // Invalid bytes became 3-byte replacement characters: cut again, on a boundary.
        let mut end = SNIPPET_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        truncated = true;
    }
    if truncated {
        text.push('…');
    }
    text
}

/// Put a [`DecodeFailure`] or a [`BodyLimitExceeded`] inside a `serde_json::Error`
/// (progenitor's `InvalidResponsePayload` holds one), through serde_json's public I/O
/// error path: a reader that fails with our error makes serde_json return it as its I/O
/// cause.
fn carry(failure: impl std::error::Error + Send + Sync + 'static) -> serde_json::Error {
    struct Failing(Option<io::Error>);
    impl io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(self
                .0
                .take()
                .unwrap_or_else(|| io::Error::other("decode failure")))
        }
    }
    match serde_json::from_reader::<_, IgnoredAny>(Failing(Some(io::Error::other(failure)))) {
        Err(e) => e,
        Ok(_) => serde::de::Error::custom("decode failure"),
    }
}

/// What [`carry`] put inside a `serde_json::Error`.
pub(crate) enum Carried {
    /// The body did not decode.
    Decode(DecodeFailure),
    /// The body was over the limit.
    TooLarge(usize),
    /// The call's time limit ran out (the limit).
    TimedOut(std::time::Duration),
}

/// A call's time limit ran out: carried to the error path like a [`DecodeFailure`].
#[derive(Debug)]
pub(crate) struct TimedOut(pub std::time::Duration);

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "timed out after {:?}", self.0)
    }
}

impl std::error::Error for TimedOut {}

/// The error a timed-out call becomes in progenitor's error type.
pub(crate) fn timed_out<E>(after: std::time::Duration) -> ProgenitorError<E> {
    ProgenitorError::InvalidResponsePayload(Bytes::new(), carry(TimedOut(after)))
}

/// Take a [`Carried`] failure back out of a `serde_json::Error` made by [`carry`].
pub(crate) fn carried(error: serde_json::Error) -> Result<Carried, serde_json::Error> {
    if !error.is_io() {
        return Err(error);
    }
    let io: io::Error = error.into();
    let Some(inner) = io.into_inner() else {
        return Err(serde::de::Error::custom("response body could not be read"));
    };
    let inner = match inner.downcast::<DecodeFailure>() {
        Ok(failure) => return Ok(Carried::Decode(*failure)),
        Err(other) => other,
    };
    let inner = match inner.downcast::<BodyLimitExceeded>() {
        Ok(limit) => return Ok(Carried::TooLarge(limit.limit)),
        Err(other) => other,
    };
    match inner.downcast::<TimedOut>() {
        Ok(t) => Ok(Carried::TimedOut(t.0)),
        Err(_) => Err(serde::de::Error::custom("response body could not be read")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn decode_failure_survives_the_trip_through_serde_json() {
        let f = DecodeFailure {
            response: crate::error::ResponseInfo {
                status: StatusCode::OK,
                request_id: Some("r1".into()),
                content_type: None,
                retry_after: None,
            },
            path: "a.b".into(),
            message: "m".into(),
            snippet: "{}".into(),
        };
        let Ok(Carried::Decode(back)) = carried(carry(f)) else {
            panic!("the failure comes back")
        };
        assert_eq!(back.path, "a.b");
        assert_eq!(back.response.request_id.as_deref(), Some("r1"));
        let Ok(Carried::TooLarge(limit)) = carried(carry(BodyLimitExceeded { limit: 7 })) else {
            panic!("the limit comes back")
        };
        assert_eq!(limit, 7);
    }

    #[test]
    fn paths_name_the_field_at_fault() {
        #[derive(serde::Deserialize, Debug)]
        struct Inner {
            #[allow(dead_code)]
            n: u8,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Outer {
            #[allow(dead_code)]
            items: Vec<Inner>,
        }
        let (path, msg) = decode_json::<Outer>(br#"{"items":[{"n":1},{"n":"x"}]}"#).unwrap_err();
        assert_eq!(path, "items[1].n");
        assert!(msg.contains("invalid type"), "{msg}");
        let (path, _) = decode_json::<Outer>(b"{\"items\":[]} trailing").unwrap_err();
        assert_eq!(path, "$");
    }

    #[test]
    fn snippets_are_bounded() {
        for big in [vec![b'a'; 5000], vec![0xff; 5000], vec![0xff; 1000]] {
            let s = snippet(&big);
            assert!(s.len() <= SNIPPET_LIMIT + '…'.len_utf8(), "{}", s.len());
        }
        assert_eq!(snippet(b"{}"), "{}");
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        #[derive(serde::Deserialize, Debug)]
        struct M {
            #[allow(dead_code)]
            m: std::collections::HashMap<String, u8>,
        }
        assert_eq!(
            decode_json::<M>(br#"{"m":{"":"x"}}"#).unwrap_err().0,
            r#"m[""]"#
        );
        assert_eq!(
            decode_json::<M>(br#"{"m":{"a.b":"x"}}"#).unwrap_err().0,
            r#"m["a.b"]"#
        );
        assert_eq!(
            decode_json::<M>(br#"{"m":{"ok":"x"}}"#).unwrap_err().0,
            "m.ok"
        );
        assert_eq!(decode_json::<M>(b"[]").unwrap_err().0, "$");
    }
}
