//! Requests built again for a retry instead of copied before every first attempt.
//!
//! The transport retries an attempt that failed in a way worth retrying; it needs the
//! request a second time, but `reqwest` consumes the one it sends. Copying it before every
//! attempt (`Request::try_clone`: the URL, the header map, the body) costs every call two
//! or three allocations for the rare call that is retried. So the statements of a
//! generated `send` that build the request (from `let url = ..` to the query string) are
//! made a closure: it runs once for the first attempt, and again only for a retry. The
//! parameters are borrowed, never moved, so it can run any number of times.
//!
//! A request whose statements pass a value from outside them by value (a raw body, which
//! may be a stream that cannot be sent twice, or anything else they might move), or return
//! early, is left as it was: the transport then copies it before an attempt that may be
//! retried.

use syn::visit_mut::VisitMut;

use crate::error::{Result, XtaskError};

/// The name of the closure in the generated code.
const BUILD: &str = "build_request";

/// Turn the request-building statements of `block` (a rewritten `send`'s async block, its
/// transport call already in place) into a closure, and pass it to the transport for
/// retries; `err` is the operation's error body type. `builder` names the operation in
/// errors.
pub(super) fn for_retries(block: &mut syn::Block, err: &syn::Type, builder: &str) -> Result<()> {
    fn local(name: &'static str) -> impl Fn(&syn::Stmt) -> bool {
        move |s| matches!(s, syn::Stmt::Local(l) if binds(&l.pat, name))
    }
    let missing = |what: &str| {
        XtaskError::msg(format!(
            "`{builder}::send` has no `{what}` where the xtask expects it; the request cannot \
             be built again for a retry"
        ))
    };
    let url_at = block
        .stmts
        .iter()
        .position(local("url"))
        .ok_or_else(|| missing("let url"))?;
    let info_at = block
        .stmts
        .iter()
        .position(local("info"))
        .ok_or_else(|| missing("let info"))?;
    let send_at = block
        .stmts
        .iter()
        .position(calls_transport)
        .ok_or_else(|| missing("crate::transport::send"))?;
    let in_order = url_at < info_at && info_at < send_at;
    if !in_order || !block.stmts[url_at..info_at].iter().any(local("request")) {
        return Err(missing("let mut request"));
    }
    let mut region: syn::Block = syn::parse_quote!({});
    region.stmts = block.stmts[url_at..info_at].to_vec();
    let mut names = Bound::default();
    names.visit_block_mut(&mut region.clone());
    let mut scan = Scan {
        bound: names.0,
        moves: None,
        returns: false,
    };
    scan.visit_block_mut(&mut region);
    let rebuildable = scan.moves.is_none() && !scan.returns;
    let rebuild: syn::Expr = if rebuildable {
        let ident = quote::format_ident!("{BUILD}");
        let stmts: Vec<syn::Stmt> = block.stmts.drain(url_at..info_at).collect();
        let closure: syn::Stmt = syn::parse_quote! {
            let #ident = || -> ::std::result::Result<::reqwest::Request, Error<#err>> {
                #(#stmts)*
                Ok(request)
            };
        };
        let first: syn::Stmt = syn::parse_quote! { let request = #ident()?; };
        block.stmts.splice(url_at..url_at, [closure, first]);
        syn::parse_quote!(::std::option::Option::Some(&|| #ident().ok()))
    } else {
        syn::parse_quote!(::std::option::Option::None)
    };
    let send_at = block
        .stmts
        .iter()
        .position(calls_transport)
        .ok_or_else(|| missing("crate::transport::send"))?;
    block.stmts[send_at] = syn::parse_quote! {
        let response = crate::transport::send(client, request, &info, #rebuild).await?;
    };
    Ok(())
}

/// `let response = crate::transport::send(client, request, &info).await?;`
fn calls_transport(stmt: &syn::Stmt) -> bool {
    let want: syn::Stmt =
        syn::parse_quote!(let response = crate::transport::send(client, request, &info).await?;);
    crate::syntax::same_tokens(stmt, &want)
}

/// Whether `pat` binds the one name `name` (`name`, `mut name`, `name: T`).
fn binds(pat: &syn::Pat, name: &str) -> bool {
    match pat {
        syn::Pat::Ident(p) => p.ident == name,
        syn::Pat::Type(t) => binds(&t.pat, name),
        _ => false,
    }
}

/// The names the statements bind themselves (`let`, `if let`, closure parameters).
#[derive(Default)]
struct Bound(std::collections::BTreeSet<String>);

impl VisitMut for Bound {
    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        self.0.insert(p.ident.to_string());
        syn::visit_mut::visit_pat_ident_mut(self, p);
    }
}

/// What keeps statements from running twice.
struct Scan {
    /// Names bound inside the statements: theirs to move.
    bound: std::collections::BTreeSet<String>,
    /// A value from outside the statements passed by value (`.body(body)`): it may be
    /// moved, and a second run would not have it.
    moves: Option<String>,
    /// `return ..`: would return from the closure instead of `send`.
    returns: bool,
}

impl Scan {
    fn argument(&mut self, arg: &syn::Expr) {
        if let syn::Expr::Path(p) = arg
            && p.qself.is_none()
            && let Some(ident) = p.path.get_ident()
        {
            let name = ident.to_string();
            // A constant (`SPEC`) is not moved.
            let constant = name.chars().next().is_some_and(|c| c.is_ascii_uppercase());
            if !constant && !self.bound.contains(&name) {
                self.moves.get_or_insert(name);
            }
        }
    }
}

// `VisitMut` on a copy: the xtask builds syn with `visit-mut` only.
impl VisitMut for Scan {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        for arg in &call.args {
            self.argument(arg);
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        for arg in &call.args {
            self.argument(arg);
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }
    fn visit_expr_return_mut(&mut self, r: &mut syn::ExprReturn) {
        self.returns = true;
        syn::visit_mut::visit_expr_return_mut(self, r);
    }
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {
        // A `return` inside a closure of its own returns from that closure.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(block: syn::Block) -> Result<String> {
        let mut block = block;
        for_retries(&mut block, &syn::parse_quote!(types::E), "Op")?;
        // Compared without whitespace: prettyplease decides where lines break.
        let text = prettyplease::unparse(&syn::parse_quote!(
            fn f() #block
        ));
        Ok(squash(&text))
    }

    fn squash(s: &str) -> String {
        s.split_whitespace().collect()
    }

    #[test]
    fn the_request_statements_become_a_closure_run_again_for_a_retry() {
        let text = rewritten(syn::parse_quote!({
            let Self { client, id, body } = self;
            let url = format!("{}/items/{}", client.baseurl, id);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            let mut request = client
                .client
                .post(url)
                .json(&body)
                .headers(header_map)
                .build()?;
            {
                request.url_mut().set_query(Some("a=1"));
            }
            let info = OperationInfo { operation_id: "op" };
            let response = crate::transport::send(client, request, &info).await?;
            match response.status().as_u16() {
                _ => todo!(),
            }
        }))
        .unwrap();
        let closure = text
            .find(&squash("let build_request = || -> ::std::result::Result<::reqwest::Request, Error<types::E>> {"))
            .unwrap_or_else(|| panic!("no closure in\n{text}"));
        // Everything from the URL to the query string is inside it, then `Ok(request)`.
        let (before, inside) = text.split_at(closure);
        assert!(
            before.contains(&squash("let Self { client, id, body } = self;")),
            "{text}"
        );
        for want in [
            "let url = format!",
            "let mut header_map",
            ".json(&body)",
            "set_query",
            "Ok(request)",
        ] {
            assert!(
                inside.contains(&squash(want)),
                "missing {want:?} in\n{text}"
            );
        }
        let first = text
            .find(&squash("let request = build_request()?;"))
            .expect("first build");
        let info = text
            .find(&squash("let info = OperationInfo"))
            .expect("info");
        assert!(
            text.find("Ok(request)").unwrap() < first && first < info,
            "{text}"
        );
        assert!(
            text.contains(&squash("crate::transport::send(client, request, &info, ::std::option::Option::Some(&|| build_request().ok())")),
            "{text}"
        );
    }

    #[test]
    fn a_request_that_moves_its_body_or_returns_early_is_copied_instead() {
        for stmt in [
            quote::quote!(let mut request = client.client.post(url).body(body).build()?;),
            quote::quote!(let mut request = client.client.post(url).json(&into_json(payload)).build()?;),
            quote::quote!(let mut request = if id.is_empty() { return Err(e) } else { client.client.get(url).build()? };),
        ] {
            let block: syn::Block = syn::parse_quote!({
                let url = String::new();
                #stmt
                let info = OperationInfo { operation_id: "op" };
                let response = crate::transport::send(client, request, &info).await?;
            });
            let text = rewritten(block).unwrap();
            assert!(!text.contains("build_request"), "{text}");
            assert!(
                text.contains(&squash(
                    "crate::transport::send(client, request, &info, ::std::option::Option::None"
                )),
                "{text}"
            );
        }
        // A `return` inside a closure of the statements' own does not count.
        let block: syn::Block = syn::parse_quote!({
            let url = String::new();
            let mut request = client.client.get(url).build()?;
            let ok = [1].iter().all(|x| {
                return *x > 0;
            });
            let info = OperationInfo { operation_id: "op" };
            let response = crate::transport::send(client, request, &info).await?;
        });
        assert!(rewritten(block).unwrap().contains("letbuild_request"));
    }

    #[test]
    fn a_send_of_another_shape_is_an_error_naming_the_operation() {
        let block: syn::Block = syn::parse_quote!({
            let mut request = client.client.get("x").build()?;
            let info = OperationInfo { operation_id: "op" };
            let response = crate::transport::send(client, request, &info).await?;
        });
        let e = rewritten(block).unwrap_err().to_string();
        assert!(e.contains("`Op::send`") && e.contains("let url"), "{e}");
    }
}
