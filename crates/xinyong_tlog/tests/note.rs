//! signed-note and tlog-checkpoint: published vectors from Go's
//! `golang.org/x/mod/sumdb/note` tests and the C2SP spec, plus behaviour.

// Integration tests are test code, but clippy's allow-unwrap-in-tests only
// sees that through this attribute (helpers here are not #[test] fns).
#![cfg(test)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use xinyong_tlog::{
    Checkpoint, CheckpointError, MAX_NOTE_SIGNATURES, MemoryTree, NoteError, NoteSigner, NoteVerifier, leaf_hash,
    open_checkpoint, open_note, sign_checkpoint,
};

// From golang.org/x/mod/sumdb/note/note_test.go.
const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIG: &str =
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str =
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/// The Ed25519 seed inside Go's `PRIVATE+KEY+<name>+<id>+base64(0x01 || seed)`.
fn peter_signing_key() -> SigningKey {
    // The base64 itself contains a '+': take everything after the 4th '+'.
    let encoded = PETER_SKEY.splitn(5, '+').nth(4).unwrap();
    let raw = BASE64.decode(encoded).unwrap();
    assert_eq!(raw[0], 0x01, "Ed25519 type byte");
    SigningKey::from_bytes(&raw[1..].try_into().unwrap())
}

fn peter() -> NoteVerifier {
    NoteVerifier::parse(PETER_VKEY).unwrap()
}

fn enoch() -> NoteVerifier {
    NoteVerifier::parse(ENOCH_VKEY).unwrap()
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

#[test]
fn go_reference_note_opens_with_the_published_verifier_key() {
    let verifier = peter();
    assert_eq!(verifier.name(), "PeterNeumann");
    assert_eq!(verifier.key_id(), 0xc74f20a3);
    assert_eq!(verifier.verifier_key(), PETER_VKEY);
    let note = format!("{TEXT}\n{PETER_SIG}");
    assert_eq!(open_note(&note, &[verifier]).unwrap(), TEXT);
}

#[test]
fn our_signer_reproduces_the_go_reference_signature_byte_for_byte() {
    let signer = NoteSigner::new("PeterNeumann", peter_signing_key()).unwrap();
    assert_eq!(signer.key_id(), 0xc74f20a3);
    assert_eq!(signer.verifier_key(), PETER_VKEY);
    assert_eq!(signer.sign(TEXT).unwrap(), format!("{TEXT}\n{PETER_SIG}"));
    assert_eq!(signer.verifier(), peter());
}

/// Port of Go's `TestNewVerifier`: every proper substring and every
/// single-byte increment of the key must be rejected.
#[test]
fn mangled_verifier_keys_are_rejected() {
    let bytes = PETER_VKEY.as_bytes();
    for i in 0..=bytes.len() {
        for j in i + 1..=bytes.len() {
            if i == 0 && j == bytes.len() {
                continue;
            }
            if let Ok(sub) = std::str::from_utf8(&bytes[i..j]) {
                assert!(NoteVerifier::parse(sub).is_err(), "accepted {sub:?}");
            }
        }
    }
    for i in 0..bytes.len() {
        let mut mangled = bytes.to_vec();
        mangled[i] += 1;
        if let Ok(mangled) = String::from_utf8(mangled) {
            assert!(NoteVerifier::parse(&mangled).is_err(), "accepted {mangled:?}");
        }
    }
    // Wrong-length key and unknown algorithm, each with a matching key ID.
    assert!(matches!(
        NoteVerifier::parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="),
        Err(NoteError::MalformedVerifierKey { .. })
    ));
    assert_eq!(
        NoteVerifier::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::UnsupportedKeyType { alg: 0x65 })
    );
}

/// Port of Go's `TestOpen`.
#[test]
fn signatures_from_known_keys_verify_and_unknown_ones_are_ignored() {
    let note = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    assert_eq!(open_note(&note, &[peter()]).unwrap(), TEXT);
    assert_eq!(open_note(&note, &[enoch()]).unwrap(), TEXT);
    assert_eq!(open_note(&note, &[peter(), enoch()]).unwrap(), TEXT);
    assert_eq!(open_note(&note, &[]), Err(NoteError::NoVerifiedSignature { unknown: 2 }));
    // The same verifier listed twice is not ambiguous.
    open_note(&format!("{TEXT}\n{ENOCH_SIG}"), &[enoch(), peter(), enoch()]).unwrap();
    // Repeated signatures, and a corrupt one from an unknown key, are fine.
    let corrupt_enoch = format!("{}ABCD{}", &ENOCH_SIG[..60], &ENOCH_SIG[60..]);
    let note = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{corrupt_enoch}");
    assert_eq!(open_note(&note, &[peter()]).unwrap(), TEXT);
}

#[test]
fn a_failing_signature_from_a_known_key_rejects_the_note() {
    let corrupt = format!("{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    assert_eq!(
        open_note(&format!("{TEXT}\n{corrupt}"), &[peter()]),
        Err(NoteError::InvalidSignature { name: "PeterNeumann".into(), key_id: 0xc74f20a3 })
    );
    // Even when another known signature is valid.
    assert!(open_note(&format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}"), &[peter(), enoch()]).is_ok());
    let tampered_text = TEXT.replace("problem,", "problem;");
    assert!(matches!(
        open_note(&format!("{tampered_text}\n{PETER_SIG}"), &[peter()]),
        Err(NoteError::InvalidSignature { .. })
    ));
}

#[test]
fn too_many_signatures_are_rejected() {
    let at_limit = format!("{TEXT}\n{}", PETER_SIG.repeat(MAX_NOTE_SIGNATURES));
    assert!(open_note(&at_limit, &[peter()]).is_ok());
    let over = format!("{TEXT}\n{}", PETER_SIG.repeat(MAX_NOTE_SIGNATURES + 1));
    for verifiers in [vec![peter()], vec![]] {
        assert_eq!(open_note(&over, &verifiers), Err(NoteError::TooManySignatures { max: MAX_NOTE_SIGNATURES }));
    }
}

#[test]
fn malformed_notes_are_rejected() {
    let bad_name =
        "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    let cases = [
        (TEXT.to_owned(), NoteError::MissingSignatureBlock),
        (format!("{TEXT}\n"), NoteError::MissingSignatureBlock),
        (format!("{TEXT}\n{}", PETER_SIG.trim_end_matches('\n')), NoteError::MalformedSignatureLine { line: 1 }),
        (format!("\x01{TEXT}\n{PETER_SIG}"), NoteError::ControlCharacter { offset: 0 }),
        (format!("{TEXT}\r\n{PETER_SIG}"), NoteError::ControlCharacter { offset: TEXT.len() }),
        (format!("{TEXT}\n{bad_name}"), NoteError::MalformedSignatureLine { line: 1 }),
        (format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"), NoteError::MalformedSignatureLine { line: 2 }),
        (
            format!(
                "{TEXT}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            ),
            NoteError::MalformedSignatureLine { line: 1 },
        ),
        // A signature must hold a key ID and at least one byte.
        (format!("{TEXT}\n— PeterNeumann x08goA==\n"), NoteError::MalformedSignatureLine { line: 1 }),
        // Well-formed but far too short for Ed25519, from a known key.
        (
            format!("{TEXT}\n— PeterNeumann x08go/Y=\n"),
            NoteError::InvalidSignature { name: "PeterNeumann".into(), key_id: 0xc74f20a3 },
        ),
        (format!("{TEXT}\n— PeterNeumann x08go/Z\n"), NoteError::MalformedSignatureLine { line: 1 }),
        (format!("{TEXT}\n— PeterNeumann \n"), NoteError::MalformedSignatureLine { line: 1 }),
    ];
    for (note, want) in cases {
        assert_eq!(open_note(&note, &[peter()]), Err(want), "{note:?}");
    }
}

#[test]
fn the_text_may_contain_blank_lines() {
    let signer = NoteSigner::new("example.com/log", key(1)).unwrap();
    let text = "first\n\nsecond\n\n";
    let note = signer.sign(text).unwrap();
    assert_eq!(open_note(&note, &[signer.verifier()]).unwrap(), text);
}

#[test]
fn signing_rejects_texts_that_would_not_open() {
    let signer = NoteSigner::new("example.com/log", key(1)).unwrap();
    assert_eq!(signer.sign("no newline"), Err(NoteError::TextMissingFinalNewline));
    assert_eq!(signer.sign(""), Err(NoteError::TextMissingFinalNewline));
    assert_eq!(signer.sign("tab\there\n"), Err(NoteError::ControlCharacter { offset: 3 }));
}

#[test]
fn key_names_follow_the_spec() {
    for bad in ["", "a b", "a+b", "a\u{a0}b", "a\u{3000}b", "tab\t"] {
        assert!(NoteSigner::new(bad, key(1)).is_err(), "{bad:?}");
        assert!(NoteVerifier::new(bad, key(1).verifying_key()).is_err(), "{bad:?}");
    }
    let signer = NoteSigner::new("信用.example/日志", key(1)).unwrap();
    assert_eq!(NoteVerifier::parse(&signer.verifier_key()).unwrap(), signer.verifier());
    // The Debug form never shows the private key.
    let debug = format!("{signer:?}");
    assert!(debug.contains("信用.example/日志") && !debug.contains("secret"));
}

fn checkpoint_signer() -> NoteSigner {
    NoteSigner::new("xinyong.example/log", key(7)).unwrap()
}

fn sample_checkpoint() -> Checkpoint {
    let tree = MemoryTree::from_leaf_hashes((0u8..5).map(|i| leaf_hash(&[i])));
    Checkpoint::new("xinyong.example/log", tree.size(), tree.root())
}

#[test]
fn checkpoints_round_trip_through_signing() {
    let signer = checkpoint_signer();
    let mut checkpoint = sample_checkpoint();
    let note = sign_checkpoint(&checkpoint, &signer).unwrap();
    assert!(note.starts_with(&checkpoint.to_text()));
    assert_eq!(open_checkpoint(&note, &signer.verifier()).unwrap(), checkpoint);

    checkpoint.extensions = vec!["ext one".into(), "— not a signature".into()];
    let note = sign_checkpoint(&checkpoint, &signer).unwrap();
    assert_eq!(open_checkpoint(&note, &signer.verifier()).unwrap(), checkpoint);
}

#[test]
fn tampered_checkpoints_and_wrong_keys_fail() {
    let signer = checkpoint_signer();
    let checkpoint = sample_checkpoint();
    let note = sign_checkpoint(&checkpoint, &signer).unwrap();

    let tampered = note.replacen("\n5\n", "\n6\n", 1);
    assert_ne!(tampered, note);
    assert!(matches!(
        open_checkpoint(&tampered, &signer.verifier()),
        Err(CheckpointError::Note(NoteError::InvalidSignature { .. }))
    ));

    // Same name, different key: its key ID differs, so the signature is
    // from an unknown key and nothing verifies.
    let other = NoteSigner::new("xinyong.example/log", key(8)).unwrap();
    assert_eq!(
        open_checkpoint(&note, &other.verifier()),
        Err(CheckpointError::Note(NoteError::NoVerifiedSignature { unknown: 1 }))
    );

    // A witness cosignature from a key we do not know is ignored.
    let witness = NoteSigner::new("witness.example", key(9)).unwrap();
    let cosigned = witness.sign(&checkpoint.to_text()).unwrap();
    let witness_line = cosigned.rsplit_once("\n\n").unwrap().1;
    let with_cosignature = format!("{note}{witness_line}");
    assert_eq!(open_checkpoint(&with_cosignature, &signer.verifier()).unwrap(), checkpoint);
}

#[test]
fn the_origin_must_be_the_key_name() {
    let signer = checkpoint_signer();
    let mut checkpoint = sample_checkpoint();
    checkpoint.origin = "someone.else/log".into();
    assert_eq!(
        sign_checkpoint(&checkpoint, &signer),
        Err(NoteError::CheckpointOriginMismatch {
            origin: "someone.else/log".into(),
            key_name: "xinyong.example/log".into()
        })
    );
    // A note signed directly, bypassing sign_checkpoint, is caught on open.
    let note = signer.sign(&checkpoint.to_text()).unwrap();
    assert!(matches!(open_checkpoint(&note, &signer.verifier()), Err(CheckpointError::OriginMismatch { .. })));
}

#[test]
fn unparseable_checkpoints_are_not_signed() {
    let signer = checkpoint_signer();
    let mut checkpoint = sample_checkpoint();
    checkpoint.extensions = vec![String::new()];
    assert!(matches!(sign_checkpoint(&checkpoint, &signer), Err(NoteError::InvalidCheckpoint { .. })));
    checkpoint.extensions = vec!["two\nlines".into()];
    assert!(matches!(sign_checkpoint(&checkpoint, &signer), Err(NoteError::InvalidCheckpoint { .. })));
}

#[test]
fn the_spec_example_checkpoint_text_parses() {
    // From c2sp.org/tlog-checkpoint.
    let text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    let checkpoint = Checkpoint::parse(text).unwrap();
    assert_eq!(checkpoint.origin, "example.com/behind-the-sofa");
    assert_eq!(checkpoint.size, 20852163);
    assert_eq!(checkpoint.root.to_vec(), BASE64.decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=").unwrap());
    assert!(checkpoint.extensions.is_empty());
    assert_eq!(checkpoint.to_text(), text);
}

#[test]
fn malformed_checkpoint_texts_are_rejected() {
    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let cases = [
        (format!("o\n1\n{root}"), CheckpointError::MissingFinalNewline),
        ("o\n1\n".to_owned(), CheckpointError::TooFewLines { count: 2 }),
        (format!("o\n1\n{root}\n\n"), CheckpointError::EmptyLine { line: 4 }),
        (format!("\n1\n{root}\n"), CheckpointError::EmptyLine { line: 1 }),
        (format!("o\n01\n{root}\n"), CheckpointError::InvalidSize),
        (format!("o\n-1\n{root}\n"), CheckpointError::InvalidSize),
        (format!("o\n18446744073709551616\n{root}\n"), CheckpointError::InvalidSize),
        ("o\n1\nAAAA\n".to_owned(), CheckpointError::InvalidRootHash),
        (format!("o\n1\n{}\n", root.trim_end_matches('=')), CheckpointError::InvalidRootHash),
    ];
    for (text, want) in cases {
        assert_eq!(Checkpoint::parse(&text), Err(want), "{text:?}");
    }
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in any::<String>()) {
        let _ = NoteVerifier::parse(&text);
        let _ = open_note(&text, &[peter()]);
        let _ = Checkpoint::parse(&text);
    }

    #[test]
    fn parsers_never_panic_on_note_shaped_text(text in "[a-z0-9+/=\n— .]{0,200}") {
        let _ = NoteVerifier::parse(&text);
        let _ = open_note(&text, &[peter()]);
        let _ = open_note(&format!("{TEXT}\n{text}"), &[peter()]);
        let _ = Checkpoint::parse(&text);
    }

    #[test]
    fn checkpoints_round_trip(
        origin in "[a-z./]{1,20}",
        size in any::<u64>(),
        root in any::<[u8; 32]>(),
        extensions in proptest::collection::vec("[ -~]{1,10}", 0..3),
    ) {
        let checkpoint = Checkpoint { origin, size, root, extensions };
        prop_assert_eq!(Checkpoint::parse(&checkpoint.to_text()), Ok(checkpoint));
    }
}
