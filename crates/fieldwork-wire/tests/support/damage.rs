//! Damage done to a valid JSON message of the sync protocol on its way (issue 17, point 5), for
//! the hostile-input tests of both sides: head office's routes
//! (`fieldwork-headoffice/tests/headoffice/hostile_wire.rs`) and the device's client and engine
//! (`fieldwork-sync/tests/hostile_answers.rs`), which include this file with `#[path]`.
//!
//! A value replaced by another of any type (huge numbers, long text, nested garbage), a member
//! removed or added, a value nested deeper than any decoder takes, the bytes cut short, a byte
//! changed, bytes that are not UTF-8 or are JSON punctuation put in.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

/// A value put where another was.
pub fn garbage() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop::sample::select(vec![
            json!(i64::MAX),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(-1),
            json!(0),
            json!(1.5e308),
            json!(-0.0),
        ]),
        any::<i64>().prop_map(|n| json!(n)),
        ".{0,20}".prop_map(Value::String),
        // Long text: over every field limit, under the body limit.
        (1usize..200_000).prop_map(|n| Value::String("長".repeat(n))),
        Just(json!("\u{0}\u{feff}\u{202e}")),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::hash_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to a message.
#[derive(Debug, Clone)]
pub enum Damage {
    /// The value at the n-th place (depth first) replaced.
    Replace(Index, Value),
    /// A member of the n-th object removed.
    Remove(Index, Index),
    /// A member no version of the protocol has, in the n-th object.
    Add(Index, String, Value),
    /// The n-th value wrapped in arrays this deep (beyond serde_json's nesting limit, too).
    Nest(Index, usize),
    /// The bytes cut short.
    Cut(Index),
    /// A byte changed.
    Flip(Index, u8),
    /// Bytes put in.
    Insert(Index, Vec<u8>),
}

pub fn damage() -> impl Strategy<Value = Damage> {
    let snippet = prop::sample::select(vec![
        &b"\xff"[..],
        b"\xc0\x80",
        b"\xed\xa0\x80",
        b"\\ud800",
        b"\\u0000",
        b"\"",
        b"{",
        b"]",
        b",",
        b"1e999999",
        b"18446744073709551616",
        b"NaN",
        b"\0",
    ]);
    prop_oneof![
        (any::<Index>(), garbage()).prop_map(|(i, v)| Damage::Replace(i, v)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, k)| Damage::Remove(i, k)),
        (any::<Index>(), "[a-z_]{1,12}", garbage()).prop_map(|(i, k, v)| Damage::Add(i, k, v)),
        (any::<Index>(), prop::sample::select(vec![2usize, 64, 200, 5_000]))
            .prop_map(|(i, d)| Damage::Nest(i, d)),
        any::<Index>().prop_map(Damage::Cut),
        (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Damage::Flip(i, x)),
        (any::<Index>(), snippet).prop_map(|(i, s)| Damage::Insert(i, s.to_vec())),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| Damage::Insert(i, b)),
    ]
}

/// `doc` as sent after `damage`: the changes to values first, then those to the bytes.
pub fn damaged(doc: &Value, damage: &[Damage]) -> Vec<u8> {
    let mut doc = doc.clone();
    for d in damage {
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let objects: Vec<String> =
            all.iter().filter(|p| doc.pointer(p).is_some_and(Value::is_object)).cloned().collect();
        match d {
            Damage::Replace(i, v) => *doc.pointer_mut(i.get::<String>(&all)).unwrap() = v.clone(),
            Damage::Nest(i, depth) => {
                let place = doc.pointer_mut(i.get::<String>(&all)).unwrap();
                let inner = serde_json::to_string(place).unwrap();
                *place = Value::String(format!("{NEST}{depth}:{inner}"));
            }
            Damage::Remove(i, k) if !objects.is_empty() => {
                let o = doc.pointer_mut(i.get::<String>(&objects)).unwrap();
                let o = o.as_object_mut().unwrap();
                if let Some(key) = o.keys().nth(k.index(o.len().max(1))).cloned() {
                    o.remove(&key);
                }
            }
            Damage::Add(i, k, v) if !objects.is_empty() => {
                let o = doc.pointer_mut(i.get::<String>(&objects)).unwrap();
                o.as_object_mut().unwrap().insert(k.clone(), v.clone());
            }
            _ => {}
        }
    }
    let mut bytes = to_bytes(&doc);
    for d in damage {
        match d {
            Damage::Cut(i) => bytes.truncate(i.index(bytes.len() + 1)),
            Damage::Flip(i, x) if !bytes.is_empty() => {
                let at = i.index(bytes.len());
                bytes[at] ^= x;
            }
            Damage::Insert(i, s) => {
                let at = i.index(bytes.len() + 1);
                bytes.splice(at..at, s.iter().copied());
            }
            _ => {}
        }
    }
    bytes
}

/// Every value of `doc`, depth first, as JSON pointers (`""` is the whole document).
fn pointers(doc: &Value, at: String, out: &mut Vec<String>) {
    match doc {
        Value::Object(m) => {
            for (k, v) in m {
                pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Starts the marker of a value to be written nested: a `Value` that deep would overflow the
/// test's own stack, so it is written out as text.
const NEST: &str = "\u{1}nest:";

/// The document as JSON text, nesting markers written out as `[[[…value…]]]`.
fn to_bytes(doc: &Value) -> Vec<u8> {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::String(s) if s.starts_with(NEST) => {
                let (depth, inner) = s[NEST.len()..].split_once(':').unwrap();
                let depth: usize = depth.parse().unwrap();
                out.push_str(&"[".repeat(depth));
                out.push_str(inner);
                out.push_str(&"]".repeat(depth));
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            Value::Object(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    write(x, out);
                }
                out.push('}');
            }
            other => out.push_str(&serde_json::to_string(other).unwrap()),
        }
    }
    let mut out = String::new();
    write(doc, &mut out);
    out.into_bytes()
}
