//! Just enough JSON to read and write the patch's state values on the thread that
//! performs Csound, without allocating: walk an object's members or an array's items as
//! slices of the text, read numbers and strings, write numbers and strings.

/// Index of the first non-whitespace byte at or after `i`.
fn skip_space(text: &[u8], mut i: usize) -> usize {
    while i < text.len() && text[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end (exclusive) of the string whose opening quote is at `i`.
fn string_end(text: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < text.len() {
        match text[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// The end (exclusive) of the value starting at `i` (no leading space).
fn value_end(text: &[u8], i: usize) -> Option<usize> {
    match *text.get(i)? {
        b'"' => string_end(text, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < text.len() {
                match text[j] {
                    b'"' => {
                        j = string_end(text, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < text.len() && !matches!(text[j], b',' | b'}' | b']') {
                j += 1;
            }
            // Trailing space belongs to the separator.
            while j > i && text[j - 1].is_ascii_whitespace() {
                j -= 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// Walks the entries of an object (`key: value`) or an array (values) as text slices.
pub struct Entries<'a> {
    text: &'a [u8],
    at: usize,
    object: bool,
    done: bool,
}

impl<'a> Entries<'a> {
    /// The members of the object `text`; nothing when it is not one.
    pub fn object(text: &'a [u8]) -> Self {
        Self::open(text, b'{')
    }

    /// The items of the array `text`; nothing when it is not one.
    pub fn array(text: &'a [u8]) -> Self {
        Self::open(text, b'[')
    }

    fn open(text: &'a [u8], bracket: u8) -> Self {
        let at = skip_space(text, 0);
        Self {
            text,
            at: at + 1,
            object: bracket == b'{',
            done: text.get(at) != Some(&bracket),
        }
    }
}

impl<'a> Iterator for Entries<'a> {
    /// The member's key (still escaped, without its quotes; empty for an array item)
    /// and the value's text.
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let text = self.text;
        let mut i = skip_space(text, self.at);
        if matches!(text.get(i), Some(b'}' | b']') | None) {
            self.done = true;
            return None;
        }
        let mut key: &[u8] = &[];
        if self.object {
            let end = (text[i] == b'"').then(|| string_end(text, i)).flatten();
            let Some(end) = end else {
                self.done = true;
                return None;
            };
            key = &text[i + 1..end - 1];
            i = skip_space(text, end);
            if text.get(i) != Some(&b':') {
                self.done = true;
                return None;
            }
            i = skip_space(text, i + 1);
        }
        let Some(end) = value_end(text, i) else {
            self.done = true;
            return None;
        };
        let value = &text[i..end];
        let after = skip_space(text, end);
        match text.get(after) {
            Some(b',') => self.at = after + 1,
            _ => {
                self.at = after;
                self.done = true;
            }
        }
        Some((key, value))
    }
}

/// The number `value` holds (`true`/`false` read as 1/0).
pub fn number(value: &[u8]) -> Option<f64> {
    match value {
        b"true" => Some(1.0),
        b"false" => Some(0.0),
        _ => std::str::from_utf8(value).ok()?.trim().parse().ok(),
    }
}

/// Writes the text of the string `value` (with its quotes) unescaped into `out`; returns
/// the length written, or `None` when it is not a string. Text that does not fit is cut
/// at a character boundary.
pub fn unescape(value: &[u8], out: &mut [u8]) -> Option<usize> {
    let inner = value.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let mut n = 0;
    let mut put = |bytes: &[u8], n: &mut usize| {
        if *n + bytes.len() <= out.len() {
            out[*n..*n + bytes.len()].copy_from_slice(bytes);
            *n += bytes.len();
        }
    };
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c != b'\\' {
            put(&[c], &mut n);
            i += 1;
            continue;
        }
        let escaped = *inner.get(i + 1)?;
        i += 2;
        let simple = match escaped {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'b' => 8,
            b'f' => 12,
            b'u' => {
                let code = inner
                    .get(i..i + 4)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok())?;
                i += 4;
                let c = char::from_u32(code).unwrap_or('\u{fffd}');
                let mut buf = [0; 4];
                put(c.encode_utf8(&mut buf).as_bytes(), &mut n);
                continue;
            }
            other => other,
        };
        put(&[simple], &mut n);
    }
    // A cut in the middle of a character would not be UTF-8.
    while n > 0 && std::str::from_utf8(&out[..n]).is_err() {
        n -= 1;
    }
    Some(n)
}

/// A fixed buffer written through `std::fmt::Write`; writing past its end fails.
pub struct Cursor<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Cursor<'a> {
    /// Writes into `buf` from its start.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Appends `bytes`, or fails without writing when they do not fit.
    pub fn put(&mut self, bytes: &[u8]) -> std::fmt::Result {
        let end = self.len + bytes.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Appends `value` as a JSON number (`null` when it is not finite).
    pub fn number(&mut self, value: f64) -> std::fmt::Result {
        use std::fmt::Write;
        let size = value.abs();
        if !value.is_finite() {
            self.put(b"null")
        } else if size != 0.0 && !(1e-5..1e15).contains(&size) {
            // Plain digits would be hundreds of characters long.
            write!(self, "{value:e}")
        } else {
            write!(self, "{value}")
        }
    }

    /// Appends `text` as a JSON string.
    pub fn string(&mut self, text: &[u8]) -> std::fmt::Result {
        self.put(b"\"")?;
        for &c in text {
            match c {
                b'"' => self.put(b"\\\"")?,
                b'\\' => self.put(b"\\\\")?,
                b'\n' => self.put(b"\\n")?,
                b'\t' => self.put(b"\\t")?,
                b'\r' => self.put(b"\\r")?,
                c if c < 0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.put(&[
                        b'\\',
                        b'u',
                        b'0',
                        b'0',
                        HEX[(c >> 4) as usize],
                        HEX[(c & 15) as usize],
                    ])?
                }
                c => self.put(&[c])?,
            }
        }
        self.put(b"\"")
    }
}

impl std::fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.put(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_items_numbers_and_strings() {
        let text = br#" { "pi" : 1.141, "list":[1, 0, 2.5 ], "s": "a \"q\" \u00e9\n",
            "nested": {"x": [1, {"y": "]"}]}, "t": true } "#;
        let members: Vec<_> = Entries::object(text).collect();
        let keys: Vec<&[u8]> = members.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, [&b"pi"[..], b"list", b"s", b"nested", b"t"]);
        assert_eq!(number(members[0].1), Some(1.141));
        let items: Vec<f64> = Entries::array(members[1].1)
            .map(|(_, v)| number(v).unwrap())
            .collect();
        assert_eq!(items, [1.0, 0.0, 2.5]);
        let mut out = [0u8; 64];
        let n = unescape(members[2].1, &mut out).unwrap();
        assert_eq!(std::str::from_utf8(&out[..n]).unwrap(), "a \"q\" é\n");
        assert_eq!(members[3].1, br#"{"x": [1, {"y": "]"}]}"#);
        assert_eq!(number(members[4].1), Some(1.0));
        assert_eq!(Entries::array(b"[]").count(), 0);
        assert_eq!(Entries::object(b"not json").count(), 0);
    }

    #[test]
    fn written_values_read_back_as_serde_reads_them() {
        let mut buf = [0u8; 256];
        let mut cursor = Cursor::new(&mut buf);
        cursor.put(b"[").unwrap();
        for x in [440.0, 0.1, -2.5e-9, 3e20, f64::NAN] {
            cursor.number(x).unwrap();
            cursor.put(b",").unwrap();
        }
        cursor.string("tab\t\"quote\" \u{1} é".as_bytes()).unwrap();
        cursor.put(b"]").unwrap();
        let n = cursor.len();
        let value: serde_json::Value = serde_json::from_slice(&buf[..n]).unwrap();
        assert_eq!(
            value,
            serde_json::json!([440, 0.1, -2.5e-9, 3e20, null, "tab\t\"quote\" \u{1} é"])
        );
        let mut tiny = [0u8; 3];
        assert!(Cursor::new(&mut tiny).string(b"long").is_err());
    }
}
