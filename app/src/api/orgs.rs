//! Organisations (instance owners only).

use crate::model::{AppError, OrgId};
use leptos::prelude::*;
use server_fn::codec::Json;

/// Creates an organisation. Instance owners only.
#[server(endpoint = "create_org", input = Json)]
pub async fn create_org(name: String) -> Result<OrgId, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.create_org(&actor, name).await)
}
