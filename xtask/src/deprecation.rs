//! The note of a `#[deprecated]` attribute, from what the spec says of a deprecated
//! operation or property.

/// What users see when they call a deprecated item: the spec's sentence about the
/// deprecation (`Deprecated: use profileId.`), else a plain statement.
pub fn note(texts: &[Option<&str>]) -> String {
    for text in texts.iter().flatten() {
        for sentence in sentences(text) {
            if sentence.to_ascii_lowercase().contains("deprecat") {
                return sentence;
            }
        }
    }
    "deprecated in the API spec".to_string()
}

/// The sentences of `text`, each trimmed, on one line.
fn sentences(text: &str) -> Vec<String> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = flat.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        // A sentence ends at `.`, `!` or `?` followed by a space (not inside `e.g.x`).
        if matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1).is_none_or(|c| *c == b' ') {
            out.push(flat[start..=i].trim().to_string());
            start = i + 1;
        }
    }
    if start < flat.len() && !flat[start..].trim().is_empty() {
        out.push(flat[start..].trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_is_the_sentence_about_the_deprecation() {
        assert_eq!(
            note(&[Some(
                "Deprecated: use profileId. The ID of the agent\n profile."
            )]),
            "Deprecated: use profileId."
        );
        assert_eq!(
            note(&[Some(
                "Lists agents. This is deprecated in favour of workflows"
            )]),
            "This is deprecated in favour of workflows"
        );
        assert_eq!(
            note(&[Some("List Agents"), None, Some("No word of it.")]),
            "deprecated in the API spec"
        );
        assert_eq!(
            note(&[None, Some("Old; Deprecated since v2.")]),
            "Old; Deprecated since v2."
        );
    }
}
