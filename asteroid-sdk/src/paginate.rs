//! Paginated lists: every operation that answers one page of a list (`items` with `page`,
//! `pageSize` and `total`, asked for with `page` and `pageSize` parameters) has
//! `.into_stream()`, the items of every page, and `.pages()`, the pages themselves.
//!
//! ```ignore
//! // With the whole API (its `ExecutionsList` operation):
//! let mut executions = client.executions_list().page_size(50).into_stream();
//! while let Some(execution) = executions.next().await {
//!     println!("{}", execution?.id);
//! }
//! ```
//!
//! Every list operation's own documentation has an example that compiles.
//!
//! Pages are fetched one at a time, when the items of the one before are used up, from
//! the `page` the request names (or the spec's default) on. The walk ends after the last
//! page: one with no items, or fewer than its `pageSize`, or once `total` items came. A
//! page that fails ends it too, after its error is yielded (the client's retry policy
//! has been applied to it already). Both streams are `Unpin` and have an inherent
//! `next()`, so no trait import is needed; they also implement
//! [`futures_core::Stream`] for its combinators.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::{Error, Response};

/// One page of a list, as the generated list operations answer it (implemented by the
/// generated page types; not for users to implement).
pub trait Page: sealed::Sealed {
    /// The type of the list's items.
    type Item;
    /// The items of this page, in order.
    fn into_items(self) -> Vec<Self::Item>;
    /// The number of items on this page.
    fn len(&self) -> usize;
    /// Whether this page has no items.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The page's number, when the answer says.
    fn page(&self) -> Option<i64>;
    /// The page size the server used, when the answer says.
    fn page_size(&self) -> Option<i64>;
    /// The number of items in the whole list, when the answer says.
    fn total(&self) -> Option<i64>;
}

#[doc(hidden)]
pub mod sealed {
    /// Only the generated page types are pages.
    pub trait Sealed {}
}

type PageFuture<'a, P, E> =
    Pin<Box<dyn Future<Output = Result<Response<P>, Error<E>>> + Send + 'a>>;
type Fetch<'a, P, E> = Box<dyn FnMut(Option<i64>) -> PageFuture<'a, P, E> + Send + 'a>;

/// The pages of a list operation, in order (see the [module docs](self)); each is the
/// [`Response`] of one request. Made by a list operation's `.pages()`.
#[must_use = "a stream does nothing until it is polled"]
pub struct Pages<'a, P, E> {
    fetch: Fetch<'a, P, E>,
    state: State<'a, P, E>,
    /// The page to ask for next (`None`: the request's own, for the first).
    next_page: Option<i64>,
    /// Items received so far.
    seen: u64,
}

enum State<'a, P, E> {
    Idle,
    Fetching(PageFuture<'a, P, E>),
    Done,
}

impl<P, E> std::fmt::Debug for Pages<'_, P, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("next_page", &self.next_page)
            .field("seen", &self.seen)
            .field("done", &matches!(self.state, State::Done))
            .finish_non_exhaustive()
    }
}

impl<'a, P: Page, E> Pages<'a, P, E> {
    /// The pages that `fetch` answers: called with `None` for the first (the request as
    /// the caller set it), then with each next page number.
    #[doc(hidden)]
    pub fn new<F, Fut>(mut fetch: F) -> Self
    where
        F: FnMut(Option<i64>) -> Fut + Send + 'a,
        Fut: Future<Output = Result<Response<P>, Error<E>>> + Send + 'a,
    {
        Self {
            fetch: Box::new(move |page| Box::pin(fetch(page))),
            state: State::Idle,
            next_page: None,
            seen: 0,
        }
    }

    /// The next page, `None` after the last one (or after an error).
    pub async fn next(&mut self) -> Option<Result<Response<P>, Error<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Whether the page just received is the last one; the next page number otherwise.
    fn after(&mut self, page: &P) -> Option<i64> {
        let asked = self.next_page;
        let n = page.len() as u64;
        self.seen += n;
        if n == 0 {
            return None;
        }
        if page
            .page_size()
            .is_some_and(|size| size > 0 && (n as i64) < size)
        {
            return None;
        }
        if page.total().is_some_and(|t| self.seen >= t.max(0) as u64) {
            return None;
        }
        // The page the server says this was, else the one asked for; the first request's
        // page is the caller's (or the spec's default), which only the answer tells.
        let this = page.page().or(asked)?;
        this.checked_add(1)
    }
}

impl<P: Page, E> Stream for Pages<'_, P, E> {
    type Item = Result<Response<P>, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Idle => {
                    let fut = (this.fetch)(this.next_page);
                    this.state = State::Fetching(fut);
                }
                State::Fetching(fut) => {
                    let result = std::task::ready!(fut.as_mut().poll(cx));
                    this.state = State::Done;
                    if let Ok(page) = &result
                        && let Some(next) = this.after(page)
                    {
                        this.next_page = Some(next);
                        this.state = State::Idle;
                    }
                    return Poll::Ready(Some(result));
                }
            }
        }
    }
}

/// The items of every page of a list operation, in order (see the [module docs](self)).
/// Made by a list operation's `.into_stream()`.
#[must_use = "a stream does nothing until it is polled"]
pub struct Items<'a, P: Page, E> {
    pages: Pages<'a, P, E>,
    buffer: VecDeque<P::Item>,
}

impl<P: Page, E> std::fmt::Debug for Items<'_, P, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<'a, P: Page, E> Items<'a, P, E> {
    /// The items of these pages.
    #[doc(hidden)]
    pub fn new(pages: Pages<'a, P, E>) -> Self {
        Self {
            pages,
            buffer: VecDeque::new(),
        }
    }

    /// The next item, `None` after the last one (or after an error).
    pub async fn next(&mut self) -> Option<Result<P::Item, Error<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// All the remaining items, or the first error.
    pub async fn collect_all(mut self) -> Result<Vec<P::Item>, Error<E>> {
        let mut out = Vec::new();
        while let Some(item) = self.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}

// The fields are never pinned (the buffered items are moved out, never polled), so the
// stream is `Unpin` whatever the item type.
impl<P: Page, E> Unpin for Items<'_, P, E> {}

impl<P: Page, E> Stream for Items<'_, P, E> {
    type Item = Result<P::Item, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(page)) => this.buffer.extend(page.into_inner().into_items()),
            }
        }
    }
}
