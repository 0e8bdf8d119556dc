//! Downloads that the API answers with a redirect (`303 See Other`, `307`, ...) to file
//! storage on another origin.
//!
//! The operation's request is sent without following redirects (on the SDK's own HTTP
//! client; a client of the caller's follows its own policy), so the redirect comes back to
//! the operation. `send()` then fetches the `Location` with a request of its own: the
//! `User-Agent`, the client's timeout, retries and body limit, and the API key **only**
//! when the `Location` is on the API's own origin. `send_for_location()` answers the
//! `Location` instead, for a caller that hands the URL on.

// The error type is progenitor's own (what every generated `send` returns); its size is not
// ours to choose, and the generated code converts it into `crate::Error` at once.
#![allow(clippy::result_large_err, dead_code)] // dead: only operations answering a redirect call it

use bytes::Bytes;
use progenitor_client::{Error as ProgenitorError, OperationInfo};

use crate::Response;

/// Whether a status is a redirect that names its target in `Location`.
pub(crate) fn is_redirect(status: reqwest::StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// The redirect's target: `Location`, resolved against the API's base URL when relative.
fn target<E>(
    client: &crate::Client,
    first: &Response<Bytes>,
) -> Result<url::Url, ProgenitorError<E>> {
    let fail = |message: String| {
        crate::decode::failure(first.status(), first.headers(), "Location", message, first)
    };
    let location = first
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            fail(format!(
                "the {} redirect has no Location header",
                first.status().as_u16()
            ))
        })?;
    let base = url::Url::parse(&client.baseurl).ok();
    let url = url::Url::options()
        .base_url(base.as_ref())
        .parse(location)
        .map_err(|e| {
            fail(format!(
                "the redirect's Location `{location}` is not a URL: {e}"
            ))
        })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(fail(format!(
            "the redirect's Location `{location}` is not an http(s) URL"
        )));
    }
    Ok(url)
}

/// The content: `first` itself when it is the content (a 2xx), else what its redirect's
/// target answers, fetched without the API key.
pub(crate) async fn content<E>(
    client: &crate::Client,
    info: &OperationInfo,
    first: Response<Bytes>,
) -> Result<Response<Bytes>, ProgenitorError<E>> {
    if !is_redirect(first.status()) {
        return Ok(first);
    }
    let url = target(client, &first)?;
    let same_origin =
        url::Url::parse(&client.baseurl).is_ok_and(|base| base.origin() == url.origin());
    let request = client.client.get(url).build()?;
    let response = if same_origin {
        crate::transport::send(client, request, info, None).await?
    } else {
        crate::transport::send_without_key(client, request, info).await?
    };
    if response.status().is_success() {
        crate::decode::bytes(response)
    } else {
        Err(ProgenitorError::UnexpectedResponse(response.into_reqwest()))
    }
}

/// The redirect's target, without following it.
pub(crate) fn location<E>(
    client: &crate::Client,
    first: Response<Bytes>,
) -> Result<Response<url::Url>, ProgenitorError<E>> {
    if !is_redirect(first.status()) {
        // The API answered with the content itself (or a client of the caller's followed
        // a redirect within the API's origin): there is no location to give.
        let message = format!(
            "the API answered {} with the content, not a redirect to it",
            first.status()
        );
        return Err(crate::decode::failure(
            first.status(),
            first.headers(),
            "Location",
            message,
            &first,
        ));
    }
    let url = target(client, &first)?;
    Ok(first.map(|_| url))
}
