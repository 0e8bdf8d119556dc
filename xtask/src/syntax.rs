//! Small questions about Rust types in generated code, shared by the code generators.

/// The `index`-th type argument of a path type whose last segment is `outer`:
/// `generic_arg(Option<T>, "Option", 0)` is `T`.
pub fn generic_arg(ty: &syn::Type, outer: &str, index: usize) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != outer {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
        .nth(index)
}

/// The name of a path type's last segment (`Vec` for `::std::vec::Vec<T>`).
pub fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_and_names() {
        let t: syn::Type = syn::parse_quote!(::std::collections::HashMap<String, u8>);
        assert_eq!(last_ident(&t).as_deref(), Some("HashMap"));
        let v = generic_arg(&t, "HashMap", 1).unwrap();
        assert_eq!(last_ident(&v).as_deref(), Some("u8"));
        assert!(generic_arg(&t, "Vec", 0).is_none());
    }
}
