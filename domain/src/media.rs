//! Photos and voice notes people upload: the type is read from the bytes (never from the
//! name or the declared type), the size is bounded, and photos lose every metadata block
//! that can carry where or by whom they were taken (EXIF with its GPS position, XMP, IPTC,
//! comments, PNG text chunks) before anything is stored. The pixels are untouched.
//!
//! Files live behind [`MediaStore`]: a folder on disk by default ([`DiskStore`]); several
//! instances need a shared folder or another implementation (object storage).

use crate::ErrorCode;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use img_parts::jpeg::Jpeg;
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{Bytes, ImageEXIF};

use crate::Invalid;

/// What an upload turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Mp3,
    Aac,
    M4a,
    Amr,
    Silk,
    Wav,
    Ogg,
}

impl MediaType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Mp3 => "audio/mpeg",
            Self::Aac => "audio/aac",
            Self::M4a => "audio/mp4",
            Self::Amr => "audio/amr",
            Self::Silk => "audio/silk",
            Self::Wav => "audio/wav",
            Self::Ogg => "audio/ogg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Mp3 => "mp3",
            Self::Aac => "aac",
            Self::M4a => "m4a",
            Self::Amr => "amr",
            Self::Silk => "silk",
            Self::Wav => "wav",
            Self::Ogg => "ogg",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png | Self::Webp)
    }
}

/// Reads the type from the first bytes.
pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        Some(MediaType::Jpeg)
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        Some(MediaType::Png)
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Some(MediaType::Webp)
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Some(MediaType::Wav)
    } else if at(0, b"ID3") || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE6 == 0xE2) {
        // An ID3 tag, or an MPEG audio layer III frame sync.
        Some(MediaType::Mp3)
    } else if bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0 {
        // ADTS: sync word and layer 0.
        Some(MediaType::Aac)
    } else if at(4, b"ftyp") {
        Some(MediaType::M4a)
    } else if at(0, b"#!AMR") {
        Some(MediaType::Amr)
    } else if at(0, b"#!SILK_V3") || at(1, b"#!SILK_V3") {
        // WeChat voice messages; the mini-program recorder can produce them.
        Some(MediaType::Silk)
    } else if at(0, b"OggS") {
        Some(MediaType::Ogg)
    } else {
        None
    }
}

/// A photo ready to store: its type and its bytes without metadata.
#[derive(Debug, Clone)]
pub struct CleanPhoto {
    pub media_type: MediaType,
    pub bytes: Vec<u8>,
}

/// JPEG markers that carry metadata: APP1 (EXIF, XMP), APP12/APP13 (Photoshop, IPTC),
/// COM. APP0 (JFIF), APP2 (ICC colour) and APP14 (Adobe colour transform) stay: they
/// change how the picture looks and say nothing about who or where.
const JPEG_METADATA: [u8; 4] = [0xE1, 0xEC, 0xED, 0xFE];
/// PNG chunks that carry metadata: EXIF and every kind of text (XMP lives in iTXt).
const PNG_METADATA: [[u8; 4]; 5] = [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"];

fn not_an_image() -> Invalid {
    Invalid::new(
        ErrorCode::NotAnImage,
        "expected a JPEG, PNG or WebP photo; the content is not one",
    )
}

/// Checks that `bytes` is a photo of at most `max_bytes`, and strips its metadata.
pub fn clean_photo(bytes: Vec<u8>, max_bytes: usize) -> Result<CleanPhoto, Invalid> {
    if bytes.len() > max_bytes {
        return Err(too_large(max_bytes));
    }
    let media_type = sniff(&bytes)
        .filter(|t| t.is_image())
        .ok_or_else(not_an_image)?;
    let bytes = Bytes::from(bytes);
    let cleaned = match media_type {
        MediaType::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(bytes).map_err(|_| not_an_image())?;
            // A JPEG without a frame header is not a picture.
            let has_frame = jpeg.segments().iter().any(|s| {
                matches!(s.marker(), 0xC0..=0xCF) && !matches!(s.marker(), 0xC4 | 0xC8 | 0xCC)
            });
            if !has_frame {
                return Err(not_an_image());
            }
            jpeg.segments_mut()
                .retain(|s| !JPEG_METADATA.contains(&s.marker()));
            jpeg.encoder().bytes()
        }
        MediaType::Png => {
            let mut png = Png::from_bytes(bytes).map_err(|_| not_an_image())?;
            if png.chunk_by_type(*b"IHDR").is_none() {
                return Err(not_an_image());
            }
            png.chunks_mut()
                .retain(|c| !PNG_METADATA.contains(&c.kind()));
            png.encoder().bytes()
        }
        MediaType::Webp => {
            let mut webp = WebP::from_bytes(bytes).map_err(|_| not_an_image())?;
            webp.remove_chunks_by_id(*b"XMP ");
            // Also rewrites the header flags to match what is left.
            webp.set_exif(None);
            webp.encoder().bytes()
        }
        _ => return Err(not_an_image()),
    };
    Ok(CleanPhoto {
        media_type,
        bytes: cleaned.to_vec(),
    })
}

fn too_large(max_bytes: usize) -> Invalid {
    Invalid::new(
        ErrorCode::TooLarge,
        format!("at most {} KiB", max_bytes / 1024),
    )
}

/// Checks that `bytes` is a voice recording of at most `max_bytes`.
pub fn check_voice(bytes: &[u8], max_bytes: usize) -> Result<MediaType, Invalid> {
    if bytes.len() > max_bytes {
        return Err(too_large(max_bytes));
    }
    sniff(bytes).filter(|t| !t.is_image()).ok_or_else(|| {
        Invalid::new(
            ErrorCode::NotAudio,
            "expected a voice recording (MP3, AAC, M4A, AMR, SILK, WAV or Ogg)",
        )
    })
}

/// Boxed future for the object-safe store trait.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = std::io::Result<T>> + Send + 'a>>;

/// Where uploaded files live. Keys are relative paths made by Doorstep itself
/// (`reports/<report>/<media>.jpg`), never from user input.
pub trait MediaStore: Send + Sync {
    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> StoreFuture<'a, ()>;
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Vec<u8>>;
    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()>;
}

/// Files in a folder: written to a temporary name, synced and renamed, so a reader never
/// sees half a file.
#[derive(Debug, Clone)]
pub struct DiskStore {
    root: PathBuf,
}

impl DiskStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path_of(&self, key: &str) -> std::io::Result<PathBuf> {
        let safe = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            });
        if safe {
            Ok(self.root.join(Path::new(key)))
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("not a storage key: {key:?}"),
            ))
        }
    }
}

impl MediaStore for DiskStore {
    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            if let Some(parent) = path.parent() {
                tokio::fs::create_dir_all(parent).await?;
            }
            let temporary = path.with_extension(format!("part-{}", uuid::Uuid::new_v4().simple()));
            let mut file = tokio::fs::File::create(&temporary).await?;
            tokio::io::AsyncWriteExt::write_all(&mut file, &bytes).await?;
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&temporary, &path).await
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Vec<u8>> {
        Box::pin(async move { tokio::fs::read(self.path_of(key)?).await })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            match tokio::fs::remove_file(self.path_of(key)?).await {
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
                other => other,
            }
        })
    }
}

/// Test pictures, built here rather than shipped as binary files: a real 1×1 JPEG and PNG,
/// and a TIFF/EXIF block with a GPS position to plant in them.
pub mod samples {
    /// A 1×1 grey baseline JPEG (JFIF), as written by common encoders.
    pub const JPEG_1X1: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06,
        0x05, 0x08, 0x07, 0x07, 0x07, 0x09, 0x09, 0x08, 0x0A, 0x0C, 0x14, 0x0D, 0x0C, 0x0B, 0x0B,
        0x0C, 0x19, 0x12, 0x13, 0x0F, 0x14, 0x1D, 0x1A, 0x1F, 0x1E, 0x1D, 0x1A, 0x1C, 0x1C, 0x20,
        0x24, 0x2E, 0x27, 0x20, 0x22, 0x2C, 0x23, 0x1C, 0x1C, 0x28, 0x37, 0x29, 0x2C, 0x30, 0x31,
        0x34, 0x34, 0x34, 0x1F, 0x27, 0x39, 0x3D, 0x38, 0x32, 0x3C, 0x2E, 0x33, 0x34, 0x32, 0xFF,
        0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xC4, 0x00,
        0x1F, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B,
        0xFF, 0xC4, 0x00, 0xB5, 0x10, 0x00, 0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05, 0x05,
        0x04, 0x04, 0x00, 0x00, 0x01, 0x7D, 0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21,
        0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08,
        0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A,
        0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x34, 0x35, 0x36, 0x37,
        0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x53, 0x54, 0x55, 0x56,
        0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x73, 0x74, 0x75,
        0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x92, 0x93,
        0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9,
        0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6,
        0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
        0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7,
        0xF8, 0xF9, 0xFA, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x2B, 0xFF,
        0xD9,
    ];

    /// A 1×1 PNG (one grey pixel).
    pub const PNG_1X1: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A,
        0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x68,
        0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0x77, 0xCD, 0x72, 0xB6, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    /// A little-endian TIFF block whose IFD0 points at a GPS IFD holding latitude
    /// 31°19'6" N and longitude 120°40'3" E (苏州中心).
    pub fn exif_with_gps() -> Vec<u8> {
        let mut t: Vec<u8> = Vec::new();
        let u16le = |t: &mut Vec<u8>, v: u16| t.extend_from_slice(&v.to_le_bytes());
        let u32le = |t: &mut Vec<u8>, v: u32| t.extend_from_slice(&v.to_le_bytes());
        // Header: II, 42, IFD0 at 8.
        t.extend_from_slice(b"II");
        u16le(&mut t, 42);
        u32le(&mut t, 8);
        // IFD0 (at 8): one entry, GPSInfo (0x8825, LONG) → GPS IFD at 26.
        u16le(&mut t, 1);
        u16le(&mut t, 0x8825);
        u16le(&mut t, 4);
        u32le(&mut t, 1);
        u32le(&mut t, 26);
        u32le(&mut t, 0);
        // GPS IFD (at 26): four entries, then the two RATIONAL[3] values.
        let values_at = 26 + 2 + 4 * 12 + 4;
        u16le(&mut t, 4);
        // GPSLatitudeRef "N"
        u16le(&mut t, 1);
        u16le(&mut t, 2);
        u32le(&mut t, 2);
        t.extend_from_slice(b"N\0\0\0");
        // GPSLatitude
        u16le(&mut t, 2);
        u16le(&mut t, 5);
        u32le(&mut t, 3);
        u32le(&mut t, values_at as u32);
        // GPSLongitudeRef "E"
        u16le(&mut t, 3);
        u16le(&mut t, 2);
        u32le(&mut t, 2);
        t.extend_from_slice(b"E\0\0\0");
        // GPSLongitude
        u16le(&mut t, 4);
        u16le(&mut t, 5);
        u32le(&mut t, 3);
        u32le(&mut t, (values_at + 24) as u32);
        u32le(&mut t, 0);
        for (num, den) in [(31, 1), (19, 1), (6, 1), (120, 1), (40, 1), (3, 1)] {
            u32le(&mut t, num);
            u32le(&mut t, den);
        }
        t
    }

    /// [`JPEG_1X1`] with an EXIF APP1 segment carrying a GPS position, and an XMP packet
    /// naming the place, as a phone camera would write them.
    pub fn jpeg_with_gps() -> Vec<u8> {
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(exif_with_gps());
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>31,19.1N</exif:GPSLatitude></x:xmpmeta>".to_vec();
        let mut out = JPEG_1X1[..2].to_vec();
        for segment in [exif, xmp] {
            out.extend_from_slice(&[0xFF, 0xE1]);
            out.extend_from_slice(&((segment.len() + 2) as u16).to_be_bytes());
            out.extend(segment);
        }
        out.extend_from_slice(&JPEG_1X1[2..]);
        out
    }

    /// [`PNG_1X1`] with an eXIf chunk carrying a GPS position.
    pub fn png_with_gps() -> Vec<u8> {
        let exif = exif_with_gps();
        let mut chunk = (exif.len() as u32).to_be_bytes().to_vec();
        let mut body = b"eXIf".to_vec();
        body.extend(&exif);
        chunk.extend(&body);
        chunk.extend(crc32(&body).to_be_bytes());
        // After the IHDR chunk (8 signature + 25 IHDR bytes).
        let mut out = PNG_1X1[..33].to_vec();
        out.extend(chunk);
        out.extend_from_slice(&PNG_1X1[33..]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gps_of(bytes: &[u8]) -> Option<String> {
        let exif = exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(bytes))
            .ok()?;
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .map(|f| f.display_value().to_string())
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_jpeg_loses_its_gps_position_and_keeps_its_picture() {
        let original = samples::jpeg_with_gps();
        // The planted position is really there for an EXIF reader.
        assert_eq!(gps_of(&original).as_deref(), Some("31 deg 19 min 6 sec"));
        let cleaned = clean_photo(original, 1 << 20).unwrap();
        assert_eq!(cleaned.media_type, MediaType::Jpeg);
        assert_eq!(gps_of(&cleaned.bytes), None);
        assert!(!contains(&cleaned.bytes, b"Exif\0\0"));
        assert!(!contains(&cleaned.bytes, b"GPSLatitude"));
        // What is left is the original picture byte for byte.
        assert_eq!(cleaned.bytes, samples::JPEG_1X1);
    }

    #[test]
    fn a_png_loses_its_exif_chunk() {
        let original = samples::png_with_gps();
        assert!(gps_of(&original).is_some(), "the sample carries a position");
        let cleaned = clean_photo(original, 1 << 20).unwrap();
        assert_eq!(cleaned.media_type, MediaType::Png);
        assert_eq!(gps_of(&cleaned.bytes), None);
        assert_eq!(cleaned.bytes, samples::PNG_1X1);
    }

    #[test]
    fn what_is_not_a_photo_is_refused() {
        let code = |bytes: &[u8]| clean_photo(bytes.to_vec(), 1 << 20).unwrap_err().code;
        assert_eq!(code(b"GIF89a....."), "not_an_image");
        assert_eq!(code(b"%PDF-1.7 ..."), "not_an_image");
        assert_eq!(code(b""), "not_an_image");
        // A JPEG signature followed by nothing that makes a picture.
        assert_eq!(code(&[0xFF, 0xD8, 0xFF, 0xD9]), "not_an_image");
        assert_eq!(code(b"\x89PNG\r\n\x1a\ngarbage"), "not_an_image");
        assert_eq!(
            clean_photo(samples::JPEG_1X1.to_vec(), 100)
                .unwrap_err()
                .code,
            "too_large"
        );
    }

    #[test]
    fn voice_notes_are_recognised() {
        assert_eq!(check_voice(b"#!AMR\n....", 1000), Ok(MediaType::Amr));
        assert_eq!(check_voice(b"ID3\x04....", 1000), Ok(MediaType::Mp3));
        assert_eq!(check_voice(b"\x02#!SILK_V3..", 1000), Ok(MediaType::Silk));
        assert_eq!(
            check_voice(b"\0\0\0\x20ftypM4A ....", 1000),
            Ok(MediaType::M4a)
        );
        assert_eq!(
            check_voice(samples::JPEG_1X1, 1000).unwrap_err().code,
            "not_audio"
        );
        assert_eq!(
            check_voice(b"#!AMR\n....", 4).unwrap_err().code,
            "too_large"
        );
    }

    #[tokio::test]
    async fn the_disk_store_round_trips_and_refuses_odd_keys() {
        let root = std::env::temp_dir().join(format!("doorstep-media-{}", uuid::Uuid::new_v4()));
        let store = DiskStore::new(&root);
        store.put("reports/a/b.jpg", vec![1, 2, 3]).await.unwrap();
        assert_eq!(store.get("reports/a/b.jpg").await.unwrap(), vec![1, 2, 3]);
        store.delete("reports/a/b.jpg").await.unwrap();
        store.delete("reports/a/b.jpg").await.unwrap();
        assert!(store.get("reports/a/b.jpg").await.is_err());
        for bad in ["../x", "a//b", "/etc/passwd", "a/../../b", ""] {
            assert!(store.put(bad, vec![]).await.is_err(), "{bad}");
        }
        let _ = std::fs::remove_dir_all(root);
    }
}
