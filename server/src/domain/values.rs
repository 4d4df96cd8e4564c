//! Validated values. Both doors (SPA and REST) parse input through these, so they cannot
//! disagree about what is valid.

use super::error::{DomainError, Fault, faults};
use app::model::Gender;

/// Characters Roster refuses in names and other header-bound text: C0/C1 controls, line and
/// paragraph separators, and the bidi embedding/override/isolate controls (text spoofing).
pub fn is_forbidden_char(ch: char) -> bool {
    ch.is_control()
        || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks free text: no forbidden characters, at most `max` characters (Unicode scalar values,
/// as the contract counts runes).
pub fn check_text(value: &str, field: &'static str, max: usize) -> Result<(), DomainError> {
    if value.chars().any(is_forbidden_char) {
        return Err(DomainError::Invalid(faults::CONTROL_CHARACTERS.on(field)));
    }
    if value.chars().count() > max {
        return Err(DomainError::Invalid(faults::TOO_LONG.on(field)));
    }
    Ok(())
}

fn required_text(
    value: &str,
    field: &'static str,
    max: usize,
    empty: Fault,
) -> Result<(), DomainError> {
    if value.is_empty() {
        return Err(DomainError::Invalid(empty));
    }
    check_text(value, field, max)
}

/// A username: trimmed, 1..200 characters, unique case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, DomainError> {
        let trimmed = raw.trim();
        required_text(trimmed, "username", 200, faults::USERNAME_EMPTY)?;
        Ok(Username(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive key the uniqueness constraint uses.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A first or last name: 1..200 characters, stored as given (not trimmed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn first(raw: &str) -> Result<PersonName, DomainError> {
        required_text(raw, "first_name", 200, faults::FIRST_NAME_EMPTY)?;
        Ok(PersonName(raw.to_owned()))
    }

    pub fn last(raw: &str) -> Result<PersonName, DomainError> {
        required_text(raw, "last_name", 200, faults::LAST_NAME_EMPTY)?;
        Ok(PersonName(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: 1..200 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, DomainError> {
        required_text(raw, "display_name", 200, faults::DISPLAY_NAME_EMPTY)?;
        Ok(DisplayName(raw.to_owned()))
    }

    /// Import's default (contract 4.8): "first last" when both are non-blank, else the
    /// email, else the username.
    pub fn default_for(
        first: &PersonName,
        last: &PersonName,
        email: &EmailAddress,
        username: &Username,
    ) -> DisplayName {
        let (first, last) = (first.as_str(), last.as_str());
        if !first.trim().is_empty() && !last.trim().is_empty() {
            DisplayName(format!("{first} {last}"))
        } else if !email.as_str().is_empty() {
            DisplayName(email.as_str().to_owned())
        } else {
            DisplayName(username.as_str().to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A nickname: up to 200 characters, may be empty.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NickName(String);

impl NickName {
    pub fn parse(raw: &str) -> Result<NickName, DomainError> {
        check_text(raw, "nick_name", 200)?;
        Ok(NickName(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A preferred language: a canonical BCP 47 tag, or `und` for anything that does not parse
/// (contract 4.8: never an error beyond the 10-character limit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageTag(String);

impl LanguageTag {
    pub const UNDEFINED: &'static str = "und";

    pub fn parse(raw: &str) -> Result<LanguageTag, DomainError> {
        if raw.chars().count() > 10 {
            return Err(DomainError::Invalid(
                faults::TOO_LONG.on("preferred_language"),
            ));
        }
        Ok(LanguageTag::canonical(raw))
    }

    /// The canonical form of a tag, `und` when it does not parse.
    pub fn canonical(raw: &str) -> LanguageTag {
        match icu_locale_core::Locale::normalize(raw) {
            Ok(tag) if !raw.is_empty() => LanguageTag(tag.into_owned()),
            _ => LanguageTag(Self::UNDEFINED.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address that passes ZITADEL's own check (contract 4.9) and the length limits of the
/// REST layer's PGV email rule (at most 254 characters, a local part of at most 64, host labels
/// of 1..63), so the browser doors, which have no PGV layer, refuse what REST refuses. Case is
/// kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

/// The longest local part (RFC 5321 4.5.3.1.1), as PGV enforces it.
const MAX_EMAIL_LOCAL_PART: usize = 64;

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<EmailAddress, DomainError> {
        if raw.is_empty() {
            return Err(DomainError::Invalid(faults::EMAIL_EMPTY));
        }
        if raw.chars().count() > 254 {
            return Err(DomainError::Invalid(faults::TOO_LONG.on("email")));
        }
        if !Self::matches_zitadel_pattern(raw) {
            return Err(DomainError::Invalid(faults::EMAIL_INVALID));
        }
        // ZITADEL's pattern has no limit here; PGV does, and answers first over REST.
        let local = raw.split_once('@').map_or(raw, |(local, _)| local);
        if local.len() > MAX_EMAIL_LOCAL_PART {
            return Err(DomainError::Invalid(faults::EMAIL_INVALID));
        }
        Ok(EmailAddress(raw.to_owned()))
    }

    /// Local part of ASCII letters, digits and ``.!#$%&'*+/=?^_`{|}~-``, then `@`, then one or
    /// more dot-separated labels of letters, digits and inner hyphens, each 1..63 long.
    fn matches_zitadel_pattern(value: &str) -> bool {
        let Some((local, domain)) = value.split_once('@') else {
            return false;
        };
        let local_ok = !local.is_empty()
            && local.bytes().all(|byte| {
                byte.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&byte)
            });
        let domain_ok = !domain.is_empty()
            && domain.split('.').all(|label| {
                let bytes = label.as_bytes();
                (1..=63).contains(&bytes.len())
                    && bytes
                        .iter()
                        .all(|byte| byte.is_ascii_alphanumeric() || *byte == b'-')
                    && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
                    && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
            });
        local_ok && domain_ok
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased form used to find a user by email.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

/// A phone number in E.164 form (contract 4.10: parsed with default region CH).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<PhoneNumber, DomainError> {
        if raw.is_empty() {
            return Err(DomainError::Invalid(faults::PHONE_EMPTY));
        }
        if raw.chars().count() > 50 {
            return Err(DomainError::Invalid(faults::TOO_LONG.on("phone")));
        }
        if !raw.starts_with('+') || raw.chars().any(is_forbidden_char) {
            return Err(DomainError::Invalid(faults::PHONE_INVALID));
        }
        let parsed = phonenumber::parse(Some(phonenumber::country::Id::CH), raw)
            .map_err(|_| DomainError::Invalid(faults::PHONE_INVALID))?;
        Ok(PhoneNumber(
            parsed.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A complete, validated profile (the six values of contract 3.22).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub nick_name: NickName,
    pub display_name: DisplayName,
    pub preferred_language: LanguageTag,
    pub gender: Gender,
}

impl Profile {
    /// Parses a full replacement profile (display name required).
    pub fn parse(form: &app::model::ProfileForm) -> Result<Profile, DomainError> {
        Ok(Profile {
            first_name: PersonName::first(&form.first_name)?,
            last_name: PersonName::last(&form.last_name)?,
            nick_name: NickName::parse(&form.nick_name)?,
            display_name: DisplayName::parse(&form.display_name)?,
            preferred_language: LanguageTag::parse(&form.preferred_language)?,
            gender: form.gender,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_and_keyed_case_insensitively() {
        let username = Username::parse("  Ivana.Smith ").unwrap();
        assert_eq!(username.as_str(), "Ivana.Smith");
        assert_eq!(username.key(), "ivana.smith");
        assert!(matches!(
            Username::parse("   "),
            Err(DomainError::Invalid(fault)) if fault.id == "COMMAND-00p2b"
        ));
        assert!(matches!(
            Username::parse(&"u".repeat(201)),
            Err(DomainError::Invalid(fault)) if fault.key == "Errors.Input.TooLong"
        ));
        assert!(
            Username::parse(&"ü".repeat(200)).is_ok(),
            "runes, not bytes"
        );
    }

    #[test]
    fn control_and_bidi_characters_are_refused_in_names() {
        for bad in ["Ann\u{0007}a", "Ann\na", "evil\u{202E}txt", "x\u{2066}y"] {
            assert!(
                matches!(PersonName::first(bad), Err(DomainError::Invalid(fault)) if fault.id == "ROSTER-ctrl1"),
                "{bad:?}"
            );
        }
        assert!(PersonName::first("翔太 👩‍💻").is_ok());
        assert!(PersonName::last("O'Neill").is_ok());
    }

    #[test]
    fn email_follows_zitadels_pattern() {
        for good in [
            "a@b",
            "kim+news.4@example.org",
            "ivana.smith@CORP.Example.co.uk",
            "x@sub-domain.example.io",
        ] {
            assert!(EmailAddress::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "not-an-email",
            "jürgen@example.com",
            "a@-b.com",
            "a@b-.com",
            "a@b..com",
            "@b.com",
            "a@",
            "a b@c.d",
        ] {
            assert!(
                matches!(EmailAddress::parse(bad), Err(DomainError::Invalid(fault)) if fault.id == "EMAIL-599BI"),
                "{bad}"
            );
        }
        assert!(matches!(
            EmailAddress::parse(""),
            Err(DomainError::Invalid(fault)) if fault.id == "EMAIL-spblu"
        ));
    }

    #[test]
    fn email_lengths_match_the_rest_layer() {
        let id = |value: &str| match EmailAddress::parse(value) {
            Ok(_) => "ok",
            Err(DomainError::Invalid(fault)) => fault.id,
            Err(other) => panic!("{other:?}"),
        };
        let label = |length: usize| "h".repeat(length);
        assert_eq!(id(&format!("{}@example.com", "a".repeat(64))), "ok");
        assert_eq!(
            id(&format!("{}@example.com", "a".repeat(65))),
            "EMAIL-599BI"
        );
        assert_eq!(id(&format!("a@{}.com", label(63))), "ok");
        assert_eq!(id(&format!("a@{}.com", label(64))), "EMAIL-599BI");
        // 254 in all: 64 + '@' + three labels of 61 and one of 3, dots between.
        let longest = format!(
            "{}@{}.{}.{}.com",
            "a".repeat(64),
            label(61),
            label(61),
            label(61)
        );
        assert_eq!(longest.len(), 254);
        assert_eq!(id(&longest), "ok");
        assert_eq!(id(&format!("{longest}h")), "ROSTER-long1");
    }

    #[test]
    fn phones_become_e164() {
        for (raw, expected) in [
            ("+41 71 000 00 00", "+41710000000"),
            ("+49 30 1234567", "+49301234567"),
            ("+1 (415) 555-0100", "+14155550100"),
            ("+1-202-555-0173", "+12025550173"),
            ("+81 3-1234-5678", "+81312345678"),
        ] {
            assert_eq!(PhoneNumber::parse(raw).unwrap().as_str(), expected, "{raw}");
        }
        for bad in ["+41 abc", "079 000 00 00", "+"] {
            assert!(
                matches!(PhoneNumber::parse(bad), Err(DomainError::Invalid(fault)) if fault.id == "PHONE-so0wa"),
                "{bad}"
            );
        }
    }

    #[test]
    fn languages_are_canonical_or_und() {
        for (raw, expected) in [
            ("EN", "en"),
            ("de-ch", "de-CH"),
            ("zh-hant-tw", "zh-Hant-TW"),
            ("pt-BR", "pt-BR"),
            ("not valid", "und"),
            ("", "und"),
            ("und", "und"),
        ] {
            assert_eq!(LanguageTag::parse(raw).unwrap().as_str(), expected, "{raw}");
        }
        assert!(LanguageTag::parse("xxxxxxxxxxx").is_err());
    }
}
