//! Turns an uploaded file into a safe avatar: PNG, JPEG or WebP in, checked before the whole
//! image is decoded (size, pixel limits, trailing or embedded foreign content), then decoded,
//! turned upright, cropped to a square, resized and re-encoded as a fresh JPEG, so no metadata
//! (EXIF, GPS, comments) and nothing but pixels survives (security.md 1.13).

use sha2::{Digest as _, Sha256};
use std::io::Cursor;

/// The largest upload accepted (security.md: 5 MiB body limit).
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// The largest width or height accepted (security.md: at most 4096 × 4096 pixels).
pub const MAX_SIDE: u32 = 4096;
/// The width and height of a stored avatar.
pub const OUTPUT_SIDE: u32 = 256;
/// The content type every stored avatar has.
pub const CONTENT_TYPE: &str = "image/jpeg";
/// Decoder allocation cap: one 4096 × 4096 RGBA frame plus headroom, far below the crate's
/// 512 MiB default.
const MAX_DECODE_ALLOC: u64 = 80 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// Why an upload is not accepted as an avatar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AvatarRefusal {
    #[error("empty upload")]
    Empty,
    #[error("larger than {MAX_UPLOAD_BYTES} bytes")]
    TooLarge,
    #[error("SVG or another text format")]
    Svg,
    #[error("not a PNG, JPEG or WebP image")]
    NotAnImage,
    #[error("more than {MAX_SIDE} pixels wide or high")]
    TooManyPixels,
    #[error("carries content besides the image")]
    Polyglot,
    #[error("damaged or unreadable image")]
    Unreadable,
}

/// The formats accepted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    Png,
    Jpeg,
    WebP,
}

impl SourceFormat {
    /// Recognises the format by its magic bytes (never by a file name or a declared type).
    pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(SourceFormat::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(SourceFormat::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(SourceFormat::WebP)
        } else {
            None
        }
    }

    fn image_format(self) -> image::ImageFormat {
        match self {
            SourceFormat::Png => image::ImageFormat::Png,
            SourceFormat::Jpeg => image::ImageFormat::Jpeg,
            SourceFormat::WebP => image::ImageFormat::WebP,
        }
    }
}

/// A re-encoded avatar, ready to store: fresh JPEG bytes and their content address.
#[derive(Clone, PartialEq, Eq)]
pub struct AvatarImage {
    bytes: Vec<u8>,
    key: String,
}

impl std::fmt::Debug for AvatarImage {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("AvatarImage")
            .field("key", &self.key)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl AvatarImage {
    /// Checks, decodes and re-encodes an upload. CPU-bound: call it off the async runtime.
    pub fn from_upload(upload: &[u8]) -> Result<AvatarImage, AvatarRefusal> {
        if upload.is_empty() {
            return Err(AvatarRefusal::Empty);
        }
        if upload.len() > MAX_UPLOAD_BYTES {
            return Err(AvatarRefusal::TooLarge);
        }
        let format = match SourceFormat::sniff(upload) {
            Some(format) => format,
            None if looks_like_text(upload) => return Err(AvatarRefusal::Svg),
            None => return Err(AvatarRefusal::NotAnImage),
        };
        if has_trailing_content(format, upload) || carries_markup(upload) {
            return Err(AvatarRefusal::Polyglot);
        }
        let decoded = decode(format, upload)?;
        let bytes = encode(&decoded);
        let key = format!("{}.jpg", hex(&Sha256::digest(&bytes)));
        Ok(AvatarImage { bytes, key })
    }

    /// The stored JPEG.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The content address: SHA-256 of the bytes, so a new picture gets a new URL and the old
    /// one may be cached forever.
    pub fn key(&self) -> &str {
        &self.key
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// SVG, HTML and other markup start with `<` (after an optional BOM and white space).
fn looks_like_text(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|byte| *byte == b'<')
}

/// Markup hidden inside an image (in a comment, a text chunk or EXIF) makes a polyglot that a
/// browser or another tool might run. Seven-byte patterns do not occur by chance in image data.
fn carries_markup(bytes: &[u8]) -> bool {
    const PATTERNS: [&[u8]; 6] = [
        b"<script", b"<html", b"<svg", b"<?php", b"<iframe", b"<body",
    ];
    bytes.windows(7).any(|window| {
        PATTERNS.iter().any(|pattern| {
            window
                .iter()
                .zip(pattern.iter())
                .all(|(byte, expected)| byte.to_ascii_lowercase() == *expected)
        })
    }) || bytes
        .windows(5)
        .any(|window| window.eq_ignore_ascii_case(b"<svg "))
}

/// Whether anything follows the image's own end (an appended ZIP, HTML or script).
fn has_trailing_content(format: SourceFormat, bytes: &[u8]) -> bool {
    match format {
        SourceFormat::Png => png_end(bytes) != Some(bytes.len()),
        SourceFormat::Jpeg => {
            // Some encoders pad with zero bytes after the end-of-image marker.
            let end = bytes
                .iter()
                .rposition(|byte| *byte != 0)
                .map_or(0, |at| at + 1);
            !bytes[..end].ends_with(&[0xFF, 0xD9])
        }
        SourceFormat::WebP => {
            let declared = bytes
                .get(4..8)
                .and_then(|size| size.try_into().ok())
                .map(u32::from_le_bytes)
                .map(|size| size as usize + 8);
            // RIFF pads odd sizes with one byte.
            declared.is_none_or(|declared| bytes.len() != declared && bytes.len() != declared + 1)
        }
    }
}

/// The offset just past a PNG's IEND chunk, walking the chunk list.
fn png_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 8_usize;
    loop {
        let length = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let next = at.checked_add(12)?.checked_add(length)?;
        if next > bytes.len() {
            return None;
        }
        if kind == b"IEND" {
            return Some(next);
        }
        at = next;
    }
}

fn decode(format: SourceFormat, bytes: &[u8]) -> Result<image::DynamicImage, AvatarRefusal> {
    use image::ImageDecoder as _;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);

    // The header alone tells the size: refuse pixel floods before decoding anything.
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.no_limits();
    let (width, height) = reader
        .into_dimensions()
        .map_err(|_| AvatarRefusal::Unreadable)?;
    if width == 0 || height == 0 {
        return Err(AvatarRefusal::Unreadable);
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(AvatarRefusal::TooManyPixels);
    }

    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut decoded = image::DynamicImage::from_decoder(decoder).map_err(refusal)?;
    decoded.apply_orientation(orientation);
    Ok(decoded)
}

fn refusal(error: image::ImageError) -> AvatarRefusal {
    match error {
        image::ImageError::Limits(_) => AvatarRefusal::TooManyPixels,
        _ => AvatarRefusal::Unreadable,
    }
}

/// Crops to the centred square, scales it to [`OUTPUT_SIDE`] (never up), flattens any
/// transparency onto white and writes a baseline JPEG with no metadata.
fn encode(image: &image::DynamicImage) -> Vec<u8> {
    let side = image.width().min(image.height());
    let left = (image.width() - side) / 2;
    let top = (image.height() - side) / 2;
    let square = image.crop_imm(left, top, side, side);
    let target = side.min(OUTPUT_SIDE);
    let scaled = if target == side {
        square
    } else {
        square.resize_exact(target, target, image::imageops::FilterType::Lanczos3)
    };
    let rgba = scaled.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (out, pixel) in rgb.pixels_mut().zip(rgba.pixels()) {
        let [red, green, blue, alpha] = pixel.0;
        let over_white = |channel: u8| {
            let alpha = u16::from(alpha);
            ((u16::from(channel) * alpha + 255 * (255 - alpha) + 127) / 255) as u8
        };
        *out = image::Rgb([over_white(red), over_white(green), over_white(blue)]);
    }
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY);
    // Encoding an in-memory RGB buffer into a Vec cannot fail.
    let _ = rgb.write_with_encoder(encoder);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([
                (x % 256) as u8,
                (y % 256) as u8,
                128,
                if x < 4 { 0 } else { 255 },
            ])
        });
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn a_png_becomes_a_square_jpeg_of_the_output_size() {
        let avatar = AvatarImage::from_upload(&png(600, 300)).unwrap();
        let decoded = image::load_from_memory(avatar.bytes()).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (256, 256));
        assert_eq!(
            SourceFormat::sniff(avatar.bytes()),
            Some(SourceFormat::Jpeg)
        );
        assert!(avatar.key().ends_with(".jpg") && avatar.key().len() == 68);
    }

    #[test]
    fn small_images_are_not_enlarged() {
        let avatar = AvatarImage::from_upload(&png(40, 64)).unwrap();
        let decoded = image::load_from_memory(avatar.bytes()).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (40, 40));
    }

    #[test]
    fn the_same_picture_gets_the_same_key() {
        let first = AvatarImage::from_upload(&png(32, 32)).unwrap();
        let second = AvatarImage::from_upload(&png(32, 32)).unwrap();
        assert_eq!(first.key(), second.key());
        // Another picture (a larger square, so other pixels) gets another key.
        assert_ne!(
            first.key(),
            AvatarImage::from_upload(&png(48, 48)).unwrap().key()
        );
    }

    #[test]
    fn text_and_unknown_formats_are_refused() {
        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert_eq!(AvatarImage::from_upload(svg), Err(AvatarRefusal::Svg));
        assert_eq!(
            AvatarImage::from_upload(b"  <svg></svg>"),
            Err(AvatarRefusal::Svg)
        );
        assert_eq!(
            AvatarImage::from_upload(b"GIF89a...."),
            Err(AvatarRefusal::NotAnImage)
        );
        assert_eq!(AvatarImage::from_upload(b""), Err(AvatarRefusal::Empty));
    }

    #[test]
    fn appended_or_embedded_content_is_refused() {
        let mut zip_after = png(16, 16);
        zip_after.extend_from_slice(b"PK\x03\x04 appended archive");
        assert_eq!(
            AvatarImage::from_upload(&zip_after),
            Err(AvatarRefusal::Polyglot)
        );

        let mut script_inside = png(16, 16);
        // A tEXt chunk before IEND carrying markup (the CRC does not matter to the check).
        let text = b"Comment\0<SCRIPT>alert(1)</script>";
        let mut chunk = (text.len() as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(b"tEXt");
        chunk.extend_from_slice(text);
        chunk.extend_from_slice(&[0, 0, 0, 0]);
        let iend = script_inside.len() - 12;
        script_inside.splice(iend..iend, chunk);
        assert_eq!(
            AvatarImage::from_upload(&script_inside),
            Err(AvatarRefusal::Polyglot)
        );
    }

    #[test]
    fn truncated_images_are_refused() {
        let bytes = png(64, 64);
        assert_eq!(
            AvatarImage::from_upload(&bytes[..bytes.len() / 2]),
            Err(AvatarRefusal::Polyglot),
            "a PNG cut short has no IEND"
        );
        let mut broken = bytes.clone();
        // Garble the image data but keep the chunk structure.
        for byte in &mut broken[60..90] {
            *byte = 0x55;
        }
        assert_eq!(
            AvatarImage::from_upload(&broken),
            Err(AvatarRefusal::Unreadable)
        );
    }

    #[test]
    fn pixel_floods_are_refused_from_the_header() {
        // A 1 × 20000 PNG: tiny file, too many pixels in one direction.
        let image = image::GrayImage::new(1, 20_000);
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        assert!(bytes.len() < 100_000);
        assert_eq!(
            AvatarImage::from_upload(&bytes),
            Err(AvatarRefusal::TooManyPixels)
        );
    }

    #[test]
    fn oversized_uploads_are_refused_before_looking_inside() {
        let mut bytes = png(8, 8);
        bytes.resize(MAX_UPLOAD_BYTES + 1, 0);
        assert_eq!(
            AvatarImage::from_upload(&bytes),
            Err(AvatarRefusal::TooLarge)
        );
    }
}
