//! The paginated lists of the blocking client: the async [`crate::paginate`] streams as
//! [`Iterator`]s.

use crate::paginate::Page;
use crate::{Error, Response};

use super::Client;

/// The pages of a list operation, in order, as an [`Iterator`] (each fetched when it is
/// asked for); made by a blocking list request's `pages()`. See [`crate::paginate`].
#[must_use = "an iterator does nothing until it is used"]
pub struct Pages<'a, P, E> {
    client: &'a Client,
    inner: crate::paginate::Pages<'a, P, E>,
}

impl<'a, P: Page, E> Pages<'a, P, E> {
    #[allow(dead_code)] // Only list operations call it.
    pub(crate) fn new(client: &'a Client, inner: crate::paginate::Pages<'a, P, E>) -> Self {
        Self { client, inner }
    }
}

impl<P, E> Iterator for Pages<'_, P, E>
where
    P: Page + Send,
    E: Send,
{
    type Item = Result<Response<P>, Error<E>>;

    fn next(&mut self) -> Option<Self::Item> {
        let Self { client, inner } = self;
        client.block_on(inner.next())
    }
}

impl<P, E> std::fmt::Debug for Pages<'_, P, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Pages").field(&self.inner).finish()
    }
}

/// The items of every page of a list operation, in order, as an [`Iterator`]; made by a
/// blocking list request's `into_stream()`, or by `for item in request`. See
/// [`crate::paginate`].
#[must_use = "an iterator does nothing until it is used"]
pub struct Items<'a, P: Page, E> {
    client: &'a Client,
    inner: crate::paginate::Items<'a, P, E>,
}

impl<'a, P: Page, E> Items<'a, P, E> {
    #[allow(dead_code)] // Only list operations call it.
    pub(crate) fn new(client: &'a Client, inner: crate::paginate::Items<'a, P, E>) -> Self {
        Self { client, inner }
    }
}

impl<P, E> Iterator for Items<'_, P, E>
where
    P: Page + Send,
    P::Item: Send,
    E: Send,
{
    type Item = Result<P::Item, Error<E>>;

    fn next(&mut self) -> Option<Self::Item> {
        let Self { client, inner } = self;
        client.block_on(inner.next())
    }
}

impl<P: Page, E> std::fmt::Debug for Items<'_, P, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Items").field(&self.inner).finish()
    }
}
