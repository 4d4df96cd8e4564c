//! Texts for message keys. A key without a text is shown as the key itself, as ZITADEL does.
//! The REST API answers in English, as ZITADEL's does; the UI translates these texts (the
//! German catalog in `app::i18n` has every one, which a test checks).

/// Every message key with its English text.
pub static MESSAGES: &[(&str, &str)] = &[
    ("Errors.User.NotFound", "User could not be found"),
    ("Errors.User.NotHuman", "The User must be personal"),
    ("Errors.User.NotInitialised", "User is not yet initialized"),
    (
        "Errors.User.AlreadyInitialised",
        "User is already initialized",
    ),
    ("Errors.User.AlreadyExists", "User already exists"),
    ("Errors.User.UserIDMissing", "User ID missing"),
    ("Errors.User.Email.NotFound", "Email not found"),
    ("Errors.User.Email.NotChanged", "Email not changed"),
    (
        "Errors.User.Email.AlreadyVerified",
        "Email is already verified",
    ),
    ("Errors.User.Email.Invalid", "Email is invalid"),
    ("Errors.User.Email.Empty", "Email is empty"),
    ("Errors.User.Phone.NotFound", "Phone not found"),
    ("Errors.User.Phone.NotChanged", "Phone not changed"),
    (
        "Errors.User.Phone.AlreadyVerified",
        "Phone already verified",
    ),
    ("Errors.User.Phone.Invalid", "Phone is invalid"),
    ("Errors.User.Phone.Empty", "Phone is empty"),
    ("Errors.User.Profile.NotFound", "Profile not found"),
    ("Errors.User.Profile.NotChanged", "Profile not changed"),
    ("Errors.User.Profile.Empty", "Profile is empty"),
    (
        "Errors.User.Profile.FirstNameEmpty",
        "Given name in profile is empty",
    ),
    (
        "Errors.User.Profile.LastNameEmpty",
        "Family name in profile is empty",
    ),
    ("Errors.User.Profile.IDMissing", "Profile ID is missing"),
    ("Errors.User.Password.NotFound", "Password not found"),
    (
        "Errors.User.PasswordComplexityPolicy.MinLength",
        "Password is too short",
    ),
    (
        "Errors.User.PasswordComplexityPolicy.HasLower",
        "Password must contain lower case",
    ),
    (
        "Errors.User.PasswordComplexityPolicy.HasUpper",
        "Password must contain upper case",
    ),
    (
        "Errors.User.PasswordComplexityPolicy.HasNumber",
        "Password must contain number",
    ),
    (
        "Errors.User.PasswordComplexityPolicy.HasSymbol",
        "Password must contain symbol",
    ),
    (
        "Errors.User.MFA.OTP.NotExisting",
        "Multifactor OTP (OneTimePassword) doesn't exist",
    ),
    (
        "Errors.User.WebAuthN.NotFound",
        "WebAuthN Token could not be found",
    ),
    (
        "Errors.User.DomainNotAllowedAsUsername",
        "Domain is already reserved and cannot be used",
    ),
    ("Errors.User.Username.Empty", "Username is empty"),
    ("Errors.User.ExternalIDP.Invalid", "External IDP invalid"),
    (
        "Errors.User.ExternalIDP.AlreadyExists",
        "External IDP already taken",
    ),
    (
        "Errors.IDPConfig.NotExisting",
        "Identity Provider Configuration doesn't exist",
    ),
    ("Errors.IDMissing", "ID missing"),
    ("Errors.Internal", "An internal error occurred"),
    // Roster's own keys
    (
        "Errors.User.Password.NotSupported",
        "The password hash format is not supported or malformed",
    ),
    (
        "Errors.User.Password.TooLong",
        "Password is too long (at most 128 characters)",
    ),
    (
        "Errors.User.Password.TooCommon",
        "Password is too common; choose one that is harder to guess",
    ),
    (
        "Errors.User.Password.ContainsUserData",
        "Password must not contain the username, name or email",
    ),
    ("Errors.User.Password.Empty", "Choose a password"),
    (
        "Errors.User.Password.ConfirmationWrong",
        "The two passwords differ",
    ),
    (
        "Errors.User.Password.CurrentWrong",
        "The current password is wrong",
    ),
    (
        "Errors.User.Password.NotChanged",
        "The new password must differ from the current one",
    ),
    ("Errors.ServiceAccount.NameEmpty", "Name is empty"),
    ("Errors.Org.NameEmpty", "Organisation name is empty"),
    ("Errors.User.NotLocked", "User is not locked"),
    (
        "Errors.Message.NotRetryable",
        "Only failed messages can be sent again",
    ),
    (
        "Errors.User.Profile.DisplayNameEmpty",
        "Display name is empty",
    ),
    (
        "Errors.User.Login.Failed",
        "The username or password is wrong",
    ),
    (
        "Errors.User.Login.PasskeyFailed",
        "This passkey could not be verified; it may have been removed from the account",
    ),
    ("Errors.Code.Invalid", "The code is wrong or has expired"),
    (
        "Errors.WebAuthN.CeremonyInvalid",
        "This request expired or was already used; start again",
    ),
    (
        "Errors.WebAuthN.TooManyCeremonies",
        "Too many passkey sign-ins are in progress; try again in a few minutes",
    ),
    (
        "Errors.WebAuthN.Refused",
        "The security key or passkey could not be verified",
    ),
    (
        "Errors.WebAuthN.AlreadyRegistered",
        "This security key or passkey is already registered",
    ),
    (
        "Errors.User.MFA.OTP.AlreadyReady",
        "An authenticator app is already set up; remove it first",
    ),
    (
        "Errors.User.MFA.OTP.InvalidCode",
        "The code is wrong or was already used",
    ),
    ("Errors.User.MFA.NotOwed", "No second factor is needed now"),
    (
        "Errors.Reauth.NoPassword",
        "Your account has no password; confirm with your passkey instead",
    ),
    (
        "Errors.Reauth.NoPasskey",
        "Your account has no passkey to confirm with",
    ),
    (
        "Errors.Code.TooSoon",
        "A code was just sent; wait a minute before asking for another",
    ),
    ("Errors.Session.Required", "Please sign in"),
    (
        "Errors.Input.ControlCharacters",
        "Contains control or text-direction characters",
    ),
    ("Errors.Input.TooLong", "Is too long"),
    ("Errors.Role.Invalid", "This role needs an organisation"),
    ("Errors.Token.NotFound", "Token could not be found"),
    (
        "Errors.List.CursorInvalid",
        "This page of the list is no longer valid; start again",
    ),
    ("Errors.Avatar.Empty", "Choose an image file"),
    ("Errors.Avatar.TooLarge", "The file is larger than 5 MiB"),
    (
        "Errors.Avatar.Svg",
        "SVG and other text files are not accepted; choose a PNG, JPEG or WebP image",
    ),
    (
        "Errors.Avatar.NotAnImage",
        "This file is not a PNG, JPEG or WebP image",
    ),
    (
        "Errors.Avatar.TooManyPixels",
        "The image is larger than 4096 × 4096 pixels",
    ),
    (
        "Errors.Avatar.Polyglot",
        "The file carries other content besides the picture; save it again as a plain PNG, JPEG or WebP",
    ),
    (
        "Errors.Avatar.Unreadable",
        "The image could not be read; it may be damaged",
    ),
];

/// The English text of a message key, if it has one.
pub fn english(key: &str) -> Option<&'static str> {
    MESSAGES
        .iter()
        .find(|(known, _)| *known == key)
        .map(|(_, text)| *text)
}

/// The English text for a key, or the key itself.
pub fn text(key: &str) -> String {
    english(key).map_or_else(|| key.to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (key, _) in MESSAGES {
            assert!(seen.insert(key), "listed twice: {key}");
        }
    }

    /// The UI shows these texts in German too; the catalog lives in the app crate.
    #[test]
    fn every_message_has_a_german_text() {
        let missing: Vec<&str> = MESSAGES
            .iter()
            .map(|(_, english)| *english)
            .filter(|english| app::i18n::Lang::De.t_dynamic(english) == *english)
            .collect();
        assert!(missing.is_empty(), "no German for: {missing:#?}");
    }
}
