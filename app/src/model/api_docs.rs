//! The REST API's operations, for the API page.

use serde::{Deserialize, Serialize};

/// One operation of the REST API, as its OpenAPI document lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiOperation {
    /// The gRPC/OpenAPI operation id, e.g. `ImportHumanUser`.
    pub operation_id: String,
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// Below the base URL, e.g. `/users/{user_id}/profile`.
    pub path: String,
    /// Its name in ZITADEL's documentation, e.g. "Create/Import User (Human)".
    pub summary: String,
    pub tag: String,
}

/// Where the API lives and what it offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiOverview {
    /// `{public URL}/management/v1`.
    pub base_url: String,
    /// The OpenAPI document's address.
    pub document_url: String,
    pub operations: Vec<ApiOperation>,
}
