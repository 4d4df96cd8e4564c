//! The request validation layer ZITADEL generates with protoc-gen-validate (contract 1.4): runs
//! after authorization and before the handler, stops at the first violation in field-number
//! order, and answers with PGV's exact message texts.

/// A PGV violation message.
pub type Violation = String;

/// Collects checks of one message (`ImportHumanUserRequest`, …) in field order.
#[derive(Debug)]
pub struct Message {
    name: &'static str,
}

impl Message {
    pub fn new(name: &'static str) -> Message {
        Message { name }
    }

    fn violation(&self, field: &str, reason: &str) -> Violation {
        format!("invalid {}.{field}: {reason}", self.name)
    }

    /// `min_len`/`max_len` in runes.
    pub fn length(
        &self,
        field: &str,
        value: &str,
        min: usize,
        max: usize,
    ) -> Result<(), Violation> {
        let runes = value.chars().count();
        if runes >= min && runes <= max {
            return Ok(());
        }
        let reason = if min == 0 {
            format!("value length must be at most {max} runes")
        } else {
            format!("value length must be between {min} and {max} runes, inclusive")
        };
        Err(self.violation(field, &reason))
    }

    /// `min_len` only.
    pub fn min_length(&self, field: &str, value: &str, min: usize) -> Result<(), Violation> {
        if value.chars().count() >= min {
            Ok(())
        } else {
            Err(self.violation(field, &format!("value length must be at least {min} runes")))
        }
    }

    /// `prefix`.
    pub fn prefix(&self, field: &str, value: &str, prefix: &str) -> Result<(), Violation> {
        if value.starts_with(prefix) {
            Ok(())
        } else {
            Err(self.violation(field, &format!("value does not have prefix \"{prefix}\"")))
        }
    }

    /// `message.required`.
    pub fn required<T>(&self, field: &str, value: Option<&T>) -> Result<(), Violation> {
        match value {
            Some(_) => Ok(()),
            None => Err(self.violation(field, "value is required")),
        }
    }

    /// An embedded message's own violation, chained.
    pub fn embedded(&self, field: &str, inner: Result<(), Violation>) -> Result<(), Violation> {
        inner.map_err(|cause| {
            self.violation(
                field,
                &format!("embedded message failed validation | caused by: {cause}"),
            )
        })
    }

    /// `enum.defined_only`.
    pub fn defined_enum(&self, field: &str, defined: bool) -> Result<(), Violation> {
        if defined {
            Ok(())
        } else {
            Err(self.violation(field, "value must be one of the defined enum values"))
        }
    }

    /// `string.email`, with the cause PGV chains from Go's `net/mail` and its own checks.
    pub fn email(&self, field: &str, value: &str) -> Result<(), Violation> {
        email_problem(value).map_or(Ok(()), |cause| {
            Err(self.violation(
                field,
                &format!("value must be a valid email address | caused by: {cause}"),
            ))
        })
    }
}

/// Why PGV would refuse an email address, if it would: Go's `mail.ParseAddress` (address or
/// `Name <address>` form), then at most 254 characters, a local part of at most 64, and a
/// hostname of letters, digits and inner hyphens.
fn email_problem(value: &str) -> Option<String> {
    let trimmed = value.trim_matches(|ch: char| ch == ' ' || ch == '\t');
    if trimmed.is_empty() {
        return Some("mail: no address".to_owned());
    }
    let address = match (trimmed.find('<'), trimmed.ends_with('>')) {
        (Some(open), true) => &trimmed[open + 1..trimmed.len() - 1],
        (Some(_), false) => return Some("mail: unclosed angle-addr".to_owned()),
        (None, _) => trimmed,
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Some("mail: missing '@' or angle-addr".to_owned());
    };
    let atext = |ch: char| {
        ch.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(ch) || !ch.is_ascii()
    };
    let dot_atom = |text: &str| {
        !text.is_empty()
            && text
                .split('.')
                .all(|atom| !atom.is_empty() && atom.chars().all(atext))
    };
    let quoted = local.len() >= 2 && local.starts_with('"') && local.ends_with('"');
    if local.is_empty() || !(quoted || dot_atom(local)) {
        return Some("mail: no angle-addr".to_owned());
    }
    if domain.is_empty() || !dot_atom(domain) {
        return Some("mail: invalid domain".to_owned());
    }
    if address.len() > 254 {
        return Some("email addresses cannot exceed 254 characters".to_owned());
    }
    if local.len() > 64 {
        return Some("email address local phrase cannot exceed 64 characters".to_owned());
    }
    hostname_problem(domain)
}

fn hostname_problem(host: &str) -> Option<String> {
    let lowered = host.trim_end_matches('.').to_lowercase();
    if host.len() > 253 {
        return Some("hostname cannot exceed 253 characters".to_owned());
    }
    for part in lowered.split('.') {
        if part.is_empty() || part.len() > 63 {
            return Some(
                "hostname part must be non-empty and cannot exceed 63 characters".to_owned(),
            );
        }
        if part.starts_with('-') {
            return Some("hostname parts cannot begin with hyphens".to_owned());
        }
        if part.ends_with('-') {
            return Some("hostname parts cannot end with hyphens".to_owned());
        }
        if let Some(bad) = part
            .chars()
            .find(|ch| !(ch.is_ascii_lowercase() || ch.is_ascii_digit() || *ch == '-'))
        {
            return Some(format!(
                "hostname parts can only contain alphanumeric characters or hyphens, got \"{bad}\""
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_protoc_gen_validate() {
        let message = Message::new("ImportHumanUserRequest");
        assert_eq!(
            message.length("UserName", "", 1, 200).unwrap_err(),
            "invalid ImportHumanUserRequest.UserName: value length must be between 1 and 200 runes, inclusive"
        );
        assert_eq!(
            Message::new("ImportHumanUserRequest_Profile")
                .length("PreferredLanguage", "xxxxxxxxxxx", 0, 10)
                .unwrap_err(),
            "invalid ImportHumanUserRequest_Profile.PreferredLanguage: value length must be at most 10 runes"
        );
        assert_eq!(
            Message::new("UpdateHumanPhoneRequest")
                .prefix("Phone", "079", "+")
                .unwrap_err(),
            "invalid UpdateHumanPhoneRequest.Phone: value does not have prefix \"+\""
        );
        let inner = Message::new("ImportHumanUserRequest_Email").email("Email", "not-an-email");
        assert_eq!(
            message.embedded("Email", inner).unwrap_err(),
            "invalid ImportHumanUserRequest.Email: embedded message failed validation | caused by: \
             invalid ImportHumanUserRequest_Email.Email: value must be a valid email address | \
             caused by: mail: missing '@' or angle-addr"
        );
    }

    #[test]
    fn email_rule_follows_go_and_pgv() {
        for good in [
            "a@b",
            " Ann <ann@example.com> ",
            "jürgen@example.com",
            "x@sub-domain.example.io",
        ] {
            assert_eq!(email_problem(good), None, "{good}");
        }
        assert_eq!(email_problem("").as_deref(), Some("mail: no address"));
        assert_eq!(
            email_problem("a@b_c.com").as_deref(),
            Some("hostname parts can only contain alphanumeric characters or hyphens, got \"_\"")
        );
        assert_eq!(
            email_problem(&format!("{}@b.c", "a".repeat(65))).as_deref(),
            Some("email address local phrase cannot exceed 64 characters")
        );
        assert_eq!(
            email_problem("a@-b.com").as_deref(),
            Some("hostname parts cannot begin with hyphens")
        );
    }
}
