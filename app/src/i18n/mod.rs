//! The UI's languages: English (the source text) and German.
//!
//! Texts are written in English where they are used and translated by [`Lang::t`], gettext
//! style: the English text is the key, so a page reads naturally and a missing translation
//! falls back to English instead of showing a key. The server picks the language for each
//! request (the person's explicit choice, then their preferred language, then the browser's
//! `Accept-Language`) and writes it into `<html lang>`, where the browser half reads it, so
//! both halves render the same words. A test checks that every text handed to `t` has its
//! German translation.

mod de;

use serde::{Deserialize, Serialize};

/// A language the UI speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The BCP 47 tag, as in `<html lang>` and the language cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    /// The UI language for a BCP 47 tag (`de-CH` → German); `None` for any other language.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// The best UI language in an `Accept-Language` header, by quality; `None` when it names
    /// none of ours.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut best: Option<(u16, Lang)> = None;
        for entry in accept_language.split(',') {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let quality = parts
                .filter_map(|param| param.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            // Thousandths, so equal weights keep the header's order.
            let weight = (quality.clamp(0.0, 1.0) * 1000.0) as u16;
            if weight > 0 && best.is_none_or(|(top, _)| weight > top) {
                best = Some((weight, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The text in this language; `english` is the source text and the key.
    pub fn t(self, english: &'static str) -> &'static str {
        match self {
            Lang::En => english,
            Lang::De => de::german(english).unwrap_or(english),
        }
    }

    /// Like [`Lang::t`] for texts that arrive at run time (server messages): translated when
    /// the catalog knows them, unchanged otherwise.
    pub fn t_dynamic(self, english: &str) -> String {
        match self {
            Lang::En => english.to_owned(),
            Lang::De => de::german(english).map_or_else(|| english.to_owned(), str::to_owned),
        }
    }

    /// [`Lang::t`] with `{name}` placeholders filled in.
    pub fn f(self, english: &'static str, values: &[(&str, &str)]) -> String {
        let mut text = self.t(english).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

/// The cookie that holds an explicit language choice.
pub const LANG_COOKIE: &str = "roster_lang";

/// The language of the page being rendered (from the Leptos context; English outside one).
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_default()
}

/// Every text the catalog translates, for the completeness test.
#[cfg(test)]
pub(crate) fn catalog_keys() -> Vec<&'static str> {
    de::entries().map(|(english, _)| english).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_ui_languages() {
        assert_eq!(Lang::from_tag("de-CH"), Some(Lang::De));
        assert_eq!(Lang::from_tag("DE"), Some(Lang::De));
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::from_tag("und"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn accept_language_is_negotiated_by_quality() {
        assert_eq!(Lang::negotiate("de-DE,de;q=0.9,en;q=0.8"), Some(Lang::De));
        assert_eq!(
            Lang::negotiate("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7"),
            Some(Lang::En)
        );
        assert_eq!(Lang::negotiate("en;q=0.5, de;q=0.6"), Some(Lang::De));
        assert_eq!(Lang::negotiate("de;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(Lang::negotiate("fr, it"), None);
        assert_eq!(Lang::negotiate(""), None);
        assert_eq!(Lang::negotiate("*"), None);
    }

    #[test]
    fn german_falls_back_to_english_for_unknown_texts() {
        assert_eq!(Lang::De.t("Sign in"), "Anmelden");
        assert_eq!(Lang::En.t("Sign in"), "Sign in");
        assert_eq!(Lang::De.t_dynamic("no such text here"), "no such text here");
        assert_eq!(
            Lang::De.f(
                "Showing {first}–{last} of {total}",
                &[("first", "1"), ("last", "50"), ("total", "70")]
            ),
            "1–50 von 70"
        );
    }

    #[test]
    fn catalog_has_no_duplicates_or_empty_translations() {
        let mut seen = std::collections::HashSet::new();
        for (english, german) in de::entries() {
            assert!(seen.insert(english), "listed twice: {english}");
            assert!(!german.trim().is_empty(), "no German for: {english}");
            let placeholders = |text: &str| {
                let mut names: Vec<String> = text
                    .split('{')
                    .skip(1)
                    .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                    .collect();
                names.sort();
                names
            };
            assert_eq!(
                placeholders(english),
                placeholders(german),
                "placeholders differ: {english}"
            );
        }
    }

    /// The labels the model's enums give people (shown through `lang.t(x.label())`).
    #[test]
    fn every_enum_label_is_translated() {
        use crate::model::{CredentialKind, Gender, Role, UserState};
        let states = [
            UserState::Unspecified,
            UserState::Active,
            UserState::Inactive,
            UserState::Deleted,
            UserState::Locked,
            UserState::Suspend,
            UserState::Initial,
        ];
        let labels = states
            .into_iter()
            .map(UserState::label)
            .chain(Gender::ALL.into_iter().map(Gender::label))
            .chain(Role::ALL.into_iter().map(Role::label))
            .chain(
                [CredentialKind::SecurityKey, CredentialKind::Passkey].map(CredentialKind::label),
            );
        for label in labels {
            assert_ne!(Lang::De.t(label), label, "no German for: {label}");
        }
    }

    /// Every literal handed to `.t(`, `.f(` or `tr!(` in the UI sources has a German text.
    #[test]
    fn every_ui_text_is_translated() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut files = vec![root];
        let known: std::collections::HashSet<&str> = catalog_keys().into_iter().collect();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    files.push(entry.unwrap().path());
                }
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs")
                || path.components().any(|part| part.as_os_str() == "de")
            {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for literal in translated_literals(&source) {
                if !known.contains(literal.as_str()) {
                    missing.push(format!("{}: {literal}", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "texts without German:\n{}",
            missing.join("\n")
        );
    }

    /// String literals handed to `.t(` or `.f(` (a plain "…" literal, maybe on the next line as
    /// rustfmt wraps long calls; escapes kept as the compiler would read them for the few that
    /// occur: \" and \\).
    fn translated_literals(source: &str) -> Vec<String> {
        let mut found = Vec::new();
        // Spelt in pieces so this test's own source does not match.
        for marker in [concat!(".", "t("), concat!(".", "f(")] {
            let mut rest = source;
            while let Some(at) = rest.find(marker) {
                rest = &rest[at + marker.len()..];
                let Some(quoted) = rest.trim_start().strip_prefix('"') else {
                    continue;
                };
                let mut literal = String::new();
                let mut chars = quoted.chars();
                while let Some(char) = chars.next() {
                    match char {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some('n') => literal.push('\n'),
                            Some(other) => literal.push(other),
                            None => break,
                        },
                        other => literal.push(other),
                    }
                }
                found.push(literal);
            }
        }
        found
    }
}
