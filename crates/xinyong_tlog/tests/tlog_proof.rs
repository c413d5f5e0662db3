//! tlog-proof text format and end-to-end verification.

// Integration tests are test code, but clippy's allow-unwrap-in-tests only
// sees that through this attribute (helpers here are not #[test] fns).
#![cfg(test)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use xinyong_tlog::{
    Checkpoint, CheckpointError, Hash, MemoryTree, NoteError, NoteSigner, ProofFormatError, TLOG_PROOF_HEADER,
    TlogProof, TlogProofError, VerifyError, format_hash_lines, leaf_hash, parse_hash_lines, sign_checkpoint,
    verify_consistency, verify_tlog_proof,
};

const ORIGIN: &str = "xinyong.example/log";

struct Log {
    entries: Vec<Vec<u8>>,
    tree: MemoryTree,
    signer: NoteSigner,
    checkpoint: String,
}

fn log(size: usize) -> Log {
    let signer = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[3; 32])).unwrap();
    let entries: Vec<Vec<u8>> = (0..size).map(|i| format!("entry {i}").into_bytes()).collect();
    let mut tree = MemoryTree::new();
    for entry in &entries {
        tree.push_data(entry);
    }
    let checkpoint = sign_checkpoint(&Checkpoint::new(ORIGIN, tree.size(), tree.root()), &signer).unwrap();
    Log { entries, tree, signer, checkpoint }
}

fn proof_for(log: &Log, index: u64, extra: Option<Vec<u8>>) -> TlogProof {
    TlogProof {
        extra,
        index,
        hashes: log.tree.inclusion_proof(index, log.tree.size()).unwrap(),
        checkpoint: log.checkpoint.clone(),
    }
}

#[test]
fn the_text_layout_follows_the_spec() {
    let log = log(5);
    let proof = proof_for(&log, 3, Some(b"context".to_vec()));
    let mut want = String::from("c2sp.org/tlog-proof@v1\nextra Y29udGV4dA==\nindex 3\n");
    for hash in &proof.hashes {
        want.push_str(&BASE64.encode(hash));
        want.push('\n');
    }
    want.push('\n');
    want.push_str(&log.checkpoint);
    assert_eq!(proof.to_text(), want);

    let without_extra = TlogProof { extra: None, ..proof };
    assert!(without_extra.to_text().starts_with("c2sp.org/tlog-proof@v1\nindex 3\n"));
}

#[test]
fn every_entry_of_a_log_has_a_verifying_proof_that_survives_text() {
    let log = log(13);
    let verifier = log.signer.verifier();
    for (index, entry) in log.entries.iter().enumerate() {
        let proof = proof_for(&log, index as u64, None);
        let parsed = TlogProof::parse(&proof.to_text()).unwrap();
        assert_eq!(parsed, proof);
        let checkpoint = verify_tlog_proof(&parsed, entry, &verifier).unwrap();
        assert_eq!((checkpoint.origin.as_str(), checkpoint.size), (ORIGIN, 13));
    }
}

#[test]
fn wrong_entries_indexes_keys_and_checkpoints_fail() {
    let log = log(13);
    let verifier = log.signer.verifier();
    let proof = proof_for(&log, 4, None);
    verify_tlog_proof(&proof, &log.entries[4], &verifier).unwrap();

    assert_eq!(
        verify_tlog_proof(&proof, &log.entries[5], &verifier),
        Err(TlogProofError::Inclusion(VerifyError::RootMismatch))
    );
    let moved = TlogProof { index: 5, ..proof.clone() };
    assert!(matches!(verify_tlog_proof(&moved, &log.entries[4], &verifier), Err(TlogProofError::Inclusion(_))));
    let beyond = TlogProof { index: 13, ..proof.clone() };
    assert_eq!(
        verify_tlog_proof(&beyond, &log.entries[4], &verifier),
        Err(TlogProofError::Inclusion(VerifyError::IndexOutOfRange { index: 13, size: 13 }))
    );

    let stranger = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[4; 32])).unwrap();
    assert_eq!(
        verify_tlog_proof(&proof, &log.entries[4], &stranger.verifier()),
        Err(TlogProofError::Checkpoint(CheckpointError::Note(NoteError::NoVerifiedSignature { unknown: 1 })))
    );

    // A checkpoint for a different tree, properly signed, does not match.
    let bigger = self::log(14);
    let swapped = TlogProof { checkpoint: bigger.checkpoint.clone(), ..proof.clone() };
    assert!(matches!(verify_tlog_proof(&swapped, &log.entries[4], &verifier), Err(TlogProofError::Inclusion(_))));
    let forged = TlogProof { checkpoint: log.checkpoint.replacen("\n13\n", "\n14\n", 1), ..proof };
    assert!(matches!(
        verify_tlog_proof(&forged, &log.entries[4], &verifier),
        Err(TlogProofError::Checkpoint(CheckpointError::Note(NoteError::InvalidSignature { .. })))
    ));
}

#[test]
fn the_spec_example_parses() {
    // From c2sp.org/tlog-proof (signatures elided there, so only parsed).
    let text = "c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

— example.com/fancylog hI2DJw[...]1roloI=
";
    let proof = TlogProof::parse(text).unwrap();
    assert!(proof.extra.as_ref().unwrap().starts_with(b"age-v1.2.1-darwin-arm64.tar.gz"));
    assert_eq!(proof.index, 73894);
    assert_eq!(proof.hashes.len(), 5);
    assert!(proof.checkpoint.starts_with("example.com/fancylog\n109482\n"));
    assert_eq!(proof.to_text(), text);
}

#[test]
fn malformed_proofs_are_rejected_with_the_line() {
    let hash = BASE64.encode([0u8; 32]);
    let cases = [
        ("wrong-header\nindex 0\n\ncheckpoint\n".to_owned(), ProofFormatError::MissingHeader),
        ("c2sp.org/tlog-proof@v1".to_owned(), ProofFormatError::UnterminatedLine { line: 1 }),
        ("c2sp.org/tlog-proof@v1\r\nindex 0\n\ncp\n".to_owned(), ProofFormatError::MissingHeader),
        ("c2sp.org/tlog-proof@v1\n".to_owned(), ProofFormatError::MissingIndex { line: 2 }),
        (
            "c2sp.org/tlog-proof@v1\nextra !!notbase64!!\nindex 0\n\ncp\n".to_owned(),
            ProofFormatError::InvalidExtra { line: 2 },
        ),
        ("c2sp.org/tlog-proof@v1\n\n\ncp\n".to_owned(), ProofFormatError::MissingIndex { line: 2 }),
        ("c2sp.org/tlog-proof@v1\nextra \n\ncp\n".to_owned(), ProofFormatError::MissingIndex { line: 3 }),
        ("c2sp.org/tlog-proof@v1\nindex notanumber\n\ncp\n".to_owned(), ProofFormatError::InvalidIndex { line: 2 }),
        ("c2sp.org/tlog-proof@v1\nindex -5\n\ncp\n".to_owned(), ProofFormatError::InvalidIndex { line: 2 }),
        ("c2sp.org/tlog-proof@v1\nindex 05\n\ncp\n".to_owned(), ProofFormatError::InvalidIndex { line: 2 }),
        (
            "c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\ncp\n".to_owned(),
            ProofFormatError::InvalidHash { line: 3 },
        ),
        (
            format!("c2sp.org/tlog-proof@v1\nindex 0\n{}\n\ncp\n", BASE64.encode([0u8; 64])),
            ProofFormatError::InvalidHash { line: 3 },
        ),
        (format!("c2sp.org/tlog-proof@v1\nindex 0\n{hash}\n"), ProofFormatError::MissingCheckpoint),
        (format!("c2sp.org/tlog-proof@v1\nindex 0\n{hash}\n\n"), ProofFormatError::MissingCheckpoint),
        (format!("c2sp.org/tlog-proof@v1\nindex 0\n{hash}"), ProofFormatError::UnterminatedLine { line: 3 }),
        (
            format!("c2sp.org/tlog-proof@v1\nindex 0\n{}\ncp\n", format!("{hash}\n").repeat(65)),
            ProofFormatError::TooManyHashes { max: 64 },
        ),
    ];
    for (text, want) in cases {
        assert_eq!(TlogProof::parse(&text), Err(want), "{text:?}");
    }
    // Empty extra data is allowed and distinct from no extra line.
    let proof = TlogProof::parse("c2sp.org/tlog-proof@v1\nextra \nindex 0\n\ncp\n").unwrap();
    assert_eq!(proof.extra, Some(Vec::new()));
}

#[test]
fn consistency_hash_lines_round_trip_and_verify() {
    let log = log(21);
    let old = MemoryTree::from_leaf_hashes(log.entries[..8].iter().map(|e| leaf_hash(e)));
    let proof = log.tree.consistency_proof(8, 21).unwrap();
    let text = format_hash_lines(&proof);
    assert_eq!(text.lines().count(), proof.len());
    let parsed = parse_hash_lines(&text).unwrap();
    assert_eq!(parsed, proof);
    verify_consistency(8, 21, &old.root(), &log.tree.root(), &parsed).unwrap();

    assert_eq!(format_hash_lines(&[]), "");
    assert_eq!(parse_hash_lines(""), Ok(vec![]));
    assert_eq!(parse_hash_lines(text.trim_end()), Err(ProofFormatError::UnterminatedLine { line: proof.len() }));
    assert_eq!(parse_hash_lines("\n"), Err(ProofFormatError::InvalidHash { line: 1 }));
    assert_eq!(
        parse_hash_lines(&format!("{}\n", BASE64.encode([1u8; 32])).repeat(129)),
        Err(ProofFormatError::TooManyHashes { max: 128 })
    );
}

fn hash_strategy() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>()
}

proptest! {
    #[test]
    fn proofs_round_trip_through_text(
        extra in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        index in any::<u64>(),
        hashes in proptest::collection::vec(hash_strategy(), 0..=64),
        checkpoint in "(?s).{1,200}",
    ) {
        let proof = TlogProof { extra, index, hashes, checkpoint };
        prop_assert_eq!(TlogProof::parse(&proof.to_text()), Ok(proof));
    }

    #[test]
    fn hash_lines_round_trip(hashes in proptest::collection::vec(hash_strategy(), 0..=128)) {
        prop_assert_eq!(parse_hash_lines(&format_hash_lines(&hashes)), Ok(hashes));
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in any::<String>()) {
        let _ = TlogProof::parse(&text);
        let _ = parse_hash_lines(&text);
        let _ = TlogProof::parse(&format!("{TLOG_PROOF_HEADER}\n{text}"));
        let _ = TlogProof::parse(&format!("{TLOG_PROOF_HEADER}\nindex 1\n{text}"));
    }

    #[test]
    fn parsers_never_panic_on_proof_shaped_text(text in "[a-zA-Z0-9+/= \n]{0,300}") {
        let log_proof = format!("{TLOG_PROOF_HEADER}\n{text}");
        if let Ok(proof) = TlogProof::parse(&log_proof) {
            let verifier = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[3; 32])).unwrap().verifier();
            prop_assert!(verify_tlog_proof(&proof, b"entry", &verifier).is_err());
        }
        let _ = parse_hash_lines(&text);
    }
}
