//! Secrets kept in the database encrypted with a key derived from the server key (TOTP seeds).

use chacha20poly1305::aead::{Aead, KeyInit as _};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, KeyInit as _, Mac as _};
use rand::RngCore as _;
use sha2::Sha256;
use std::fmt;

use super::error::DomainError;
use base64::Engine as _;

/// Encrypts and decrypts small secrets (ChaCha20-Poly1305, a fresh nonce per secret).
#[derive(Clone)]
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBox(…)")
    }
}

impl SecretBox {
    /// Derives the encryption key from the server key, for this one purpose.
    pub fn new(server_key: &[u8; 32]) -> SecretBox {
        let mut derived = [0_u8; 32];
        if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(server_key) {
            mac.update(b"roster secret box v1");
            derived.copy_from_slice(&mac.finalize().into_bytes());
        }
        SecretBox {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&derived)),
        }
    }

    /// `base64(nonce || ciphertext)`.
    pub fn seal(&self, plain: &[u8]) -> Result<String, DomainError> {
        let mut nonce = [0_u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .map_err(|_| DomainError::internal("sealing a secret failed"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, DomainError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| DomainError::internal("a sealed secret is not base64"))?;
        if bytes.len() < 12 {
            return Err(DomainError::internal("a sealed secret is too short"));
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| DomainError::internal("a sealed secret does not open with this key"))
    }
}

#[cfg(test)]
mod tests {
    use super::SecretBox;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key() {
        let sealed = SecretBox::new(&[1; 32]).seal(b"JBSWY3DPEHPK3PXP").unwrap();
        assert!(!sealed.contains("JBSWY3DP"));
        assert_eq!(
            SecretBox::new(&[1; 32]).open(&sealed).unwrap(),
            b"JBSWY3DPEHPK3PXP"
        );
        assert!(SecretBox::new(&[2; 32]).open(&sealed).is_err());
        assert_ne!(
            sealed,
            SecretBox::new(&[1; 32]).seal(b"JBSWY3DPEHPK3PXP").unwrap(),
            "fresh nonce"
        );
    }
}
