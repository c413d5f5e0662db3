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

def included(rec):
    # RFC 9162 2.1.3.2
    fn, sn = rec["index"], size - 1
    assert fn < size, "index"
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
    assert h == root and sn == 0, "proof"

def disclosed(rec):
    lines = rec["entry"].splitlines()
    assert lines[0] == "xinyong-entry/v2" or not rec["disclosures"], "entry format"
    fields = {l[6:] for l in lines if l.startswith("field ")}
    out = {}
    for d in rec["disclosures"]:
        dig = base64.urlsafe_b64encode(hashlib.sha256(d.encode("ascii")).digest()).rstrip(b"=").decode()
        assert dig in fields, d
        _salt, pointer, value = json.loads(b64url(d))
        out[pointer] = value
    return lines, out

for rec in r["records"]:
    included(rec)
    lines, fields = disclosed(rec)
    assert lines[1] == "index %d" % rec["index"] and lines[5] == "subject " + r["subject"]["uscc"], "entry"
    print(fields)

# The status map (docs/REPORTS.md, "Status map").
st = r["status"]
included(st["commitment"])
lines, m = disclosed(st["commitment"])
assert lines[1] == "index %d" % st["commitment"]["index"] and lines[4] == "kind status_map_committed", "commitment"
assert m["/map/format"] == "xinyong-status-map/v1" and m["/map/as_of"] == r["as_of"], "map"
key = hashlib.sha256(r["subject"]["uscc"].encode()).digest()
bit = lambda k, d: (k[d // 8] >> (7 - d % 8)) & 1
sib = [base64.b64decode(x) for x in st["proof"]["siblings"]]
lf = st["proof"]["leaf"]
if lf is None:
    h = bytes(32)
else:
    lk, lv = base64.b64decode(lf["key"]), base64.b64decode(lf["value_digest"])
    assert all(bit(lk, d) == bit(key, d) for d in range(len(sib))), "leaf off path"
    h = hashlib.sha256(b"\x00" + lk + lv).digest()
for d in reversed(range(len(sib))):
    h = node(sib[d], h) if bit(key, d) else node(h, sib[d])
assert h == base64.b64decode(m["/map/root"]), "status proof"
if lf is not None and base64.b64decode(lf["key"]) == key:
    assert hashlib.sha256(st["value"].encode()).digest() == base64.b64decode(lf["value_digest"]), "status value"
    status = json.loads(st["value"])
    assert status["uscc"] == r["subject"]["uscc"], "status subject"
else:
    assert st["value"] is None, "status value"
    status = {"lists": [], "records": []}
counted = ("administrative_penalty", "court_dishonest_debtor")
assert sorted((x["index"], x["category"]) for x in status["records"]) == \
    sorted((x["index"], x["category"]) for x in r["records"] if x["category"] in counted and not x.get("publicity_ended")), "status records"
assert sorted((x["listed_on"], x["decision_no"], x["list_name"]) for x in status["lists"]) == \
    sorted((x["listed_on"], x["decision_no"], x["list_name"]) for x in r["lists"]), "status lists"
print("status:", "clean (absent from the map)" if st["value"] is None else st["value"])
print("ok", r["report_id"], r["subject"]["name"], len(r["records"]), "records")
