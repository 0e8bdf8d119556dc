//! A `multipart/form-data` body parsed as a server does (RFC 7578): the tests read what a
//! request really carried, part by part.

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The `name` of its `Content-Disposition`.
    pub name: String,
    /// The `filename` of its `Content-Disposition`, if any.
    pub file_name: Option<String>,
    /// Its `Content-Type`, if any.
    pub content_type: Option<String>,
    /// Its content.
    pub data: Vec<u8>,
}

impl Part {
    /// The content as UTF-8 text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The parts of `body`, sent with the request header `content_type`
/// (`multipart/form-data; boundary=...`). An error says what is malformed.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let (essence, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
        return Err(format!("not multipart/form-data: {content_type:?}"));
    }
    let boundary = params
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"'))
        .ok_or_else(|| format!("no boundary in {content_type:?}"))?;
    let delimiter = format!("--{boundary}");
    let mut rest = body
        .strip_prefix(delimiter.as_bytes())
        .ok_or("the body does not start with the boundary")?;
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("no CRLF after a boundary")?;
        let headers_end = find(rest, b"\r\n\r\n").ok_or("a part without a blank line")?;
        let headers = std::str::from_utf8(&rest[..headers_end]).map_err(|e| e.to_string())?;
        rest = &rest[headers_end + 4..];
        let next = format!("\r\n{delimiter}");
        let end = find(rest, next.as_bytes()).ok_or("a part without a closing boundary")?;
        let data = rest[..end].to_vec();
        rest = &rest[end + next.len()..];
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            data,
        };
        for line in headers.split("\r\n") {
            let (key, value) = line.split_once(':').ok_or("a header without a colon")?;
            let value = value.trim();
            if key.eq_ignore_ascii_case("content-disposition") {
                for param in value.split(';').skip(1) {
                    let (k, v) = param.trim().split_once('=').unwrap_or((param.trim(), ""));
                    let v = v.trim_matches('"').to_string();
                    match k {
                        "name" => part.name = v,
                        "filename" => part.file_name = Some(v),
                        _ => {}
                    }
                }
            } else if key.eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.to_string());
            }
        }
        parts.push(part);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_with_names_files_and_types() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--XyZ--\r\n";
        let parts = parse("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "files");
        assert_eq!(parts[0].file_name.as_deref(), Some("a.txt"));
        assert_eq!(parts[0].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts[0].text(), "hello");
        assert_eq!(parts[1].name, "note");
        assert_eq!(parts[1].file_name, None);
        assert!(parse("application/json", body).is_err());
        assert!(parse("multipart/form-data; boundary=Other", body).is_err());
    }
}
