//! A software WebAuthn authenticator: a P-256 key that answers registration and
//! authentication challenges the way a browser and a security key together would (packed
//! "none" attestation, ES256 signatures), so the server's real verification runs in tests.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value as Cbor;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED_DATA: u8 = 0x40;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .expect("base64url from the server")
}

/// One credential held by the authenticator.
pub struct SoftCredential {
    pub id: Vec<u8>,
    key: SigningKey,
    counter: u32,
    rp_id: String,
    /// The user handle a discoverable credential returns.
    user_handle: Vec<u8>,
    /// Whether this authenticator verifies the user (PIN, biometrics).
    verifies_user: bool,
}

impl SoftCredential {
    /// Answers a registration's `options` (a `CreationChallengeResponse` as JSON) from
    /// `origin`, returning the credential and the `RegisterPublicKeyCredential` JSON.
    pub fn register(options: &Value, origin: &str, verifies_user: bool) -> (SoftCredential, Value) {
        let mut id = vec![0_u8; 32];
        rand::fill(&mut id[..]);
        let mut secret = [0_u8; 32];
        rand::fill(&mut secret[..]);
        let key = SigningKey::from_slice(&secret).expect("a P-256 scalar");
        let credential = SoftCredential {
            id,
            key,
            counter: 0,
            rp_id: String::new(),
            user_handle: Vec::new(),
            verifies_user,
        };
        credential.register_again(options, origin)
    }

    /// Answers another registration with this same credential (id and key), as an
    /// authenticator that ignores `excludeCredentials` would.
    pub fn register_again(&self, options: &Value, origin: &str) -> (SoftCredential, Value) {
        let public_key = &options["publicKey"];
        let credential = SoftCredential {
            id: self.id.clone(),
            key: self.key.clone(),
            counter: self.counter,
            rp_id: public_key["rp"]["id"].as_str().expect("rp id").to_owned(),
            user_handle: unb64(public_key["user"]["id"].as_str().expect("user id")),
            verifies_user: self.verifies_user,
        };
        let challenge = public_key["challenge"].as_str().expect("challenge");
        let client_data = json!({
            "type": "webauthn.create",
            "challenge": challenge,
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        let point = credential.key.verifying_key().to_encoded_point(false);
        let cose_key = Cbor::Map(vec![
            (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
            (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
            (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
            (
                Cbor::Integer((-2).into()),
                Cbor::Bytes(point.x().expect("x").to_vec()),
            ),
            (
                Cbor::Integer((-3).into()),
                Cbor::Bytes(point.y().expect("y").to_vec()),
            ),
        ]);
        let mut cose_bytes = Vec::new();
        ciborium::into_writer(&cose_key, &mut cose_bytes).expect("COSE key");
        let mut auth_data = credential.auth_data_head(ATTESTED_DATA);
        auth_data.extend_from_slice(&[0_u8; 16]); // AAGUID: none
        auth_data.extend_from_slice(&(credential.id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&credential.id);
        auth_data.extend_from_slice(&cose_bytes);
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]);
        let mut attestation_bytes = Vec::new();
        ciborium::into_writer(&attestation, &mut attestation_bytes).expect("attestation");
        let response = json!({
            "id": b64(&credential.id),
            "rawId": b64(&credential.id),
            "type": "public-key",
            "extensions": {},
            "response": {
                "attestationObject": b64(&attestation_bytes),
                "clientDataJSON": b64(client_data.as_bytes()),
            },
        });
        (credential, response)
    }

    /// A copy of this credential (same id, key and counter): a cloned authenticator.
    pub fn clone_authenticator(&self) -> SoftCredential {
        SoftCredential {
            id: self.id.clone(),
            key: self.key.clone(),
            counter: self.counter,
            rp_id: self.rp_id.clone(),
            user_handle: self.user_handle.clone(),
            verifies_user: self.verifies_user,
        }
    }

    /// The signature counter of the last answer.
    pub fn counter(&self) -> u32 {
        self.counter
    }

    /// Makes later answers claim (or stop claiming) user verification, as an authenticator
    /// whose PIN or biometrics were skipped would.
    pub fn set_user_verification(&mut self, verifies_user: bool) {
        self.verifies_user = verifies_user;
    }

    /// rpIdHash, flags and the next signature counter.
    fn auth_data_head(&self, extra_flags: u8) -> Vec<u8> {
        let mut flags = USER_PRESENT | extra_flags;
        if self.verifies_user {
            flags |= USER_VERIFIED;
        }
        let mut data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    /// Answers an authentication's `options` (a `RequestChallengeResponse` as JSON) from
    /// `origin`, returning the `PublicKeyCredential` JSON. Each answer counts up.
    pub fn assert(&mut self, options: &Value, origin: &str) -> Value {
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .expect("challenge");
        self.counter += 1;
        let client_data = json!({
            "type": "webauthn.get",
            "challenge": challenge,
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        let auth_data = self.auth_data_head(0);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.id),
            "rawId": b64(&self.id),
            "type": "public-key",
            "extensions": {},
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(client_data.as_bytes()),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
        })
    }
}
