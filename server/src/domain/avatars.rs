//! Avatars: upload (account page and admin user page), removal (those pages and contract 3.6)
//! and serving by content address (`{public_url}/assets/v1/{orgId}/{avatarKey}`).

use super::Services;
use super::authz::Access;
use super::avatar_image::{AvatarImage, AvatarRefusal, CONTENT_TYPE};
use super::error::{DomainError, Fault, faults};
use super::events::UserChange;
use super::users::{ChangeDetails, Lookup};
use crate::store::avatars::{self, AvatarBlob, NewAvatar};
use crate::store::users;
use serde_json::json;

/// The fault shown for a refused upload, on the form field `avatar`.
pub fn refusal_fault(refusal: AvatarRefusal) -> Fault {
    match refusal {
        AvatarRefusal::Empty => faults::AVATAR_EMPTY,
        AvatarRefusal::TooLarge => faults::AVATAR_TOO_LARGE,
        AvatarRefusal::Svg => faults::AVATAR_SVG,
        AvatarRefusal::NotAnImage => faults::AVATAR_NOT_AN_IMAGE,
        AvatarRefusal::TooManyPixels => faults::AVATAR_TOO_MANY_PIXELS,
        AvatarRefusal::Polyglot => faults::AVATAR_POLYGLOT,
        AvatarRefusal::Unreadable => faults::AVATAR_UNREADABLE,
    }
}

/// A stored avatar change: the write's details and the new URL.
#[derive(Clone, Debug)]
pub struct AvatarChange {
    pub details: ChangeDetails,
    pub url: String,
}

impl Services {
    /// The public URL of an avatar (decision D6: always from the configured public URL).
    pub fn avatar_url(&self, org_id: &str, key: &str) -> String {
        self.link(&format!("/assets/v1/{org_id}/{key}"), &[])
    }

    /// Checks, re-encodes and stores a new avatar for a human in the access scope (the caller
    /// themselves, or an admin with `user.write`). A refused file changes nothing.
    #[tracing::instrument(skip_all, fields(user_id, bytes = upload.len()))]
    pub async fn set_avatar(
        &self,
        access: &Access,
        user_id: &str,
        upload: Vec<u8>,
    ) -> Result<AvatarChange, DomainError> {
        tracing::Span::current().record("user_id", user_id);
        if !access.covers(user_id) {
            return Err(DomainError::NotFound(faults::AVATAR_USER_NOT_FOUND));
        }
        let image = tokio::task::spawn_blocking(move || AvatarImage::from_upload(&upload))
            .await
            .map_err(DomainError::internal)?
            .map_err(|refusal| {
                tracing::info!(%refusal, "avatar refused");
                DomainError::Invalid(refusal_fault(refusal))
            })?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = Lookup::of(users::get_for_update(tx.exec(), user_id).await?, access).human_or(
            DomainError::NotFound(faults::AVATAR_USER_NOT_FOUND),
            DomainError::NotFound(faults::AVATAR_USER_NOT_FOUND),
        )?;
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        change.push(
            "user.human.avatar.added",
            json!({ "storeKey": image.key() }),
        );
        let stamp = change.write(&mut tx).await?;
        avatars::put(
            tx.exec(),
            &NewAvatar {
                user_id: &row.id,
                key: image.key(),
                content_type: CONTENT_TYPE,
                bytes: image.bytes(),
                created_at: now,
            },
            stamp,
        )
        .await?;
        tx.commit().await?;
        Ok(AvatarChange {
            url: self.avatar_url(&row.org_id, image.key()),
            details: ChangeDetails {
                sequence: stamp.sequence,
                changed_at: now,
                org_id: row.org_id,
            },
        })
    }

    /// Removes a human's avatar (contract 3.6): succeeds, and writes its event, even when
    /// there is none.
    pub async fn remove_avatar(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<ChangeDetails, DomainError> {
        if user_id.is_empty() {
            return Err(DomainError::Invalid(faults::AVATAR_ID_MISSING));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = Lookup::of(users::get_for_update(tx.exec(), user_id).await?, access).human_or(
            DomainError::NotFound(faults::AVATAR_USER_NOT_FOUND),
            DomainError::NotFound(faults::AVATAR_USER_NOT_FOUND),
        )?;
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        change.push("user.human.avatar.removed", json!({}));
        let stamp = change.write(&mut tx).await?;
        avatars::remove(tx.exec(), &row.id, stamp).await?;
        tx.commit().await?;
        Ok(ChangeDetails {
            sequence: stamp.sequence,
            changed_at: now,
            org_id: row.org_id,
        })
    }

    /// The avatar a user of `org_id` shows under `key`; anyone may fetch it (as in ZITADEL,
    /// so other applications can show it), and the key is a hash nobody can guess.
    pub async fn avatar_blob(
        &self,
        org_id: &str,
        key: &str,
    ) -> Result<Option<AvatarBlob>, DomainError> {
        let well_formed = key.len() == 68
            && key.ends_with(".jpg")
            && key[..64]
                .bytes()
                .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
        if !well_formed || org_id.is_empty() || org_id.len() > 200 {
            return Ok(None);
        }
        let mut conn = self.db().conn().await?;
        Ok(avatars::find(conn.exec(), org_id, key).await?)
    }
}
