//! Human user endpoints: import (3.1), get profile/email/phone (3.21, 3.7, 3.17) and update
//! profile (3.22). Callers: service accounts with a bearer token and the permission the
//! contract names (`user.write` for writes, `user.read` for reads) in the context organisation.

use super::caller::Caller;
use super::error::ApiError;
use super::json::{GenderInput, Object, details_add, details_change, details_view, parse_body};
use super::pgv::{Message, Violation};
use crate::domain::Services;
use crate::domain::authz::Permission;
use crate::domain::error::faults;
use crate::domain::users::{IdpLink, ImportHuman, gender_of};
use crate::domain::values::{DisplayName, LanguageTag, NickName, PersonName, Profile};
use crate::store::users::UserRow;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

/// `ImportHumanUserRequest`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ImportHumanUserRequest)]
struct ImportRequest {
    #[serde(rename = "userName", alias = "user_name")]
    user_name: Option<String>,
    profile: Option<ImportProfile>,
    email: Option<ImportEmail>,
    phone: Option<ImportPhone>,
    password: Option<String>,
    #[serde(rename = "hashedPassword", alias = "hashed_password")]
    hashed_password: Option<HashedPassword>,
    #[serde(rename = "passwordChangeRequired", alias = "password_change_required")]
    password_change_required: Option<bool>,
    #[serde(
        rename = "requestPasswordlessRegistration",
        alias = "request_passwordless_registration"
    )]
    request_passwordless_registration: Option<bool>,
    /// Ignored by this endpoint (contract 3.1).
    #[serde(rename = "otpCode", alias = "otp_code")]
    _otp_code: Option<String>,
    idps: Option<Vec<ImportIdp>>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ImportHumanUserRequest_Profile)]
struct ImportProfile {
    #[serde(rename = "firstName", alias = "first_name")]
    first_name: Option<String>,
    #[serde(rename = "lastName", alias = "last_name")]
    last_name: Option<String>,
    #[serde(rename = "nickName", alias = "nick_name")]
    nick_name: Option<String>,
    #[serde(rename = "displayName", alias = "display_name")]
    display_name: Option<String>,
    #[serde(rename = "preferredLanguage", alias = "preferred_language")]
    preferred_language: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<super::openapi::GenderDoc>)]
    gender: GenderInput,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ImportHumanUserRequest_Email)]
struct ImportEmail {
    email: Option<String>,
    #[serde(rename = "isEmailVerified", alias = "is_email_verified")]
    is_email_verified: Option<bool>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ImportHumanUserRequest_Phone)]
struct ImportPhone {
    phone: Option<String>,
    #[serde(rename = "isPhoneVerified", alias = "is_phone_verified")]
    is_phone_verified: Option<bool>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ImportHumanUserRequest_HashedPassword)]
struct HashedPassword {
    value: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ImportHumanUserRequest_IDP)]
struct ImportIdp {
    #[serde(rename = "configId", alias = "config_id")]
    config_id: Option<String>,
    #[serde(rename = "externalUserId", alias = "external_user_id")]
    external_user_id: Option<String>,
    #[serde(rename = "displayName", alias = "display_name")]
    display_name: Option<String>,
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or_default()
}

impl ImportRequest {
    /// PGV rules in field-number order (contract 3.1).
    fn validate(&self) -> Result<(), Violation> {
        let request = Message::new("ImportHumanUserRequest");
        request.length("UserName", text(&self.user_name), 1, 200)?;
        request.required("Profile", self.profile.as_ref())?;
        if let Some(profile) = &self.profile {
            let inner = Message::new("ImportHumanUserRequest_Profile");
            request.embedded(
                "Profile",
                (|| {
                    inner.length("FirstName", text(&profile.first_name), 1, 200)?;
                    inner.length("LastName", text(&profile.last_name), 1, 200)?;
                    inner.length("NickName", text(&profile.nick_name), 0, 200)?;
                    inner.length("DisplayName", text(&profile.display_name), 0, 200)?;
                    inner.length(
                        "PreferredLanguage",
                        text(&profile.preferred_language),
                        0,
                        10,
                    )?;
                    inner.defined_enum("Gender", profile.gender.is_defined())
                })(),
            )?;
        }
        request.required("Email", self.email.as_ref())?;
        if let Some(email) = &self.email {
            let inner = Message::new("ImportHumanUserRequest_Email");
            request.embedded("Email", inner.email("Email", text(&email.email)))?;
        }
        if let Some(phone) = &self.phone {
            let inner = Message::new("ImportHumanUserRequest_Phone");
            request.embedded(
                "Phone",
                (|| {
                    inner.length("Phone", text(&phone.phone), 1, 50)?;
                    inner.prefix("Phone", text(&phone.phone), "+")
                })(),
            )?;
        }
        for (index, idp) in self.idps.iter().flatten().enumerate() {
            let inner = Message::new("ImportHumanUserRequest_IDP");
            request.embedded(
                &format!("Idps[{index}]"),
                (|| {
                    inner.length("ConfigId", text(&idp.config_id), 1, 200)?;
                    inner.length("ExternalUserId", text(&idp.external_user_id), 1, 200)?;
                    inner.length("DisplayName", text(&idp.display_name), 0, 200)
                })(),
            )?;
        }
        Ok(())
    }

    fn into_domain(self) -> ImportHuman {
        let profile = self.profile.unwrap_or_default();
        let email = self.email.unwrap_or_default();
        ImportHuman {
            username: self.user_name.unwrap_or_default(),
            first_name: profile.first_name.unwrap_or_default(),
            last_name: profile.last_name.unwrap_or_default(),
            nick_name: profile.nick_name.unwrap_or_default(),
            display_name: profile.display_name.unwrap_or_default(),
            preferred_language: profile.preferred_language.unwrap_or_default(),
            gender: profile.gender.gender(),
            email: email.email.unwrap_or_default(),
            email_verified: email.is_email_verified.unwrap_or_default(),
            phone_verified: self
                .phone
                .as_ref()
                .and_then(|phone| phone.is_phone_verified)
                .unwrap_or_default(),
            phone: self.phone.and_then(|phone| phone.phone),
            password: self.password.filter(|password| !password.is_empty()),
            hashed_password: self
                .hashed_password
                .and_then(|hash| hash.value)
                .filter(|value| !value.is_empty()),
            password_change_required: self.password_change_required.unwrap_or_default(),
            request_passwordless: self.request_passwordless_registration.unwrap_or_default(),
            idps: self
                .idps
                .unwrap_or_default()
                .into_iter()
                .map(|idp| IdpLink {
                    config_id: idp.config_id.unwrap_or_default(),
                    external_user_id: idp.external_user_id.unwrap_or_default(),
                    display_name: idp.display_name.unwrap_or_default(),
                })
                .collect(),
        }
    }
}

#[utoipa::path(
    post,
    path = "/users/human/_import",
    operation_id = "ImportHumanUser",
    summary = "Create/Import User (Human)",
    tag = "Users",
    params(super::openapi::OrgHeader),
    request_body(content = ImportRequest, description = "JSON; lowerCamelCase or snake_case names", content_type = "application/json"),
    responses(
        (status = 200, description = "Done", body = super::openapi::ImportReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
        (status = 409, description = "The username is taken", body = super::openapi::ErrorDoc),
    ),
)]
/// `POST /users/human/_import` — needs `user.write`.
pub async fn import_human_user(
    State(services): State<Services>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    let request: ImportRequest = parse_body(&body)?;
    request.validate().map_err(ApiError::invalid)?;
    let imported = services
        .import_human(&access, request.into_domain())
        .await?;
    let mut response = Object::new().text("userId", &imported.user_id).message(
        "details",
        details_add(imported.sequence, imported.created_at, &imported.org_id),
    );
    if let Some(link) = &imported.passkey_link {
        let lifetime = format!("{}s", link.lifetime_secs);
        response = response.message(
            "passwordlessRegistration",
            json!({ "link": link.link, "lifetime": lifetime, "expiration": lifetime }),
        );
    }
    Ok(Json(response.build()))
}

fn check_user_id(message: &'static str, user_id: &str) -> Result<(), ApiError> {
    Message::new(message)
        .length("UserId", user_id, 1, 200)
        .map_err(ApiError::invalid)
}

fn view_details(row: &UserRow) -> Value {
    details_view(row.sequence, row.created_at, row.changed_at, &row.org_id)
}

#[utoipa::path(
    get,
    path = "/users/{user_id}/profile",
    operation_id = "GetHumanProfile",
    summary = "Get User Profile (Human)",
    tag = "Users",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::ProfileReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `GET /users/{user_id}/profile` — needs `user.read`.
pub async fn get_human_profile(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserRead).await?;
    check_user_id("GetHumanProfileRequest", &user_id)?;
    let row = services
        .human(
            &access,
            &user_id,
            faults::GET_PROFILE_NOT_FOUND,
            faults::GET_PROFILE_NOT_HUMAN,
        )
        .await?;
    let gender = gender_of(&row);
    let profile = Object::new()
        .text("firstName", &row.first_name)
        .text("lastName", &row.last_name)
        .text("nickName", &row.nick_name)
        .text("displayName", &row.display_name)
        .text("preferredLanguage", &row.preferred_language)
        .enumeration("gender", gender.proto_name(), gender.as_number() == 0)
        .text(
            "avatarUrl",
            &row.avatar_key
                .as_deref()
                .map(|key| services.avatar_url(&row.org_id, key))
                .unwrap_or_default(),
        )
        .build();
    Ok(Json(
        Object::new()
            .message("details", view_details(&row))
            .message("profile", profile)
            .build(),
    ))
}

#[utoipa::path(
    get,
    path = "/users/{user_id}/email",
    operation_id = "GetHumanEmail",
    summary = "Get User Email (Human)",
    tag = "Users",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::EmailReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `GET /users/{user_id}/email` — needs `user.read`.
pub async fn get_human_email(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserRead).await?;
    check_user_id("GetHumanEmailRequest", &user_id)?;
    let row = services
        .human(
            &access,
            &user_id,
            faults::GET_EMAIL_NOT_FOUND,
            faults::GET_EMAIL_NOT_HUMAN,
        )
        .await?;
    let email = Object::new()
        .text("email", &row.email)
        .flag("isEmailVerified", row.email_verified)
        .build();
    Ok(Json(
        Object::new()
            .message("details", view_details(&row))
            .message("email", email)
            .build(),
    ))
}

#[utoipa::path(
    get,
    path = "/users/{user_id}/phone",
    operation_id = "GetHumanPhone",
    summary = "Get User Phone (Human)",
    tag = "Users",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::PhoneReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `GET /users/{user_id}/phone` — needs `user.read`. A user without a phone gets `"phone": {}`.
pub async fn get_human_phone(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserRead).await?;
    check_user_id("GetHumanPhoneRequest", &user_id)?;
    let row = services
        .human(
            &access,
            &user_id,
            faults::GET_PHONE_NOT_FOUND,
            faults::GET_PHONE_NOT_HUMAN,
        )
        .await?;
    let phone = Object::new()
        .text("phone", row.phone.as_deref().unwrap_or_default())
        .flag("isPhoneVerified", row.phone.is_some() && row.phone_verified)
        .build();
    Ok(Json(
        Object::new()
            .message("details", view_details(&row))
            .message("phone", phone)
            .build(),
    ))
}

/// `UpdateHumanProfileRequest` (the user id comes from the path).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = UpdateHumanProfileRequest)]
struct UpdateProfileRequest {
    #[serde(rename = "firstName", alias = "first_name")]
    first_name: Option<String>,
    #[serde(rename = "lastName", alias = "last_name")]
    last_name: Option<String>,
    #[serde(rename = "nickName", alias = "nick_name")]
    nick_name: Option<String>,
    #[serde(rename = "displayName", alias = "display_name")]
    display_name: Option<String>,
    #[serde(rename = "preferredLanguage", alias = "preferred_language")]
    preferred_language: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<super::openapi::GenderDoc>)]
    gender: GenderInput,
}

impl UpdateProfileRequest {
    fn validate(&self, user_id: &str) -> Result<(), Violation> {
        let request = Message::new("UpdateHumanProfileRequest");
        request.length("UserId", user_id, 1, 200)?;
        request.length("FirstName", text(&self.first_name), 1, 200)?;
        request.length("LastName", text(&self.last_name), 1, 200)?;
        request.length("NickName", text(&self.nick_name), 0, 200)?;
        request.length("DisplayName", text(&self.display_name), 1, 200)?;
        request.length("PreferredLanguage", text(&self.preferred_language), 0, 10)?;
        request.defined_enum("Gender", self.gender.is_defined())
    }
}

#[utoipa::path(
    put,
    path = "/users/{user_id}/profile",
    operation_id = "UpdateHumanProfile",
    summary = "Update User Profile (Human)",
    tag = "Users",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    request_body(content = UpdateProfileRequest, description = "JSON; lowerCamelCase or snake_case names", content_type = "application/json"),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `PUT /users/{user_id}/profile` — needs `user.write`. A full replacement; no change is an
/// error.
pub async fn update_human_profile(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    let request: UpdateProfileRequest = parse_body(&body)?;
    request.validate(&user_id).map_err(ApiError::invalid)?;
    let profile = Profile {
        first_name: PersonName::first(text(&request.first_name))?,
        last_name: PersonName::last(text(&request.last_name))?,
        nick_name: NickName::parse(text(&request.nick_name))?,
        display_name: DisplayName::parse(text(&request.display_name))?,
        preferred_language: LanguageTag::parse(text(&request.preferred_language))?,
        gender: request.gender.gender(),
    };
    let details = services.update_profile(&access, &user_id, profile).await?;
    Ok(Json(json!({
        "details": details_change(details.sequence, details.changed_at, &details.org_id),
    })))
}
