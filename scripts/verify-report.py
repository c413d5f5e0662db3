#!/usr/bin/env python3
# An independent check of a credit report (docs/REPORTS.md), written from the text of
# docs/REPORTS.md and docs/LOG.md alone: Python 3 and the `cryptography` package.
# Usage: scripts/verify-report.py REPORT.json "<log verifier key>"
import base64, hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def b64url(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
def leaf(b): return hashlib.sha256(b"\x00" + b).digest()
def node(l, r): return hashlib.sha256(b"\x01" + l + r).digest()

f = json.load(open(sys.argv[1]))
vkey = sys.argv[2]
name, kid, keyb64 = vkey.split("+", 2)
pub = Ed25519PublicKey.from_public_bytes(base64.b64decode(keyb64)[1:])
header = json.loads(b64url(f["protected"]))
assert header["alg"] == "EdDSA" and header["kid"] == vkey
pub.verify(b64url(f["signature"]), (f["protected"] + "." + f["payload"]).encode())
r = json.loads(b64url(f["payload"]))
text, sig = r["checkpoint"].split("\n\n")
origin, size, root = text.split("\n")[:3]
sigline = sig.strip().split(" ")
assert sigline[1] == name
raw = base64.b64decode(sigline[2]); pub.verify(raw[4:], (text + "\n").encode())
size = int(size); root = base64.b64decode(root)
for rec in r["records"]:
    # RFC 9162 2.1.3.2
    fn, sn = rec["index"], size - 1
    h = leaf(rec["entry"].encode())
    for p in rec["proof"]:
        p = base64.b64decode(p)
        if fn & 1 or fn == sn:
            h = node(p, h)
            while not fn & 1 and fn != 0:
                fn >>= 1; sn >>= 1
        else:
            h = node(h, p)
        fn >>= 1; sn >>= 1
    assert h == root, "proof"
    lines = rec["entry"].splitlines()
    assert lines[0] == "xinyong-entry/v2" or not rec["disclosures"], "entry format"
    assert lines[1] == "index %d" % rec["index"] and lines[5] == "subject " + r["subject"]["uscc"], "entry"
    fields = {l[6:] for l in lines if l.startswith("field ")}
    for d in rec["disclosures"]:
        dig = base64.urlsafe_b64encode(hashlib.sha256(d.encode("ascii")).digest()).rstrip(b"=").decode()
        assert dig in fields, d
        print(json.loads(b64url(d)))
print("ok", r["report_id"], r["subject"]["name"], len(r["records"]), "records")
