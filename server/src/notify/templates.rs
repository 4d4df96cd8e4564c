//! Message texts in English and German, chosen by the recipient's preferred language. Links come
//! from the configured public URL only (decision D6), never from request headers; mails are
//! plain text, and every value put into them was validated free of control characters.

/// A rendered message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// Which template made it (for the outbox and the admin views).
    pub template: &'static str,
    pub subject: String,
    pub body: String,
}

/// The languages messages are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
}

impl Lang {
    /// German for `de` and its regional variants, English for everything else.
    pub fn for_tag(tag: &str) -> Lang {
        let primary = tag.split('-').next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("de") {
            Lang::De
        } else {
            Lang::En
        }
    }
}

/// The invitation mail with the initialization link and code.
pub fn init_code(
    lang: Lang,
    display_name: &str,
    username: &str,
    link: &str,
    code: &str,
) -> Rendered {
    let (subject, body) = match lang {
        Lang::En => (
            "Activate your Roster account",
            format!(
                "Hello {display_name},\n\n\
                 an account with the username {username} was created for you.\n\
                 Open this link to activate it:\n\n{link}\n\n\
                 Or enter this code on the activation page: {code}\n\n\
                 The code is valid for 72 hours. If you did not expect this mail, ignore it.\n"
            ),
        ),
        Lang::De => (
            "Aktivieren Sie Ihr Roster-Konto",
            format!(
                "Hallo {display_name},\n\n\
                 für Sie wurde ein Konto mit dem Benutzernamen {username} angelegt.\n\
                 Öffnen Sie diesen Link, um es zu aktivieren:\n\n{link}\n\n\
                 Oder geben Sie diesen Code auf der Aktivierungsseite ein: {code}\n\n\
                 Der Code gilt 72 Stunden. Falls Sie diese Mail nicht erwartet haben, ignorieren Sie sie.\n"
            ),
        ),
    };
    rendered("init", subject, body)
}

/// The mail with a link that verifies an email address. The code travels only inside the
/// link: no page takes a typed email code.
pub fn verify_email(lang: Lang, display_name: &str, link: &str) -> Rendered {
    let (subject, body) = match lang {
        Lang::En => (
            "Confirm your email address",
            format!(
                "Hello {display_name},\n\n\
                 please confirm that this address belongs to you by opening this link:\n\n{link}\n\n\
                 The link is valid for 1 hour. If you did not ask for this, ignore this mail.\n"
            ),
        ),
        Lang::De => (
            "Bestätigen Sie Ihre E-Mail-Adresse",
            format!(
                "Hallo {display_name},\n\n\
                 bitte bestätigen Sie, dass diese Adresse Ihnen gehört, indem Sie diesen Link öffnen:\n\n{link}\n\n\
                 Der Link gilt 1 Stunde. Falls Sie das nicht angefordert haben, ignorieren Sie diese Mail.\n"
            ),
        ),
    };
    rendered("verify_email", subject, body)
}

/// The SMS with a phone verification code.
pub fn verify_phone(lang: Lang, code: &str) -> Rendered {
    let (subject, body) = match lang {
        Lang::En => (
            "Roster phone verification",
            format!("Your Roster verification code is {code}. It is valid for 1 hour."),
        ),
        Lang::De => (
            "Roster-Telefonbestätigung",
            format!("Ihr Roster-Bestätigungscode lautet {code}. Er gilt 1 Stunde."),
        ),
    };
    rendered("verify_phone", subject, body)
}

/// The password-reset mail with its link (the code travels inside it: no page takes a typed
/// reset code).
pub fn password_reset_mail(lang: Lang, display_name: &str, link: &str) -> Rendered {
    let (subject, body) = match lang {
        Lang::En => (
            "Reset your Roster password",
            format!(
                "Hello {display_name},\n\n\
                 someone asked to reset the password of your account. To choose a new password, open:\n\n{link}\n\n\
                 The link is valid for 1 hour. If it was not you, ignore this mail; your password stays as it is.\n"
            ),
        ),
        Lang::De => (
            "Setzen Sie Ihr Roster-Passwort zurück",
            format!(
                "Hallo {display_name},\n\n\
                 jemand hat verlangt, das Passwort Ihres Kontos zurückzusetzen. Um ein neues Passwort zu wählen, öffnen Sie:\n\n{link}\n\n\
                 Der Link gilt 1 Stunde. Falls Sie das nicht waren, ignorieren Sie diese Mail; Ihr Passwort bleibt unverändert.\n"
            ),
        ),
    };
    rendered("password_reset", subject, body)
}

/// The SMS with a password-reset code and the link that uses it (the reset page takes the
/// code from the link only).
pub fn password_reset_sms(lang: Lang, link: &str, code: &str) -> Rendered {
    let (subject, body) = match lang {
        Lang::En => (
            "Roster password reset",
            format!(
                "Your Roster password reset code is {code}. Choose a new password here: {link} \
                 (valid for 1 hour)"
            ),
        ),
        Lang::De => (
            "Roster-Passwort zurücksetzen",
            format!(
                "Ihr Roster-Code zum Zurücksetzen des Passworts lautet {code}. Wählen Sie hier ein \
                 neues Passwort: {link} (gilt 1 Stunde)"
            ),
        ),
    };
    rendered("password_reset", subject, body)
}

/// The notice that the password changed.
pub fn password_changed(lang: Lang, display_name: &str, sign_in: &str) -> Rendered {
    let (subject, body) = match lang {
        Lang::En => (
            "Your Roster password was changed",
            format!(
                "Hello {display_name},\n\n\
                 the password of your account was just changed. If that was you, nothing is to do.\n\
                 If it was not, reset your password at once and tell your administrator:\n\n{sign_in}\n"
            ),
        ),
        Lang::De => (
            "Ihr Roster-Passwort wurde geändert",
            format!(
                "Hallo {display_name},\n\n\
                 das Passwort Ihres Kontos wurde soeben geändert. Wenn Sie das waren, ist nichts zu tun.\n\
                 Wenn nicht, setzen Sie Ihr Passwort sofort zurück und informieren Sie Ihre Administration:\n\n{sign_in}\n"
            ),
        ),
    };
    rendered("password_changed", subject, body)
}

/// The notice to the old address that the email address is being changed.
pub fn email_change_notice(lang: Lang, display_name: &str, new_email: &str) -> Rendered {
    let (subject, body) = match lang {
        Lang::En => (
            "Your Roster email address is being changed",
            format!(
                "Hello {display_name},\n\n\
                 the email address of your account is being changed to {new_email}. The change takes\n\
                 effect once the new address is confirmed. If this was not you, tell your administrator.\n"
            ),
        ),
        Lang::De => (
            "Ihre Roster-E-Mail-Adresse wird geändert",
            format!(
                "Hallo {display_name},\n\n\
                 die E-Mail-Adresse Ihres Kontos wird auf {new_email} geändert. Die Änderung gilt, sobald\n\
                 die neue Adresse bestätigt ist. Falls Sie das nicht waren, informieren Sie Ihre Administration.\n"
            ),
        ),
    };
    rendered("email_change_notice", subject, body)
}

/// The mail with a passkey registration link.
pub fn passkey_registration(lang: Lang, display_name: &str, link: &str) -> Rendered {
    let (subject, body) = match lang {
        Lang::En => (
            "Set up a passkey for Roster",
            format!(
                "Hello {display_name},\n\n\
                 open this link on the device you want to sign in with, and register a passkey:\n\n{link}\n\n\
                 The link works once and for 1 hour.\n"
            ),
        ),
        Lang::De => (
            "Richten Sie einen Passkey für Roster ein",
            format!(
                "Hallo {display_name},\n\n\
                 öffnen Sie diesen Link auf dem Gerät, mit dem Sie sich anmelden möchten, und registrieren Sie einen Passkey:\n\n{link}\n\n\
                 Der Link gilt einmal und 1 Stunde lang.\n"
            ),
        ),
    };
    rendered("passkey_registration", subject, body)
}

/// A second factor or passkey, as the factor notices name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor {
    AuthenticatorApp,
    SecurityKey,
    Passkey,
}

impl Factor {
    fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Factor::AuthenticatorApp, Lang::En) => "an authenticator app (second factor)",
            (Factor::AuthenticatorApp, Lang::De) => "eine Authenticator-App (zweiter Faktor)",
            (Factor::SecurityKey, Lang::En) => "a security key (second factor)",
            (Factor::SecurityKey, Lang::De) => "ein Sicherheitsschlüssel (zweiter Faktor)",
            (Factor::Passkey, Lang::En) => "a passkey",
            (Factor::Passkey, Lang::De) => "ein Passkey",
        }
    }
}

/// The notice that a second factor or passkey was added to the account (security.md 1.3:
/// notify on factor add/remove).
pub fn factor_added(lang: Lang, display_name: &str, factor: Factor) -> Rendered {
    let what = factor.name(lang);
    let (subject, body) = match lang {
        Lang::En => (
            "A sign-in method was added to your Roster account",
            format!(
                "Hello {display_name},\n\n\
                 {what} was just added to your account. If that was you, nothing is to do.\n\
                 If it was not, tell your administrator at once: someone may be able to sign in as you.\n"
            ),
        ),
        Lang::De => (
            "Ihrem Roster-Konto wurde eine Anmeldemethode hinzugefügt",
            format!(
                "Hallo {display_name},\n\n\
                 Ihrem Konto wurde soeben {what} hinzugefügt. Wenn Sie das waren, ist nichts zu tun.\n\
                 Wenn nicht, informieren Sie sofort Ihre Administration: Jemand könnte sich als Sie anmelden.\n"
            ),
        ),
    };
    rendered("factor_added", subject, body)
}

/// The notice that a second factor or passkey was removed from the account; the account's
/// other sessions were ended with it.
pub fn factor_removed(lang: Lang, display_name: &str, factor: Factor) -> Rendered {
    let what = factor.name(lang);
    let (subject, body) = match lang {
        Lang::En => (
            "A sign-in method was removed from your Roster account",
            format!(
                "Hello {display_name},\n\n\
                 {what} was just removed from your account, and your account was signed out on\n\
                 other devices. If that was you, nothing is to do. If it was not, tell your\n\
                 administrator at once.\n"
            ),
        ),
        Lang::De => (
            "Von Ihrem Roster-Konto wurde eine Anmeldemethode entfernt",
            format!(
                "Hallo {display_name},\n\n\
                 von Ihrem Konto wurde soeben {what} entfernt, und Ihr Konto wurde auf anderen Geräten\n\
                 abgemeldet. Wenn Sie das waren, ist nichts zu tun. Wenn nicht, informieren Sie sofort\n\
                 Ihre Administration.\n"
            ),
        ),
    };
    rendered("factor_removed", subject, body)
}

/// The warning that a sign-in used an authenticator app code that had been used already:
/// whoever tried it knows the password and saw a recent code.
pub fn otp_replayed(lang: Lang, display_name: &str, reset: &str) -> Rendered {
    let (subject, body) = match lang {
        Lang::En => (
            "A used sign-in code was tried on your Roster account",
            format!(
                "Hello {display_name},\n\n\
                 someone who knew your password just tried to sign in with an authenticator app code\n\
                 that had already been used, and was refused. If that was not you, change your\n\
                 password at once and tell your administrator:\n\n{reset}\n"
            ),
        ),
        Lang::De => (
            "An Ihrem Roster-Konto wurde ein verbrauchter Anmeldecode versucht",
            format!(
                "Hallo {display_name},\n\n\
                 jemand, der Ihr Passwort kannte, hat soeben versucht, sich mit einem bereits verwendeten\n\
                 Code Ihrer Authenticator-App anzumelden, und wurde abgewiesen. Falls Sie das nicht waren,\n\
                 ändern Sie sofort Ihr Passwort und informieren Sie Ihre Administration:\n\n{reset}\n"
            ),
        ),
    };
    rendered("otp_replayed", subject, body)
}

fn rendered(template: &'static str, subject: &str, body: String) -> Rendered {
    Rendered {
        template,
        subject: subject.to_owned(),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_follow_the_preferred_tag() {
        assert_eq!(Lang::for_tag("de-CH"), Lang::De);
        assert_eq!(Lang::for_tag("DE"), Lang::De);
        assert_eq!(Lang::for_tag("und"), Lang::En);
        assert_eq!(Lang::for_tag("fr"), Lang::En);
    }

    #[test]
    fn mails_carry_link_and_code_in_both_languages() {
        for lang in [Lang::En, Lang::De] {
            let link = "http://localhost:3000/init?code=ABC123";
            let mail = init_code(lang, "Ann Lee", "ann", link, "ABC123");
            assert_eq!(mail.template, "init");
            assert!(mail.body.contains(link) && mail.body.contains("ABC123"));
            let link = "http://localhost:3000/reset-password?code=XYZ789";
            let reset = password_reset_mail(lang, "Ann", link);
            assert!(reset.body.contains(link));
            let sms = password_reset_sms(lang, link, "XYZ789");
            assert!(sms.body.contains(link) && sms.body.contains("XYZ789"));
            assert_eq!(sms.template, reset.template);
            // No page takes a typed email or reset code, so no mail asks for one.
            let verify = verify_email(lang, "Ann", "http://localhost:3000/verify-email?code=1");
            for mail in [&reset, &verify] {
                assert!(
                    !mail.body.contains("Or enter") && !mail.body.contains("Oder geben"),
                    "{}",
                    mail.body
                );
            }
            assert!(verify_phone(lang, "Q1W2E3").body.contains("Q1W2E3"));
        }
        assert!(
            init_code(Lang::De, "Ann", "ann", "l", "c")
                .subject
                .starts_with("Aktivieren")
        );
    }

    #[test]
    fn factor_notices_name_the_factor_in_both_languages() {
        let added = factor_added(Lang::En, "Ann", Factor::Passkey);
        assert_eq!(added.template, "factor_added");
        assert!(
            added.body.contains("a passkey was just added"),
            "{}",
            added.body
        );
        let removed = factor_removed(Lang::En, "Ann", Factor::AuthenticatorApp);
        assert_eq!(removed.template, "factor_removed");
        assert!(
            removed
                .body
                .contains("an authenticator app (second factor) was just removed")
        );
        let removed = factor_removed(Lang::De, "Ann", Factor::SecurityKey);
        assert!(removed.subject.starts_with("Von Ihrem Roster-Konto"));
        assert!(
            removed
                .body
                .contains("ein Sicherheitsschlüssel (zweiter Faktor) entfernt")
        );
        let replayed = otp_replayed(Lang::De, "Ann", "http://localhost:3000/reset-password");
        assert_eq!(replayed.template, "otp_replayed");
        assert!(replayed.body.contains("bereits verwendeten"));
        assert!(replayed.body.contains("/reset-password"));
        assert!(
            otp_replayed(Lang::En, "Ann", "l")
                .body
                .contains("already been used")
        );
        let added = factor_added(Lang::De, "Ann", Factor::AuthenticatorApp);
        assert!(
            added
                .body
                .contains("eine Authenticator-App (zweiter Faktor) hinzugefügt")
        );
    }
}
