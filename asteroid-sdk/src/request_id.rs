//! Finding the request id a server or proxy put on a response.

use reqwest::header::HeaderMap;

/// Headers that carry a request id, most specific first. Any other header whose name
/// contains `request-id` or `requestid` is also taken.
pub const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-correlation-id",
    "x-trace-id",
    "fly-request-id",
    "x-vercel-id",
    "cf-ray",
];

/// The request id of a response, whatever header the server used (at most 200
/// characters).
pub fn from_headers(headers: &HeaderMap) -> Option<String> {
    find(headers).map(|id| id.chars().take(200).collect())
}

/// The request id of a response, borrowed from its header.
pub(crate) fn find(headers: &HeaderMap) -> Option<&str> {
    let value = REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name))
        .or_else(|| {
            headers.iter().find_map(|(name, value)| {
                let n = name.as_str();
                (n.contains("request-id") || n.contains("requestid")).then_some(value)
            })
        })?;
    let text = value.to_str().ok()?.trim();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn finds_known_and_unknown_request_id_headers() {
        assert_eq!(
            from_headers(&headers(&[("x-request-id", "a1")])).as_deref(),
            Some("a1")
        );
        assert_eq!(
            from_headers(&headers(&[("cf-ray", "r"), ("request-id", "b")])).as_deref(),
            Some("b")
        );
        assert_eq!(
            from_headers(&headers(&[("x-asteroid-request-id", "c")])).as_deref(),
            Some("c")
        );
        assert_eq!(from_headers(&headers(&[("content-type", "x")])), None);
    }
}
