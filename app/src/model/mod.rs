//! Wire types shared by the browser and the server: ids, views, forms, errors and the actor.
//!
//! Nothing in here talks to a database or the network; every type is plain data that serde can
//! carry between the WASM client and the server functions.

mod actor;
mod api_docs;
mod contact;
mod error;
mod factors;
mod history;
mod ids;
mod service_accounts;
mod session;
mod user;

pub use actor::{Actor, Authenticated, Gate, Membership, Role};
pub use api_docs::{ApiOperation, ApiOverview};
pub use contact::{AccountAction, AdminUserAction, AttemptView, ContactView, MessageView};
pub use error::{AppError, ErrorCode};
pub use factors::{
    AuthenticationChallenge, CreationChallengeResponse, CredentialKind, CredentialView,
    FactorsView, PasskeyLinkView, PublicKeyCredential, ReauthMethods, RegisterPublicKeyCredential,
    RegistrationChallenge, RequestChallengeResponse, SecondFactorChoice, TotpSetup,
};
pub use history::{HistoryActor, HistoryEntry, HistoryPage};
pub use ids::{OrgId, TokenId, UserId};
pub use service_accounts::{
    CreateServiceAccountForm, CreatedServiceAccount, ServiceAccountView, TokenView,
};
pub use session::{InitForm, InitLinkInfo, Me, ResetPasswordForm, SignInOutcome};
pub use user::{
    Gender, ImportOutcome, ImportUserForm, OrgView, ProfileForm, ProfileView, UserDetail,
    UserListPage, UserListQuery, UserSort, UserState, UserSummary,
};
