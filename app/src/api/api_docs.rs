//! The REST API's overview for the API page.

use crate::model::{ApiOverview, AppError};
use leptos::prelude::*;
use server_fn::codec::Json;

/// The REST API's base URL, its OpenAPI document and operations. Anyone may call it: the same
/// facts are public at `/openapi.json`.
#[server(endpoint = "api_overview", input = Json)]
pub async fn get_api_overview() -> Result<ApiOverview, AppError> {
    let (backend, _) = crate::port::context()?;
    crate::port::respond(backend.api_overview().await)
}
