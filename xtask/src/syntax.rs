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

/// The identifiers of a path's segments: `["crate", "decode", "response"]` for
/// `crate::decode::response::<T>`.
pub fn path_idents(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// Whether two statements are the same tokens (spacing aside).
pub fn same_tokens(a: &syn::Stmt, b: &syn::Stmt) -> bool {
    quote::quote!(#a).to_string() == quote::quote!(#b).to_string()
}

/// The JSON name a field's `#[serde(rename = "..")]` gives, if it has one.
pub fn serde_rename(f: &syn::Field) -> Option<String> {
    let mut json = None;
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                json = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    json
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
        let p: syn::Path = syn::parse_quote!(crate::decode::response::<T>);
        assert_eq!(path_idents(&p), ["crate", "decode", "response"]);
        assert!(generic_arg(&t, "Vec", 0).is_none());
    }
}
