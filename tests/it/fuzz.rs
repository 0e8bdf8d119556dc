//! Fuzzing the response decoder with proptest: arbitrary bytes, arbitrary JSON, mutations
//! of a realistic execution (structural and byte-level), and the whole HTTP path.
//!
//! Nothing may panic; what decodes must survive re-encoding; the SDK's path-reporting
//! decoder must agree with plain serde_json; and over HTTP every outcome must be the one
//! the body and status call for.
//!
//! The number of cases is bounded so the module stays fast in the debug profile; raise it
//! for a long run with `ASTEROID_FUZZ_CASES` (e.g. `ASTEROID_FUZZ_CASES=20000`).

use std::sync::{Arc, Mutex};

use asteroid_sdk::__private::{decode_json, snippet};
use asteroid_sdk::{Error, ErrorBody, Execution};
use asteroid_sdk_tests::fixtures::execution;
use asteroid_sdk_tests::server::{Reply, TestServer};
use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use serde_json::{Map, Number, Value};

use crate::common::{builder_for, execution_id};

/// Cases per property unless `ASTEROID_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: u32 = 4096;

/// Cases per property: `ASTEROID_FUZZ_CASES`, or [`DEFAULT_CASES`].
fn cases() -> u32 {
    std::env::var("ASTEROID_FUZZ_CASES")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_CASES)
}

/// Cases of the whole HTTP path, which are slower: a 32nd as many, at least 32.
fn http_cases() -> u32 {
    (cases() / 32).max(32)
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Keep no regression files in the source tree; a failure prints its input.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The JSON field names of an execution and of the types inside it, and of an error body.
const FIELD_NAMES: &[&str] = &[
    "id",
    "agentId",
    "workflowId",
    "organizationId",
    "agentName",
    "agentProfileId",
    "agentProfileName",
    "status",
    "createdAt",
    "terminalAt",
    "duration",
    "hasBeenRerun",
    "humanLabels",
    "comments",
    "inputs",
    "metadata",
    "executionOptions",
    "sharedStorageKey",
    "softTimeoutMins",
    "executionResult",
    "executionId",
    "outcome",
    "reasoning",
    "result",
    "liveViewUrl",
    "recordingUrl",
    "browserLiveViewUrl",
    "browserRecordingUrl",
    "parentExecutionId",
    "triggerContext",
    "source",
    "runner",
    "apiKey",
    "schedule",
    "cronExpression",
    "userId",
    "email",
    "isAdmin",
    "name",
    "color",
    "content",
    "public",
    "updatedAt",
    "code",
    "message",
];

/// Strings the decoder treats specially: UUIDs, timestamps (edge cases included),
/// statuses, trigger sources.
const SPECIAL_STRINGS: &[&str] = &[
    "",
    "0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7f",
    "0b7c2f3e5d1a4c7e9f1e2a3b4c5d6e7f",
    "{0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7f}",
    "urn:uuid:0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7f",
    "00000000-0000-0000-0000-000000000000",
    "0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7",
    "2026-11-20T09:15:02.123Z",
    "2026-11-20T09:15:02Z",
    "2026-11-20T09:15:02.123456789+05:30",
    "2026-11-20 09:15:02Z",
    "2026-11-20T23:59:60Z",
    "2026-02-30T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0000-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59.999999999Z",
    "9999-12-31T23:59:59-23:59",
    "+10000-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "starting",
    "running",
    "paused",
    "awaiting_confirmation",
    "completed",
    "cancelled",
    "failed",
    "paused_by_agent",
    "queued_for_gpu",
    "api",
    "ui",
    "schedule",
    "webhook",
    "success",
    "\u{0}",
    "\u{feff}",
    "é😀\u{202e}",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(FIELD_NAMES).prop_map(str::to_string),
        1 => ".{0,12}",
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => proptest::sample::select(SPECIAL_STRINGS).prop_map(str::to_string),
        2 => ".{0,24}",
        1 => "[0-9a-f-]{30,40}",
        1 => "[0-9:T.Z+-]{15,32}",
    ]
}

/// Any finite `f64`: normal, subnormal or zero, of either sign (no rejections).
fn finite_f64() -> impl Strategy<Value = f64> {
    use proptest::num::f64::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        finite_f64().prop_map(|x| Number::from_f64(x).expect("finite")),
        proptest::sample::select(vec![
            Number::from(0),
            Number::from(1),
            Number::from(-1),
            Number::from(15),
            Number::from(u64::MAX),
            Number::from(i64::MIN),
            Number::from(i64::MAX),
            Number::from_f64(0.5).unwrap(),
            Number::from_f64(-0.0).unwrap(),
            Number::from_f64(1e308).unwrap(),
            Number::from_f64(-1e308).unwrap(),
            Number::from_f64(f64::MIN_POSITIVE).unwrap(),
            Number::from_f64(400.0).unwrap(),
            Number::from_f64(1.8446744073709552e19).unwrap(),
        ]),
    ]
}

/// Any JSON value: strings, numbers (huge, negative, float), bools, nulls, arrays, and
/// objects whose keys are mostly real field names.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 10, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((key(), inner), 0..10).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Every JSON pointer inside `v` (not the root itself).
fn pointers(v: &Value) -> Vec<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match v {
            Value::Object(m) => m
                .iter()
                .map(|(k, c)| (k.replace('~', "~0").replace('/', "~1"), c))
                .collect(),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, c)| (i.to_string(), c))
                .collect(),
            _ => Vec::new(),
        };
        for (k, c) in children {
            let p = format!("{at}/{k}");
            out.push(p.clone());
            walk(c, &p, out);
        }
    }
    let mut out = Vec::new();
    walk(v, "", &mut out);
    out
}

/// One change to the fixture.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value at this pointer.
    Replace(usize, Value),
    /// Remove the field or element at this pointer.
    Remove(usize),
    /// Add a field with this name to the object at this pointer (or at the root).
    Add(usize, String, Value),
    /// Replace the scalar at this pointer with another of the same JSON type (a string
    /// with one of these strings, a number with this number, a bool with this bool).
    SameType(usize, String, Number, bool),
}

fn mutation(n: usize) -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (0..n, json_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => (0..n).prop_map(Mutation::Remove),
        1 => (0..n, key(), json_value()).prop_map(|(i, k, v)| Mutation::Add(i, k, v)),
        3 => (0..n, string(), number(), any::<bool>())
            .prop_map(|(i, s, x, b)| Mutation::SameType(i, s, x, b)),
    ]
}

/// Apply mutations to the fixture, in order; a pointer that no longer exists (an earlier
/// mutation removed or replaced its parent) is skipped.
fn mutate(base: &Value, ptrs: &[String], mutations: &[Mutation]) -> Value {
    let mut v = base.clone();
    for m in mutations {
        match m {
            Mutation::Replace(i, new) => {
                if let Some(slot) = v.pointer_mut(&ptrs[*i]) {
                    *slot = new.clone();
                }
            }
            Mutation::Remove(i) => {
                let (parent, last) = ptrs[*i].rsplit_once('/').expect("pointers start with /");
                let last = last.replace("~1", "/").replace("~0", "~");
                match v.pointer_mut(parent) {
                    Some(Value::Object(m)) => {
                        m.remove(&last);
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = last.parse::<usize>()
                            && i < a.len()
                        {
                            a.remove(i);
                        }
                    }
                    _ => {}
                }
            }
            Mutation::SameType(i, s, x, b) => match v.pointer_mut(&ptrs[*i]) {
                Some(slot @ Value::String(_)) => *slot = Value::String(s.clone()),
                Some(slot @ Value::Number(_)) => *slot = Value::Number(x.clone()),
                Some(slot @ Value::Bool(_)) => *slot = Value::Bool(*b),
                _ => {}
            },
            Mutation::Add(i, k, new) => match v.pointer_mut(&ptrs[*i]) {
                Some(Value::Object(m)) => {
                    m.insert(k.clone(), new.clone());
                }
                _ => {
                    if let Value::Object(m) = &mut v {
                        m.insert(k.clone(), new.clone());
                    }
                }
            },
        }
    }
    v
}

/// The fixture and its pointers.
fn fixture() -> (Value, Vec<String>) {
    let v = execution("completed");
    let p = pointers(&v);
    (v, p)
}

/// The fixture with a few structural mutations, as JSON text.
fn mutated_fixture_bytes() -> impl Strategy<Value = Vec<u8>> {
    let (base, ptrs) = fixture();
    let n = ptrs.len();
    vec(mutation(n), 1..4).prop_map(move |ms| mutate(&base, &ptrs, &ms).to_string().into_bytes())
}

/// Raw number literals a `serde_json::Value` cannot hold.
const RAW_NUMBERS: &[&str] = &[
    "1e400",
    "-1e400",
    "1E-400",
    "123456789012345678901234567890",
    "-123456789012345678901234567890",
    "18446744073709551616",
    "-9223372036854775809",
    "-0",
    "0.0000000000000000000000000000001",
    "01",
    "1.",
    ".5",
    "+1",
    "NaN",
    "Infinity",
];

/// The fixture text with one value replaced by a raw number literal.
fn raw_number_fixture_bytes() -> impl Strategy<Value = Vec<u8>> {
    let (base, ptrs) = fixture();
    let n = ptrs.len();
    (0..n, proptest::sample::select(RAW_NUMBERS)).prop_map(move |(i, raw)| {
        let mut v = base.clone();
        if let Some(slot) = v.pointer_mut(&ptrs[i]) {
            *slot = Value::String("__RAW_NUMBER__".into());
        }
        v.to_string()
            .replacen("\"__RAW_NUMBER__\"", raw, 1)
            .into_bytes()
    })
}

/// One change to a byte string.
#[derive(Debug, Clone)]
enum ByteEdit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    let interesting = proptest::sample::select(b"{}[]\",:\\0123456789-.eE ntfu\x00\xff".to_vec());
    let byte = prop_oneof![interesting, any::<u8>()];
    prop_oneof![
        3 => (any::<usize>(), byte.clone()).prop_map(|(i, b)| ByteEdit::Set(i, b)),
        2 => (any::<usize>(), byte).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        2 => any::<usize>().prop_map(ByteEdit::Delete),
        1 => any::<usize>().prop_map(ByteEdit::Truncate),
        1 => (any::<usize>(), 1..64usize).prop_map(|(i, n)| ByteEdit::Duplicate(i, n)),
    ]
}

/// The fixture's JSON text with a few byte-level edits.
fn byte_mutated_fixture() -> impl Strategy<Value = Vec<u8>> {
    let base = execution("completed").to_string().into_bytes();
    vec(byte_edit(), 1..6).prop_map(move |edits| {
        let mut b = base.clone();
        for e in edits {
            let len = b.len().max(1);
            match e {
                ByteEdit::Set(i, x) if !b.is_empty() => b[i % len] = x,
                ByteEdit::Insert(i, x) => b.insert(i % (b.len() + 1), x),
                ByteEdit::Delete(i) if !b.is_empty() => {
                    b.remove(i % len);
                }
                ByteEdit::Truncate(i) => b.truncate(i % (b.len() + 1)),
                ByteEdit::Duplicate(i, n) if !b.is_empty() => {
                    let start = i % len;
                    let end = (start + n).min(b.len());
                    let piece = b[start..end].to_vec();
                    b.splice(end..end, piece);
                }
                _ => {}
            }
        }
        b
    })
}

/// Decode `bytes` as `T` the SDK's way and check it against plain serde_json and a round
/// trip. Returns whether it decoded.
fn check_decode<T>(bytes: &[u8]) -> Result<bool, TestCaseError>
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let ours = decode_json::<T>(bytes);
    let plain = serde_json::from_slice::<T>(bytes);
    match (&ours, &plain) {
        (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "decode_json and serde_json disagree"),
        (Err((_path, message)), Err(e)) => {
            // The path may be empty: see `an_empty_key_gives_a_path_that_is_not_empty`.
            prop_assert_eq!(message, &e.to_string());
        }
        _ => prop_assert!(
            false,
            "decode_json {:?} but serde_json {:?}",
            ours.as_ref().map(|_| "ok"),
            plain.as_ref().map(|_| "ok")
        ),
    }
    let Ok(value) = ours else { return Ok(false) };
    // Re-encoding gives a value that decodes back to the same thing, as text and as Value.
    let text =
        serde_json::to_vec(&value).map_err(|e| TestCaseError::fail(format!("encode: {e}")))?;
    let again = decode_json::<T>(&text).map_err(|(path, message)| {
        TestCaseError::fail(format!(
            "re-encoded value does not decode at `{path}`: {message}\n{}",
            String::from_utf8_lossy(&text)
        ))
    })?;
    prop_assert_eq!(&again, &value, "round trip changed the value");
    let from_tree: T = serde_json::from_value(to_tree(&value)?)
        .map_err(|e| TestCaseError::fail(format!("decode from Value: {e}")))?;
    prop_assert_eq!(
        &from_tree,
        &value,
        "round trip through Value changed the value"
    );
    Ok(true)
}

fn to_tree<T: serde::Serialize>(value: &T) -> Result<Value, TestCaseError> {
    serde_json::to_value(value).map_err(|e| TestCaseError::fail(format!("encode: {e}")))
}

fn check_both(bytes: &[u8]) -> Result<(), TestCaseError> {
    check_decode::<Execution>(bytes)?;
    check_decode::<ErrorBody>(bytes)?;
    Ok(())
}

proptest! {
    #![proptest_config(config(cases()))]

    // (a) Arbitrary bytes.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..4096)) {
        check_both(&bytes)?;
    }

    // (b) Arbitrary JSON values.
    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        check_both(v.to_string().as_bytes())?;
    }

    // (b) Objects shaped like an error body: `code` and `message` of any type, extra fields.
    #[test]
    fn error_body_shapes_never_panic(
        code in prop_oneof![number().prop_map(Value::Number), json_value()],
        message in prop_oneof![string().prop_map(Value::String), json_value()],
        extra in vec((key(), json_value()), 0..3),
    ) {
        let mut m: Map<String, Value> = extra.into_iter().collect();
        m.insert("code".into(), code);
        m.insert("message".into(), message);
        check_both(Value::Object(m).to_string().as_bytes())?;
    }

    // (c) The realistic fixture with fields replaced, removed or added.
    #[test]
    fn fixture_mutations_decode_or_fail_cleanly(bytes in mutated_fixture_bytes()) {
        check_both(&bytes)?;
    }

    // (c) The fixture with a number literal serde_json cannot hold as a Value.
    #[test]
    fn raw_number_literals_never_panic(bytes in raw_number_fixture_bytes()) {
        check_both(&bytes)?;
    }

    // (a) The fixture's text with bytes changed, inserted, removed or repeated.
    #[test]
    fn byte_level_fixture_mutations_never_panic(bytes in byte_mutated_fixture()) {
        check_both(&bytes)?;
    }
}

/// The fixture decodes (so the mutation tests start from a valid execution).
#[test]
fn the_fixture_decodes_and_has_many_pointers() {
    let (v, ptrs) = fixture();
    assert!(check_decode::<Execution>(v.to_string().as_bytes()).unwrap());
    assert!(ptrs.len() > 50, "{}", ptrs.len());
    assert!(ptrs.contains(&"/comments/0/userId".to_string()));
}

/// Every special string in every string field of the fixture, and every special number in
/// every number field: exhaustively, since there are few.
#[test]
fn special_scalars_in_every_field_decode_or_fail_cleanly() {
    let (base, ptrs) = fixture();
    let numbers = [
        "0",
        "-1",
        "15",
        "18446744073709551615",
        "-9223372036854775808",
        "0.5",
        "-0.0",
        "1e308",
        "1e-320",
    ];
    let mut decoded = 0;
    for p in &ptrs {
        let replacements: Vec<Value> = match base.pointer(p) {
            Some(Value::String(_)) => SPECIAL_STRINGS.iter().map(|s| Value::from(*s)).collect(),
            Some(Value::Number(_)) => numbers.iter().map(|n| n.parse().unwrap()).collect(),
            _ => continue,
        };
        for r in replacements {
            let mut v = base.clone();
            *v.pointer_mut(p).unwrap() = r.clone();
            let ok = check_decode::<Execution>(v.to_string().as_bytes())
                .unwrap_or_else(|e| panic!("{p} = {r}: {e}"));
            decoded += usize::from(ok);
        }
    }
    assert!(decoded > 100, "{decoded}");
}

/// Bodies for the HTTP path: arbitrary bytes, or text close to an execution.
fn http_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => vec(any::<u8>(), 0..4096),
        2 => mutated_fixture_bytes(),
        1 => byte_mutated_fixture(),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => (json_value(), json_value()).prop_map(|(c, m)| {
            serde_json::json!({"code": c, "message": m}).to_string().into_bytes()
        }),
    ]
}

/// (d) The whole HTTP path: a server answering arbitrary bytes with a 200 (or a documented
/// or undocumented error status). The client returns the outcome the bytes call for.
#[test]
fn the_http_path_never_panics_on_arbitrary_bodies() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _guard = runtime.enter();
    let slot: Arc<Mutex<(u16, Bytes)>> = Arc::new(Mutex::new((200, Bytes::new())));
    let server = {
        let slot = Arc::clone(&slot);
        TestServer::start(move |_| {
            let (status, body) = slot.lock().unwrap().clone();
            Reply::bytes(status, "application/json", body)
        })
    };
    let client = builder_for(&server).max_retries(0).build().expect("client");
    let statuses = proptest::sample::select(vec![200u16, 200, 200, 200, 400, 404, 500, 502]);
    let mut runner = TestRunner::new(config(http_cases()));
    let result = runner.run(&(statuses, http_body()), |(status, body)| {
        *slot.lock().unwrap() = (status, Bytes::from(body.clone()));
        let got = runtime.block_on(client.execution_get().execution_id(execution_id()).send());
        let line = match &got {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        };
        prop_assert!(!line.contains('\n'), "{}", line);
        match got {
            Ok(v) => {
                prop_assert_eq!(status, 200);
                prop_assert_eq!(
                    Ok(v.into_inner()),
                    decode_json::<Execution>(&body).map_err(|_| ())
                );
            }
            Err(Error::Decode {
                response,
                path,
                body: snip,
                ..
            }) => {
                let response = response.expect("response info");
                prop_assert_eq!(response.status.as_u16(), status);
                let expected = if status == 200 {
                    decode_json::<Execution>(&body).map(|_| ())
                } else {
                    decode_json::<ErrorBody>(&body).map(|_| ())
                };
                prop_assert_eq!(expected.map_err(|(p, _)| p), Err(path));
                prop_assert_eq!(snip, snippet(&body));
            }
            Err(Error::Api {
                response,
                body: typed,
                ..
            }) => {
                prop_assert!([400, 404, 500].contains(&status), "{}", status);
                prop_assert_eq!(response.status.as_u16(), status);
                prop_assert_eq!(Ok(*typed), decode_json::<ErrorBody>(&body).map_err(|_| ()));
            }
            Err(Error::UnexpectedStatus {
                response,
                body: snip,
            }) => {
                prop_assert_eq!(status, 502);
                prop_assert_eq!(response.status.as_u16(), 502);
                prop_assert_eq!(snip, snippet(&body));
            }
            Err(other) => prop_assert!(false, "status {}: unexpected {:?}", status, other),
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Every case was a request (none were lost to a panic or a hung connection).
    assert!(server.request_count() >= http_cases() as usize);
}

/// The fuzzer's finding: a failure under a field whose name is empty has an empty path
/// (serde_path_to_error prints the key as it is), where the SDK documents a path, with
/// `$` for the whole body; `Display` then reads "at ``".
#[test]
fn an_empty_key_gives_a_path_that_is_not_empty() {
    let (path, message) = decode_json::<Execution>(br#"{"":"0b7c"#).unwrap_err();
    assert!(!path.is_empty(), "empty path for {message}");
}

/// Floats that must decode exactly: two that serde_json's default parser reads one ulp
/// off (found by the fuzzer: 17 significant digits and a large exponent), and ordinary
/// 17-digit ones, like JavaScript's `JSON.stringify(0.1 + 0.2)`, that it gets right.
const FLOATS: &[&str] = &[
    "1.5056896014136587e-201",
    "-2.0600458175995382e-119",
    "0.30000000000000004",
    "162.88100000000003",
    "1.7976931348623157e308",
];

/// A float the API sends decodes to the nearest `f64` (what `str::parse` gives), so it
/// survives a round trip. Without serde_json's `float_roundtrip` feature it does not.
#[test]
fn floats_decode_exactly() {
    let mut wrong = Vec::new();
    for text in FLOATS {
        let exact: f64 = text.parse().unwrap();
        let mut v = execution("completed");
        v["duration"] = Value::String("__DURATION__".into());
        v["executionResult"]["result"] = serde_json::json!({"total": "__TOTAL__"});
        let body = v
            .to_string()
            .replace("\"__DURATION__\"", text)
            .replace("\"__TOTAL__\"", text);
        let e = decode_json::<Execution>(body.as_bytes()).unwrap();
        let result = e.execution_result.as_ref().unwrap().result["total"].as_f64();
        let again = decode_json::<Execution>(&serde_json::to_vec(&e).unwrap()).unwrap();
        if e.duration != Some(exact) || result != Some(exact) || again != e {
            wrong.push(format!("{text} decodes as {:?}", e.duration));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

proptest! {
    #![proptest_config(config(cases()))]

    /// Every finite `f64` in `duration` and in `result` decodes exactly.
    #[test]
    fn every_float_decodes_exactly(x in finite_f64()) {
        let mut v = execution("completed");
        v["duration"] = Value::Number(Number::from_f64(x).unwrap());
        v["executionResult"]["result"] = serde_json::json!({"total": x});
        let e = decode_json::<Execution>(v.to_string().as_bytes())
            .map_err(|(p, m)| TestCaseError::fail(format!("{p}: {m}")))?;
        prop_assert_eq!(e.duration, Some(x));
        prop_assert_eq!(e.execution_result.unwrap().result["total"].as_f64(), Some(x));
    }
}
