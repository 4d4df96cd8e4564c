//! Admin views: users (list, import, detail), organisations and service accounts.

mod import;
mod orgs;
mod profile_editor;
mod service_accounts;
mod user;
mod user_actions;
mod user_factors;
mod user_history;
mod users;

pub use import::ImportPage;
pub use orgs::OrgsPage;
pub use profile_editor::ProfileEditor;
pub use service_accounts::ServiceAccountsPage;
pub use user::UserPage;
pub use users::UsersPage;
