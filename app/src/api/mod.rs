//! Server functions, one file per area. Each body fetches the backend and the actor and calls
//! one [`crate::port::Backend`] method; every rule lives on the server behind it.

pub mod account;
pub mod admin_users;
pub mod api_docs;
pub mod avatar;
pub mod factors;
pub mod orgs;
pub mod service_accounts;
pub mod session;
