//! What a file is, from its first bytes — never from its name. A technician's folder holds
//! iPhone HEIC files, RAW files from a good camera, PDFs of receipts and sometimes a text file
//! renamed `.jpg`; each gets a message that says what it is, so the person knows what to do.

use image::ImageFormat;

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A picture format Fieldwork decodes.
    Supported(ImageFormat),
    /// A recognised format Fieldwork cannot read, by its human name (`HEIC`, `TIFF`, …).
    Unsupported(&'static str),
    /// Not a picture: the name of what it looks like (`text`, `unknown data`, `an empty file`).
    NotAnImage(&'static str),
}

/// Recognises the formats photos arrive in by their magic bytes.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    use Sniffed::*;
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if bytes.is_empty() {
        return NotAnImage("an empty file");
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Supported(ImageFormat::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Supported(ImageFormat::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Supported(ImageFormat::Gif);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Supported(ImageFormat::WebP);
    }
    if starts(b"BM") && bytes.len() >= 26 {
        return Supported(ImageFormat::Bmp);
    }
    // ISO base media files: `....ftyp<brand>`.
    if bytes.get(4..8) == Some(b"ftyp") {
        let brand = bytes.get(8..12).unwrap_or_default();
        return match brand {
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => Unsupported("HEIC"),
            b"mif1" | b"msf1" => Unsupported("HEIF"),
            b"avif" | b"avis" => Unsupported("AVIF"),
            b"crx " => Unsupported("Canon CR3 RAW"),
            b"qt  " => NotAnImage("a QuickTime video"),
            _ => NotAnImage("a video (MP4/MOV)"),
        };
    }
    // TIFF and the RAW formats built on it.
    if starts(b"II*\0") || starts(b"MM\0*") {
        if bytes.get(8..10) == Some(b"CR") {
            return Unsupported("Canon CR2 RAW");
        }
        return Unsupported(tiff_flavour(bytes));
    }
    if starts(b"IIRO") || starts(b"IIRS") {
        return Unsupported("Olympus ORF RAW");
    }
    if starts(b"IIU\0") {
        return Unsupported("Panasonic RW2 RAW");
    }
    if starts(b"FUJIFILMCCD-RAW") {
        return Unsupported("Fujifilm RAF RAW");
    }
    if starts(b"%PDF") {
        return Unsupported("PDF");
    }
    if starts(b"8BPS") {
        return Unsupported("Photoshop PSD");
    }
    if starts(&[0x00, 0x00, 0x00, 0x0C, b'j', b'P', b' ', b' ']) || starts(&[0xFF, 0x4F, 0xFF]) {
        return Unsupported("JPEG 2000");
    }
    if starts(&[0xFF, 0x0A]) || starts(&[0, 0, 0, 0x0C, b'J', b'X', b'L', b' ']) {
        return Unsupported("JPEG XL");
    }
    if starts(b"PK\x03\x04") {
        return NotAnImage("a ZIP archive or office document");
    }
    if looks_like_text(bytes) {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        if head.contains("<svg") {
            return Unsupported("SVG");
        }
        if head.trim_start().starts_with("<!doctype html") || head.contains("<html") {
            return NotAnImage("a web page (HTML)");
        }
        return NotAnImage("text");
    }
    NotAnImage("unknown data")
}

/// Names the RAW formats that are TIFF files inside, by the maker found in the first IFD's
/// strings; a plain TIFF otherwise.
fn tiff_flavour(bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"NIKON") {
        "Nikon NEF RAW"
    } else if has(b"SONY") {
        "Sony ARW RAW"
    } else if has(b"PENTAX") {
        "Pentax RAW"
    } else if has(b"Adobe") || has(b"DNG") {
        "DNG RAW"
    } else {
        "TIFF"
    }
}

/// Text: the start is valid UTF-8 (allowing a cut character at the end) without control bytes
/// other than whitespace.
fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.valid_up_to() + 4 > head.len() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty() && valid.chars().all(|c| !c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_their_first_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Sniffed::Supported(ImageFormat::Jpeg));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0"), Sniffed::Unsupported("HEIC"));
        assert_eq!(sniff(b"\0\0\0\x18ftypmif1\0\0"), Sniffed::Unsupported("HEIF"));
        assert_eq!(sniff(b"II*\0\x10\0\0\0CR\x02\0"), Sniffed::Unsupported("Canon CR2 RAW"));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08 NIKON CORP"), Sniffed::Unsupported("Nikon NEF RAW"));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Sniffed::Unsupported("TIFF"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Sniffed::Unsupported("PDF"));
        assert_eq!(sniff(b"hello, this is not a photo\n"), Sniffed::NotAnImage("text"));
        assert_eq!(sniff("发票照片".as_bytes()), Sniffed::NotAnImage("text"));
        assert_eq!(sniff(b""), Sniffed::NotAnImage("an empty file"));
        assert_eq!(sniff(&[0x13, 0x80, 0x02, 0xF1, 0x00]), Sniffed::NotAnImage("unknown data"));
    }
}
