//! JSON in and out as grpc-gateway does it: proto and lowerCamel names accepted, unknown fields
//! ignored, an empty body allowed; output in lowerCamel without default values, 64-bit numbers
//! as strings.

use super::error::ApiError;
use crate::domain::clock::rfc3339;
use app::model::Gender;
use axum::body::Bytes;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::{Map, Value, json};

/// Parses a request body; an empty body is the default message.
pub fn parse_body<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|error| {
        let text = error.to_string();
        let reason = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(reason, _)| reason);
        ApiError::invalid(format!(
            "proto: (line {}:{}): {reason}",
            error.line(),
            error.column()
        ))
    })
}

/// A gender given as its name or its number. Unknown names are a parse error (as protojson);
/// numbers are checked against the defined values by the validation layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum GenderInput {
    #[default]
    Missing,
    Known(Gender),
    Undefined(i64),
}

impl<'de> Deserialize<'de> for GenderInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Null => Ok(GenderInput::Missing),
            Value::String(name) => Gender::from_proto_name(&name)
                .map(GenderInput::Known)
                .ok_or_else(|| {
                    D::Error::custom(format!("invalid value for enum type: \"{name}\""))
                }),
            Value::Number(number) => {
                let value = number.as_i64().ok_or_else(|| {
                    D::Error::custom(format!("invalid value for enum type: {number}"))
                })?;
                Ok(Gender::from_number(value)
                    .map_or(GenderInput::Undefined(value), GenderInput::Known))
            }
            other => Err(D::Error::custom(format!(
                "invalid value for enum type: {other}"
            ))),
        }
    }
}

impl GenderInput {
    pub fn is_defined(self) -> bool {
        !matches!(self, GenderInput::Undefined(_))
    }

    pub fn gender(self) -> Gender {
        match self {
            GenderInput::Known(gender) => gender,
            GenderInput::Missing | GenderInput::Undefined(_) => Gender::Unspecified,
        }
    }
}

/// `details` of an "add" write.
pub fn details_add(sequence: i64, at: i64, org_id: &str) -> Value {
    json!({
        "sequence": sequence.to_string(),
        "creationDate": rfc3339(at),
        "resourceOwner": org_id,
    })
}

/// `details` of a "change" write.
pub fn details_change(sequence: i64, at: i64, org_id: &str) -> Value {
    json!({
        "sequence": sequence.to_string(),
        "changeDate": rfc3339(at),
        "resourceOwner": org_id,
    })
}

/// `details` of a read: the user row's sequence, creation and last change.
pub fn details_view(sequence: i64, created_at: i64, changed_at: i64, org_id: &str) -> Value {
    json!({
        "sequence": sequence.to_string(),
        "creationDate": rfc3339(created_at),
        "changeDate": rfc3339(changed_at),
        "resourceOwner": org_id,
    })
}

/// An object builder that leaves out default values, as protojson does without
/// `EmitUnpopulated`.
#[derive(Debug, Default)]
pub struct Object(Map<String, Value>);

impl Object {
    pub fn new() -> Object {
        Object::default()
    }

    /// Adds a string unless it is empty.
    pub fn text(mut self, name: &str, value: &str) -> Object {
        if !value.is_empty() {
            self.0
                .insert(name.to_owned(), Value::String(value.to_owned()));
        }
        self
    }

    /// Adds `true` (false is the default and is left out).
    pub fn flag(mut self, name: &str, value: bool) -> Object {
        if value {
            self.0.insert(name.to_owned(), Value::Bool(true));
        }
        self
    }

    /// Adds an enum by name unless it is the zero value.
    pub fn enumeration(mut self, name: &str, value: &str, is_zero: bool) -> Object {
        if !is_zero {
            self.0
                .insert(name.to_owned(), Value::String(value.to_owned()));
        }
        self
    }

    /// Adds a message-typed field: always printed when set, even if empty.
    pub fn message(mut self, name: &str, value: Value) -> Object {
        self.0.insert(name.to_owned(), value);
        self
    }

    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Probe {
        #[serde(rename = "userName", alias = "user_name")]
        user_name: Option<String>,
        gender: GenderInput,
    }

    #[test]
    fn both_name_styles_and_empty_bodies_parse() {
        let camel: Probe =
            parse_body(&Bytes::from_static(br#"{"userName":"a","extra":1}"#)).unwrap();
        assert_eq!(camel.user_name.as_deref(), Some("a"));
        let snake: Probe =
            parse_body(&Bytes::from_static(br#"{"user_name":"b","gender":2}"#)).unwrap();
        assert_eq!(snake.user_name.as_deref(), Some("b"));
        assert_eq!(snake.gender, GenderInput::Known(Gender::Male));
        let empty: Probe = parse_body(&Bytes::new()).unwrap();
        assert_eq!(empty.user_name, None);
    }

    #[test]
    fn wrong_types_and_unknown_enum_names_are_invalid_arguments() {
        let wrong = parse_body::<Probe>(&Bytes::from_static(br#"{"userName":5}"#)).unwrap_err();
        assert!(format!("{wrong:?}").contains("proto: (line 1:"));
        assert!(parse_body::<Probe>(&Bytes::from_static(br#"{"gender":"GENDER_ROBOT"}"#)).is_err());
        let undefined: Probe = parse_body(&Bytes::from_static(br#"{"gender":9}"#)).unwrap();
        assert!(!undefined.gender.is_defined());
    }

    #[test]
    fn objects_leave_out_defaults() {
        let value = Object::new()
            .text("a", "")
            .text("b", "x")
            .flag("c", false)
            .flag("d", true)
            .enumeration("e", "GENDER_UNSPECIFIED", true)
            .message("f", json!({}))
            .build();
        assert_eq!(value, json!({"b": "x", "d": true, "f": {}}));
    }
}
