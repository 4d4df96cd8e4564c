//! The OpenAPI document of the REST API. The operations come from the handlers' own
//! `#[utoipa::path]` annotations, registered together with their routes (see
//! [`super::router`]), and the request schemas from the very types the handlers parse, so the
//! document cannot list a route the server lacks or miss one it has. The reply shapes below
//! mirror what the handlers write; the HTTP tests check real replies against them. Served at
//! `/openapi.json`.

use app::model::{ApiOperation, ApiOverview};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::{Modify, OpenApi, ToSchema};

/// What the document says about itself, before the routes add their operations.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Roster Management API v1",
        description = "The human-user subset of ZITADEL's Management API v1, wire-compatible: \
            request fields in lowerCamelCase or snake_case, replies in lowerCamelCase without \
            default values, 64-bit numbers as strings. Authenticate with a service account's \
            personal access token (`Authorization: Bearer …`); `x-zitadel-orgid` selects the \
            organisation (default: the token's own).",
        license(name = "AGPL-3.0-only", identifier = "AGPL-3.0-only"),
    ),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    tags(
        (name = "Users", description = "Import, profile, picture, email and phone of human users"),
        (name = "Passwords", description = "Setting passwords and sending reset notifications"),
        (name = "Factors", description = "Second factors and passkeys"),
    ),
)]
pub struct ApiDoc;

/// The finished document for an installation: the routes' operations, served under
/// `{public_url}/management/v1`.
pub fn document(
    mut routes: utoipa::openapi::OpenApi,
    public_url: &url::Url,
) -> utoipa::openapi::OpenApi {
    routes.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let base = public_url
        .join("management/v1")
        .map_or_else(|_| "/management/v1".to_owned(), |url| url.to_string());
    routes.servers = Some(vec![Server::new(base)]);
    routes
}

/// The document in brief, for the browser's API page: base URL, document URL and each
/// operation with the first sentence of its description.
pub fn overview(document: &utoipa::openapi::OpenApi, public_url: &url::Url) -> ApiOverview {
    let base_url = document
        .servers
        .as_ref()
        .and_then(|servers| servers.first())
        .map(|server| server.url.clone())
        .unwrap_or_default();
    let mut operations = Vec::new();
    for (path, item) in &document.paths.paths {
        let methods = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in methods {
            let Some(operation) = operation else {
                continue;
            };
            let summary = operation.summary.clone().unwrap_or_default();
            operations.push(ApiOperation {
                operation_id: operation.operation_id.clone().unwrap_or_default(),
                method: method.to_owned(),
                path: path.clone(),
                summary,
                tag: operation
                    .tags
                    .as_ref()
                    .and_then(|tags| tags.first().cloned())
                    .unwrap_or_default(),
            });
        }
    }
    ApiOverview {
        base_url,
        document_url: public_url
            .join("openapi.json")
            .map_or_else(|_| "/openapi.json".to_owned(), |url| url.to_string()),
        operations,
    }
}

/// Declares the bearer scheme that `security(("bearer" = []))` names.
#[derive(Debug)]
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "A service account's personal access token (created under Service accounts, or \
             with ROSTER_BOOTSTRAP_PAT_PATH at the first start)."
                .to_owned(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The organisation header every operation accepts (contract 1.1).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct OrgHeader {
    /// The organisation to work in; the token's own organisation when absent.
    #[param(rename = "x-zitadel-orgid")]
    x_zitadel_orgid: Option<String>,
}

/// `zitadel.v1.ObjectDetails` (contract 1.6): which date it carries depends on the operation.
#[derive(Debug, ToSchema)]
#[schema(as = Details)]
#[allow(dead_code)]
pub struct DetailsDoc {
    /// The per-user sequence of the last event, as a string.
    #[schema(example = "2")]
    sequence: String,
    /// RFC 3339; on "add" replies and reads.
    #[schema(rename = "creationDate", format = DateTime)]
    creation_date: Option<String>,
    /// RFC 3339; on "change" replies and reads.
    #[schema(rename = "changeDate", format = DateTime)]
    change_date: Option<String>,
    /// The organisation the user belongs to.
    #[schema(rename = "resourceOwner")]
    resource_owner: String,
}

/// The error body (contract 1.5): gRPC code, `"<text> (<id>)"`, and one detail for business
/// errors (none for request validation).
#[derive(Debug, ToSchema)]
#[schema(as = Error)]
#[allow(dead_code)]
pub struct ErrorDoc {
    #[schema(example = 9)]
    code: i32,
    #[schema(example = "Email not changed (COMMAND-2b7fM)")]
    message: String,
    details: Vec<ErrorDetailDoc>,
}

/// `zitadel.v1.ErrorDetail`.
#[derive(Debug, ToSchema)]
#[schema(as = ErrorDetail)]
#[allow(dead_code)]
pub struct ErrorDetailDoc {
    #[schema(
        rename = "@type",
        example = "type.googleapis.com/zitadel.v1.ErrorDetail"
    )]
    kind: String,
    #[schema(example = "COMMAND-2b7fM")]
    id: String,
    #[schema(example = "Email not changed")]
    message: String,
}

/// `{ "details": … }`, the reply of most writes.
#[derive(Debug, ToSchema)]
#[schema(as = DetailsReply)]
#[allow(dead_code)]
pub struct DetailsReplyDoc {
    details: DetailsDoc,
}

/// `ImportHumanUserResponse`.
#[derive(Debug, ToSchema)]
#[schema(as = ImportHumanUserResponse)]
#[allow(dead_code)]
pub struct ImportReplyDoc {
    #[schema(rename = "userId", example = "336392597046099971")]
    user_id: String,
    details: DetailsDoc,
    /// Only when `requestPasswordlessRegistration` was true.
    #[schema(rename = "passwordlessRegistration")]
    passwordless_registration: Option<PasswordlessLinkDoc>,
}

/// A passkey registration link in the import reply.
#[derive(Debug, ToSchema)]
#[schema(as = PasswordlessRegistration)]
#[allow(dead_code)]
pub struct PasswordlessLinkDoc {
    link: String,
    /// Deprecated; the same as `expiration`.
    #[schema(example = "3600s")]
    lifetime: String,
    #[schema(example = "3600s")]
    expiration: String,
}

/// `GetHumanProfileResponse`.
#[derive(Debug, ToSchema)]
#[schema(as = GetHumanProfileResponse)]
#[allow(dead_code)]
pub struct ProfileReplyDoc {
    details: DetailsDoc,
    profile: ProfileDoc,
}

/// A human's profile; empty and unspecified values are left out.
#[derive(Debug, ToSchema)]
#[schema(as = Profile)]
#[allow(dead_code)]
pub struct ProfileDoc {
    #[schema(rename = "firstName")]
    first_name: String,
    #[schema(rename = "lastName")]
    last_name: String,
    #[schema(rename = "nickName")]
    nick_name: Option<String>,
    #[schema(rename = "displayName")]
    display_name: String,
    /// Canonical BCP 47 tag; `und` when undefined.
    #[schema(rename = "preferredLanguage", example = "de-CH")]
    preferred_language: String,
    gender: Option<GenderDoc>,
    /// `{public URL}/assets/v1/{orgId}/{avatarKey}`; absent without an avatar.
    #[schema(rename = "avatarUrl")]
    avatar_url: Option<String>,
}

/// `zitadel.user.v1.Gender`; requests may also give the number.
#[derive(Debug, ToSchema)]
#[schema(as = Gender)]
#[allow(dead_code, clippy::upper_case_acronyms, non_camel_case_types)]
pub enum GenderDoc {
    GENDER_UNSPECIFIED,
    GENDER_FEMALE,
    GENDER_MALE,
    GENDER_DIVERSE,
}

/// The channel of a password reset: `TYPE_EMAIL` (0, the default) or `TYPE_SMS` (1); the
/// number is accepted too.
#[derive(Debug, ToSchema)]
#[schema(as = SendHumanResetPasswordNotificationRequest_Type)]
#[allow(dead_code, clippy::upper_case_acronyms, non_camel_case_types)]
pub enum ResetTypeDoc {
    TYPE_EMAIL,
    TYPE_SMS,
}

/// `GetHumanEmailResponse`.
#[derive(Debug, ToSchema)]
#[schema(as = GetHumanEmailResponse)]
#[allow(dead_code)]
pub struct EmailReplyDoc {
    details: DetailsDoc,
    email: EmailDoc,
}

#[derive(Debug, ToSchema)]
#[schema(as = Email)]
#[allow(dead_code)]
pub struct EmailDoc {
    email: String,
    /// Left out when false.
    #[schema(rename = "isEmailVerified")]
    is_email_verified: Option<bool>,
}

/// `GetHumanPhoneResponse`: `"phone": {}` for a user without a phone.
#[derive(Debug, ToSchema)]
#[schema(as = GetHumanPhoneResponse)]
#[allow(dead_code)]
pub struct PhoneReplyDoc {
    details: DetailsDoc,
    phone: PhoneDoc,
}

#[derive(Debug, ToSchema)]
#[schema(as = Phone)]
#[allow(dead_code)]
pub struct PhoneDoc {
    /// E.164.
    #[schema(example = "+41710000000")]
    phone: Option<String>,
    #[schema(rename = "isPhoneVerified")]
    is_phone_verified: Option<bool>,
}

/// `ListHumanAuthFactorsResponse`: `{}` when the user has none.
#[derive(Debug, ToSchema)]
#[schema(as = ListHumanAuthFactorsResponse)]
#[allow(dead_code)]
pub struct AuthFactorsReplyDoc {
    result: Option<Vec<AuthFactorDoc>>,
}

/// One READY factor: exactly one of `otp`, `u2f`, `otpSms`, `otpEmail`.
#[derive(Debug, ToSchema)]
#[schema(as = AuthFactor)]
#[allow(dead_code)]
pub struct AuthFactorDoc {
    #[schema(example = "AUTH_FACTOR_STATE_READY")]
    state: String,
    otp: Option<EmptyDoc>,
    u2f: Option<U2fDoc>,
    #[schema(rename = "otpSms")]
    otp_sms: Option<EmptyDoc>,
    #[schema(rename = "otpEmail")]
    otp_email: Option<EmptyDoc>,
}

/// An empty message (`{}`).
#[derive(Debug, ToSchema)]
#[schema(as = Empty)]
#[allow(dead_code)]
pub struct EmptyDoc {}

#[derive(Debug, ToSchema)]
#[schema(as = U2F)]
#[allow(dead_code)]
pub struct U2fDoc {
    id: String,
    name: String,
}

/// `ListHumanPasswordlessResponse`: `{}` when the user has none.
#[derive(Debug, ToSchema)]
#[schema(as = ListHumanPasswordlessResponse)]
#[allow(dead_code)]
pub struct PasswordlessListReplyDoc {
    result: Option<Vec<WebAuthnTokenDoc>>,
}

/// `WebAuthNToken`.
#[derive(Debug, ToSchema)]
#[schema(as = WebAuthNToken)]
#[allow(dead_code)]
pub struct WebAuthnTokenDoc {
    id: String,
    #[schema(example = "AUTH_FACTOR_STATE_READY")]
    state: String,
    name: String,
}

/// `AddPasswordlessRegistrationResponse`.
#[derive(Debug, ToSchema)]
#[schema(as = AddPasswordlessRegistrationResponse)]
#[allow(dead_code)]
pub struct PasswordlessLinkReplyDoc {
    details: DetailsDoc,
    link: String,
    #[schema(example = "3600s")]
    expiration: String,
}
