//! Message texts. Links come from the configured public URL only (decision D6), never from
//! request headers; values are plain text (mails are sent as text/plain).

/// A rendered message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// Which template made it (for the outbox and the admin views).
    pub template: &'static str,
    pub subject: String,
    pub body: String,
}

/// The invitation mail with the initialization link and code.
pub fn init_code(display_name: &str, username: &str, link: &str, code: &str) -> Rendered {
    Rendered {
        template: "init",
        subject: "Activate your Roster account".to_owned(),
        body: format!(
            "Hello {display_name},\n\n\
             an account with the username {username} was created for you.\n\
             Open this link to activate it:\n\n{link}\n\n\
             Or enter this code on the activation page: {code}\n\n\
             The code is valid for 72 hours. If you did not expect this mail, ignore it.\n"
        ),
    }
}

/// The SMS with a phone verification code.
pub fn verify_phone(code: &str) -> Rendered {
    Rendered {
        template: "verify_phone",
        subject: "Roster phone verification".to_owned(),
        body: format!("Your Roster verification code is {code}. It is valid for 1 hour."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_mail_carries_link_and_code() {
        let mail = init_code(
            "Ann Lee",
            "ann",
            "http://localhost:3000/init?code=ABC123",
            "ABC123",
        );
        assert_eq!(mail.template, "init");
        assert!(mail.body.contains("http://localhost:3000/init?code=ABC123"));
        assert!(mail.body.contains("ABC123"));
        assert!(mail.body.starts_with("Hello Ann Lee,"));
    }
}
