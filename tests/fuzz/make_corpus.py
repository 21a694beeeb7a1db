#!/usr/bin/env python3
"""make_corpus.py: writes the seed corpora of tests/fuzz/corpus/<target>/.

The seeds come from the project's test vectors (tests/vectors: RFC 5769
STUN, the RFC 7714 SRTP/SRTCP plaintexts, the configuration cases), a
recorded DTLS handshake (tests/fuzz/dtls-recorded: the datagrams of one
lib/dtls client/server pair, raw), the real
browser offers (tests/vectors/sdp, copies of ../shared/testdata/sdp) and
conf/whepfan.conf, plus packets built here the way the unit tests build
them, each in the input layout its harness reads (tests/fuzz/fuzz_*.c).
Rerun after changing a harness's layout:  python3 tests/fuzz/make_corpus.py
(or one section: python3 tests/fuzz/make_corpus.py http).
Files named crash-* are findings kept as regressions: never removed here.
"""
import glob
import hashlib
import hmac
import json
import os
import re
import struct
import zlib

TOP = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(TOP, "tests", "fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def clean(target):
    d = os.path.join(OUT, target)
    for f in glob.glob(os.path.join(d, "*")):
        if not os.path.basename(f).startswith("crash-"):
            os.remove(f)


def u16(v):
    return struct.pack(">H", v & 0xFFFF)


def chunk(b):
    return u16(len(b)) + b


# ---- STUN (fuzz_stun.c: flags byte, datagram) -------------------------------
UFRAG, PWD = "evtj", "VOkJxbRl1RmTxUk/WvJxBt"
TXID = bytes(range(1, 13))


def stun_attr(t, v):
    pad = (4 - len(v) % 4) % 4
    return u16(t) + u16(len(v)) + v + b"\0" * pad


def stun_msg(mtype, attrs, pwd=PWD, mi=True, fp=True):
    body = b"".join(stun_attr(t, v) for t, v in attrs)
    hdr = lambda n: u16(mtype) + u16(n) + b"\x21\x12\xa4\x42" + TXID
    if mi:
        m = hdr(len(body) + 24) + body
        mac = hmac.new(pwd.encode(), m, hashlib.sha1).digest()
        body += stun_attr(0x0008, mac)
    if fp:
        m = hdr(len(body) + 8) + body
        crc = (zlib.crc32(m) ^ 0x5354554E) & 0xFFFFFFFF
        body += stun_attr(0x8028, struct.pack(">I", crc))
    return hdr(len(body)) + body


def stun():
    clean("stun")
    text = open(os.path.join(TOP, "tests/vectors/stun/rfc5769.h")).read()
    for i, m in enumerate(re.finditer(r'\.hex\s*=\s*((?:"[0-9a-f]*"\s*)+)', text)):
        raw = bytes.fromhex("".join(re.findall(r'"([0-9a-f]*)"', m.group(1))))
        write("stun", "rfc5769-%d" % i, b"\0" + raw)
        write("stun", "rfc5769-%d-resign" % i, b"\1" + raw)
        write("stun", "rfc5769-%d-trunc" % i, b"\0" + raw[: len(raw) // 2])
    user = ("%s:h6vY" % UFRAG).encode()
    good = [(0x0006, user), (0x802A, struct.pack(">Q", 0x1122334455667788)),
            (0x0025, b""), (0x0024, struct.pack(">I", 0x6E7F1EFF))]
    write("stun", "browser-request", b"\1" + stun_msg(0x0001, good))
    write("stun", "browser-request-tight", b"\x90" + stun_msg(0x0001, good))
    write("stun", "controlled-487", b"\1" + stun_msg(
        0x0001, [(0x0006, user), (0x8029, struct.pack(">Q", 7)),
                 (0x0024, struct.pack(">I", 1))]))
    write("stun", "unknown-420", b"\1" + stun_msg(
        0x0001, good + [(0x0777, b"abcd")]))
    write("stun", "no-priority-400", b"\1" + stun_msg(0x0001, good[:3]))
    write("stun", "wrong-pwd-401", b"\0" + stun_msg(0x0001, good, pwd="x" * 22))
    write("stun", "wrong-user", b"\1" + stun_msg(0x0001, [(0x0006, b"abcd:efgh")] + good[1:]))
    write("stun", "error-response", b"\1" + stun_msg(
        0x0111, [(0x0009, b"\0\0\x04\x01Unauthorized"), (0x000A, u16(0x0777) + u16(0x0778))]))
    write("stun", "indication", b"\0" + stun_msg(0x0011, [], mi=False))
    write("stun", "after-mi", b"\1" + stun_msg(0x0001, good) + b"")
    for name, ctl, uc, ufrag in (("client-controlling", 1, 1, b"h6vY"),
                                  ("client-controlled", 0, 0, b"abcd+/09"),
                                  ("client-bad-ufrag", 1, 0, b"a:b c"),
                                  ("client-long-ufrag", 1, 1, b"x" * 256)):
        write("stun", name, b"\2" + struct.pack(">IQBB", 0x6E7F1EFF, 0x1122334455667788,
                                                ctl, uc) + ufrag)
    write("stun", "header-only", b"\0" + u16(1) + u16(0) + b"\x21\x12\xa4\x42" + TXID)


# ---- SDP (fuzz_sdp.c: flags byte, offer) ------------------------------------
def sdp():
    clean("sdp")
    offers = sorted(glob.glob(os.path.join(TOP, "tests/vectors/sdp/*.sdp")))
    for path in offers:
        name = os.path.basename(path)[:-4]
        body = open(path, "rb").read()
        for flags in (0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x18, 0x41, 0x60, 0xE0):
            write("sdp", "%s-%02x" % (name, flags), bytes([flags]) + body)
        write("sdp", name + "-crlf", b"\0" + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        write("sdp", name + "-half", b"\0" + body[: len(body) // 2])
        # what a WHIP publisher sends: the same transceivers, sendonly
        pub = body.replace(b"a=recvonly", b"a=sendonly")
        for flags in (0x00, 0x01, 0x41):
            write("sdp", "%s-sendonly-%02x" % (name, flags), bytes([flags]) + pub)
    frag = (b"a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\nm=audio 9 "
            b"UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 "
            b"198.18.0.9 50000 typ host\r\na=candidate:2 1 udp 1 x.local 9 typ host "
            b"generation 0\r\na=end-of-candidates\r\n")
    write("sdp", "trickle-frag", b"\0" + frag)
    write("sdp", "empty", b"\0")
    write("sdp", "v-only", b"\0v=0\r\n")


# ---- RTP (fuzz_rtp.c: [u16 arrival step, u16 len, packet]...) -----------------
def rtp_pkt(seq, ts, payload, pt=96, marker=0, csrc=(), ext=None, pad=0):
    b0 = 0x80 | len(csrc) | (0x10 if ext is not None else 0) | (0x20 if pad else 0)
    h = bytes([b0, (marker << 7) | pt]) + u16(seq) + struct.pack(">II", ts, 0x1234ABCD)
    h += b"".join(struct.pack(">I", c) for c in csrc)
    if ext is not None:
        h += u16(0xBEDE) + u16(len(ext) // 4) + ext
    tail = (b"\0" * (pad - 1) + bytes([pad])) if pad else b""
    return h + payload + tail


def rtp():
    clean("rtp")
    sps = bytes([0x67, 0x42, 0xE0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xEC])
    pps = bytes([0x68, 0xCE, 0x3C, 0x80])
    idr = bytes([0x65, 0x88, 0x84, 0x00, 0x33])
    slice_ = bytes([0x41, 0x9A, 0x02, 0x04])
    stap = bytes([0x18]) + u16(len(sps)) + sps + u16(len(pps)) + pps
    fua_s = bytes([0x7C, 0x85]) + idr[1:]
    fua_e = bytes([0x7C, 0x45]) + b"\x11\x22"
    vp8_key = bytes([0x90, 0x80, 0x00, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A])
    vp8_delta = bytes([0x90, 0x80, 0x01, 0x10, 0x01, 0x00, 0x00])
    vp9_key = bytes([0x8A, 0x00, 0x01, 0x18, 0x02, 0x80, 0x01, 0xE0, 0x01, 0x01, 0x00,
                     0x82, 0x49, 0x83])
    vp9_flex = bytes([0xD8, 0x80, 0x05, 0x02, 0x01, 0x00])
    av1_key = bytes([0x18, 0x0A, 0x0B, 0x00, 0x00, 0x00, 0x24, 0xC4, 0xFF, 0xDF, 0x00,
                     0x68, 0x02, 0x30, 0x10])
    av1_delta = bytes([0x10, 0x32, 0x10])
    seqs = {
        "h264-idr": [sps, pps, idr, slice_],
        "h264-stap-fua": [stap, fua_s, fua_e, slice_],
        "vp8": [vp8_key, vp8_delta, vp8_delta],
        "vp9": [vp9_key, vp9_flex],
        "av1": [av1_key, av1_delta],
    }
    for name, payloads in seqs.items():
        b = b""
        for i, p in enumerate(payloads):
            b += u16(3000) + chunk(rtp_pkt(100 + i, 9000 * i, p, marker=i == len(payloads) - 1))
        write("rtp", name, b)
    odd = [rtp_pkt(65535, 1, idr, csrc=(1, 2), ext=b"\x10\xff\0\0", pad=4),
           rtp_pkt(0, 2, fua_s, ext=b""), rtp_pkt(5, 3, b"", pad=1),
           rtp_pkt(3, 4, stap[:5]), bytes([0x80, 0xC8]) + b"\0" * 10]
    b = b"".join(u16(10) + chunk(p) for p in odd)
    write("rtp", "wrap-ext-pad-csrc", b)
    write("rtp", "truncated", u16(1) + chunk(rtp_pkt(1, 1, idr)[:11]))
    write("rtp", "bad-padding", u16(1) + chunk(rtp_pkt(1, 1, idr)[:-1] + b"\xff"))


# ---- RTCP (fuzz_rtcp.c: one compound packet) ---------------------------------
def rtcp_hdr(count, pt, body):
    return bytes([0x80 | count, pt]) + u16(len(body) // 4) + body


def rtcp():
    clean("rtcp")
    block = struct.pack(">IIIIII", 0x1234ABCD, 0x05000010, 0x00010064, 20, 0x11112222, 655)
    sr = rtcp_hdr(1, 200, struct.pack(">IQIII", 0xAA, 0xE1000000_80000000, 90000, 10, 1000) + block)
    rr = rtcp_hdr(1, 201, struct.pack(">I", 0xBB) + block)
    sdes = rtcp_hdr(1, 202, struct.pack(">I", 0xBB) + b"\x01\x06abcdef\0\0\0\0")
    bye = rtcp_hdr(1, 203, struct.pack(">I", 0xBB) + b"\x03bye")
    nack = rtcp_hdr(1, 205, struct.pack(">II", 0xBB, 0x1234ABCD) + u16(100) + u16(0x8001)
                    + u16(65535) + u16(0xFFFF))
    pli = rtcp_hdr(1, 206, struct.pack(">II", 0xBB, 0x1234ABCD))
    fir = rtcp_hdr(4, 206, struct.pack(">II", 0xBB, 0) + struct.pack(">IBxxx", 0x1234ABCD, 7))
    remb = rtcp_hdr(15, 206, struct.pack(">II", 0xBB, 0) + b"REMB" + b"\x01\x0a\x00\x01" +
                    struct.pack(">I", 0x1234ABCD))
    write("rtcp", "sr-sdes", sr + sdes)
    write("rtcp", "rr-sdes-bye", rr + sdes + bye)
    write("rtcp", "nack", nack)
    write("rtcp", "rr-nack-pli", rr + nack + pli)
    write("rtcp", "fir", fir)
    write("rtcp", "remb", remb)
    write("rtcp", "padded", bytes([0xA0 | 0, 201, 0, 2]) + struct.pack(">I", 0xBB) + b"\0\0\0\x04")
    write("rtcp", "bad-length", rr[:2] + u16(99) + rr[4:])
    write("rtcp", "truncated", sr[:10])
    write("rtcp", "nack-no-fci", rtcp_hdr(1, 205, struct.pack(">II", 0xBB, 1)))
    write("rtcp", "rr-rc-overclaim", rtcp_hdr(2, 201, struct.pack(">I", 0xBB) + block))
    write("rtcp", "sr-rc-31", rtcp_hdr(31, 200, sr[4:]))
    write("rtcp", "bye-sc-overclaim", rtcp_hdr(5, 203, struct.pack(">I", 0xBB)))
    write("rtcp", "bye-reason-overrun", rtcp_hdr(1, 203, struct.pack(">I", 0xBB) + b"\xffbye"))
    write("rtcp", "fir-partial-entry", rtcp_hdr(4, 206, struct.pack(">II", 0xBB, 0) + b"\0\0\0\1"))
    write("rtcp", "nack-odd-fci", rtcp_hdr(1, 205, struct.pack(">II", 0xBB, 1) + b"\0\1\0\0\0\2\0\0")[:-2] + b"\0\0")
    write("rtcp", "sdes-overrun", rtcp_hdr(1, 202, struct.pack(">I", 0xBB) + b"\x01\x40ab\0"))


# ---- SRTP (fuzz_srtp.c: header byte, [mode, u16 len, chunk, extras]...) ------
def srtp():
    clean("srtp")
    vec = json.load(open(os.path.join(TOP, "tests/vectors/srtp/rfc7714_16_srtp_gcm.json")))
    rtp_pt = bytes.fromhex(vec[0]["pt"].replace(" ", ""))
    vec = json.load(open(os.path.join(TOP, "tests/vectors/srtp/rfc7714_17_srtcp_gcm.json")))
    rtcp_pt = bytes.fromhex(vec[0]["pt"].replace(" ", ""))
    extras = lambda roc, idx, where, flip: bytes([roc]) + struct.pack(">I", idx) + u16(where) + bytes([flip])
    for prof in range(4):
        # RTP: two good packets, a replay of the first, a tampered one, a raw one.
        p2 = bytearray(rtp_pt)
        p2[3] = (p2[3] + 1) & 0xFF
        b = bytes([prof])
        b += b"\1" + chunk(rtp_pt) + extras(0, 0, 0, 0)
        b += b"\1" + chunk(bytes(p2)) + extras(0, 0, 0, 0)
        b += b"\1" + chunk(rtp_pt) + extras(0, 0, 0, 0)
        b += b"\3" + chunk(rtp_pt) + extras(0, 0, 20, 0x40)
        b += b"\0" + chunk(rtp_pt + b"\0" * 16)
        write("srtp", "rtp-profile%d" % prof, b)
        b = bytes([prof | 4])
        b += b"\1" + chunk(rtcp_pt) + extras(0, 5, 0, 0)
        b += b"\1" + chunk(rtcp_pt) + extras(0, 5, 0, 0)
        b += b"\3" + chunk(rtcp_pt) + extras(0, 6, 9, 1)
        b += b"\0" + chunk(rtcp_pt + b"\x80\0\0\x07" + b"\0" * 16)
        write("srtp", "rtcp-profile%d" % prof, b)
        key = bytes(range(32 if prof == 3 else 16)) + bytes(range(100, 112 if prof >= 2 else 114))
        write("srtp", "keyed-profile%d" % prof, bytes([prof | 8]) + key + b"\1" + chunk(rtp_pt) +
              extras(1, 0, 0, 0))
    csrc = bytes([0x92, 0x60]) + rtp_pt[2:12] + b"\0\0\0\1\0\0\0\2" + u16(0xBEDE) + u16(1) + b"\x10\xff\0\0" + rtp_pt[12:]
    write("srtp", "rtp-csrc-ext", b"\0\1" + chunk(csrc) + extras(0, 0, 0, 0))
    payload = rtp_pt[12:]
    write("srtp", "fanout-burst", b"\0\4" + chunk(payload) + bytes([8]) + u16(65535) +
          bytes([0, 1, 2, 3, 0x80 | 3, 0x81, 2, 3]))
    write("srtp", "fanout-burst-big", b"\0\4" + chunk(b"\xab" * 1400) + bytes([3]) + u16(7) +
          bytes([2, 3, 0x85]) + b"\4" + chunk(b"\xcd" * 4090) + b"\2\0\0\2\1")
    write("srtp", "fanout-burst-empty", b"\0\4" + chunk(b"") + b"\1\0\1\2")
    write("srtp", "short", b"\0\0" + chunk(rtp_pt[:12]))


# ---- DTLS (fuzz_dtls.c: flags byte, [u16 len, datagram]...) -------------------
def dtls():
    clean("dtls")
    rec = {}
    for name in ("client-hello", "server-flight", "client-finished-flight",
                 "server-finished", "client-close-notify"):
        rec[name] = open(os.path.join(TOP, "tests/fuzz/dtls-recorded", name), "rb").read()
    ch, fin, close = rec["client-hello"], rec["client-finished-flight"], rec["client-close-notify"]
    write("dtls", "hello", b"\0" + chunk(ch))
    write("dtls", "hello-verify", b"\2" + chunk(ch) + chunk(ch))
    write("dtls", "recorded-client-side", b"\0" + chunk(ch) + chunk(fin) + chunk(close))
    write("dtls", "live-handshake-hostile", b"\4" + chunk(ch[:60]) + chunk(fin))
    write("dtls", "live-handshake-hv", b"\6" + chunk(ch))
    write("dtls", "connected-foreign-records", b"\1" + chunk(fin) + chunk(close) + chunk(ch))
    write("dtls", "connected-genuine-close", b"\x09" + chunk(b"") + chunk(fin))
    write("dtls", "connected-altered-close", b"\x09" + chunk(b"\0" * 20 + b"\x01"))
    for flags, name in ((0x11, "settled-foreign-records"), (0x31, "settled-aes256"),
                        (0x51, "settled-chacha"), (0x21, "connected-aes256"),
                        (0x41, "connected-chacha")):
        write("dtls", name, bytes([flags]) + chunk(fin) + chunk(close) + chunk(close[:20]))
    for flags, name in ((0x19, "settled-genuine-close"), (0x39, "settled-aes256-close"),
                        (0x59, "settled-chacha-close")):
        write("dtls", name, bytes([flags]) + chunk(b""))
        write("dtls", name.replace("genuine-", "") + "-altered", bytes([flags]) +
              chunk(b"\0" * 13 + b"\x80"))
    write("dtls", "server-side-as-input", b"\0" + chunk(rec["server-flight"]) +
          chunk(rec["server-finished"]))
    write("dtls", "truncated-hello", b"\0" + chunk(ch[:13]) + chunk(ch[:25]))
    write("dtls", "oversize", b"\1" + chunk(b"\x17\xfe\xfd" + b"\0" * 3000))


# ---- Configuration (fuzz_conf.c: text, "%%" line splits old/new) --------------
def conf():
    clean("conf")
    files = sorted(glob.glob(os.path.join(TOP, "tests/vectors/conf/*/*.conf")))
    files.append(os.path.join(TOP, "conf/whepfan.conf"))
    for path in files:
        data = open(path, "rb").read()
        if b"@include" in data:
            continue
        kind = os.path.basename(os.path.dirname(path))
        write("conf", "%s-%s" % (kind if kind in ("good", "bad") else "shipped",
                                 os.path.basename(path)), data)
    good = [open(os.path.join(TOP, "tests/vectors/conf/good", f), "rb").read()
            for f in ("minimal.conf", "full.conf", "budgets.conf", "whip.conf")]
    write("conf", "reload-minimal-full", good[0] + b"\n%%\n" + good[1])
    write("conf", "reload-full-budgets", good[1] + b"\n%%\n" + good[2])
    write("conf", "reload-full-minimal", good[1] + b"\n%%\n" + good[0])
    # stream cam-1 from RTP to WHIP and back (WF_CONF_STREAM_INGEST)
    write("conf", "reload-full-whip", good[1] + b"\n%%\n" + good[3])
    write("conf", "reload-whip-full", good[3] + b"\n%%\n" + good[1])


# ---- HTTP (fuzz_http.c: requests as text, "%%" lines between them, "@" option
# lines; sessions the fake creates are numbered from 1) --------------------------
SID1 = "%032x" % 1
FRAG = ("a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\nm=audio 9 "
        "UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 "
        "198.18.0.9 50000 typ host\r\na=end-of-candidates\r\n")


def http_req(method, url, headers=(), body=b"", length=True):
    if isinstance(body, str):
        body = body.encode()
    h = ["%s %s HTTP/1.1" % (method, url), "Host: 127.0.0.1:8889"] + list(headers)
    if body and length:
        h.append("Content-Length: %d" % len(body))
    return ("\r\n".join(h) + "\r\n\r\n").encode() + body


def http_seq(*parts):
    out = []
    for x in parts:
        out.append(x.encode() if isinstance(x, str) else x)
    return b"\n%%\n".join(out)


def http():
    clean("http")
    offers = {os.path.basename(f)[:-4]: open(f, "rb").read()
              for f in sorted(glob.glob(os.path.join(TOP, "tests/vectors/sdp/*.sdp")))}
    offer = offers["chromium-156-recvonly-offer"]
    sdp_ct = "Content-Type: application/sdp"
    frag_ct = "Content-Type: application/trickle-ice-sdpfrag"
    post = lambda url="/cam1/whep", hdrs=(sdp_ct,), body=offer, **kw: http_req(
        "POST", url, hdrs, body, **kw)
    w = lambda name, *parts: write("http", name, http_seq(*parts))
    for name, body in offers.items():
        w("post-" + name, post(body=body))
        w("post-" + name + "-chunked-7", "@chunk=7\n" + "", post(body=body))
        w("post-" + name + "-half", post(body=body[: len(body) // 2]))
    w("get-index", http_req("GET", "/"))
    w("head-index", http_req("HEAD", "/"))
    w("get-metrics", http_req("GET", "/metrics"))
    w("get-player", http_req("GET", "/cam1/"))
    w("get-player-unknown", http_req("GET", "/nosuch/"))
    w("get-redirect", http_req("GET", "/cam1"))
    w("get-bad-names", http_req("GET", "/../"), http_req("GET", "/cam%00/"),
      http_req("GET", "/" + "a" * 64 + "/"), http_req("GET", "//"), http_req("GET", "*"))
    w("session-life", post(), http_req("PATCH", "/cam1/whep/" + SID1, (frag_ct,), FRAG),
      http_req("DELETE", "/cam1/whep/" + SID1), http_req("DELETE", "/cam1/whep/" + SID1))
    w("patch-bad-fragment", post(), http_req("PATCH", "/cam1/whep/" + SID1, (frag_ct,),
                                             "a=candidate:x\r\n"))
    w("patch-wrong-type", post(), http_req("PATCH", "/cam1/whep/" + SID1, (sdp_ct,), FRAG))
    w("patch-other-stream", post(), http_req("PATCH", "/secret/whep/" + SID1,
                                             (frag_ct, "Authorization: Bearer s3cret"), FRAG))
    w("patch-unknown", http_req("PATCH", "/cam1/whep/" + "f" * 32, (frag_ct,), FRAG))
    w("delete-bad-id", http_req("DELETE", "/cam1/whep/" + "F" * 32),
      http_req("DELETE", "/cam1/whep/" + "0" * 31))
    w("options", "@cors=https://viewer.example", http_req("OPTIONS", "/cam1/whep"),
      http_req("OPTIONS", "/cam1/whep/" + SID1), http_req("OPTIONS", "/nosuch/whep"))
    w("method-405", http_req("GET", "/cam1/whep"), http_req("PUT", "/cam1/whep/" + SID1),
      http_req("DELETE", "/cam1/"), post("/"), http_req("BREW", "/metrics"))
    w("post-empty", post(body=b""))
    w("post-content-types", post(hdrs=("Content-Type: text/plain",)), post(hdrs=()),
      post(hdrs=("Content-Type: Application/SDP; charset=utf-8",)),
      post(hdrs=("Content-Type: application/sdpx",)))
    w("post-bad-offers", post(body=b"v=0\r\n"), post(body=b"garbage"),
      post(body=b"\0\r\n\xff"))
    w("post-tokens", post("/secret/whep"),
      post("/secret/whep", (sdp_ct, "Authorization: Bearer wrong")),
      post("/secret/whep", (sdp_ct, "Authorization: Basic s3cret")),
      post("/secret/whep", (sdp_ct, "Authorization: Bearer")),
      post("/secret/whep", (sdp_ct, "Authorization: bearer   s3cret  ")),
      "@token=t0k\n" + "", post(hdrs=(sdp_ct, "Authorization: Bearer t0k")))
    w("post-not-live", "@live=0\n", post())
    w("post-table-full", "@max=1\n", post(), post(), post())
    w("post-rate", "@rate=1\n@burst=1\n", post(), post())
    w("post-pending", "@pending=1\n", post(), post())
    w("post-per-ip", "@per_ip=1\n", post(), post(), http_req("DELETE", "/cam1/whep/" + SID1),
      post())
    w("post-xff", "@trust=10.0.0.0/8\n@peer=10.0.0.1\n",
      post(hdrs=(sdp_ct, "X-Forwarded-For: 198.51.100.7, 10.0.0.2")),
      post(hdrs=(sdp_ct, "X-Forwarded-For: [2001:db8::1]:443")),
      post(hdrs=(sdp_ct, "X-Forwarded-For: not-an-address")),
      post(hdrs=(sdp_ct,) + ("X-Forwarded-For: 10.0.0.3",) * 9),
      post(hdrs=(sdp_ct, "X-Forwarded-For: " + ", ".join(["10.1.1.1"] * 40))))
    w("post-xff-untrusted", "@peer=198.18.0.1\n",
      post(hdrs=(sdp_ct, "X-Forwarded-For: 203.0.113.9")))
    w("post-v6-prefix", "@trust=10.0.0.0/8\n@peer=10.0.0.1\n@v6prefix=64\n@per_ip=1\n",
      post(hdrs=(sdp_ct, "X-Forwarded-For: 2001:db8:0:1::1")),
      post(hdrs=(sdp_ct, "X-Forwarded-For: 2001:db8:0:1::2")))
    w("post-over-max-body", post(body=b"v=0\r\n" + b"a=x\r\n" * 14000))
    w("post-cl-over-max-body", "@maxbody=100\n", post(body=offer[:200]))
    w("post-chunked-over-max-body", "@maxbody=100\n@chunk=33\n",
      post(hdrs=(sdp_ct, "Transfer-Encoding: chunked"), body=offer, length=False))
    w("post-framing", post(hdrs=(sdp_ct, "Content-Length: 5", "Transfer-Encoding: chunked")),
      post(hdrs=(sdp_ct, "Transfer-Encoding: gzip"), length=False),
      post(hdrs=(sdp_ct, "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"),
           length=False),
      post(hdrs=(sdp_ct, "Content-Length: %d" % len(offer)), length=True))
    w("post-short-body", post(hdrs=(sdp_ct, "Content-Length: 99999"), length=False))
    w("post-bad-length", post(hdrs=(sdp_ct, "Content-Length: 1x"), length=False),
      post(hdrs=(sdp_ct, "Content-Length: 99999999999999999999"), length=False))
    w("session-errors", "@fail=503\n", post(), "@fail=429\n", post(), post(),
      "@fail=503\n", http_req("PATCH", "/cam1/whep/" + SID1, (frag_ct,), FRAG),
      "@fail=429\n", http_req("PATCH", "/cam1/whep/" + SID1, (frag_ct,), FRAG),
      "@fail=200\n", http_req("PATCH", "/cam1/whep/" + SID1, (frag_ct,), FRAG),
      "@fail=503\n", http_req("DELETE", "/cam1/whep/" + SID1),
      "@fail=999\n", post())
    w("cors-everywhere", "@cors=https://viewer.example\n", post(), http_req("GET", "/"),
      http_req("GET", "/cam1/whep"), post("/secret/whep"))
    w("cors-unsafe-origin", "@cors=https://a.example\x7f\n", http_req("GET", "/"))
    w("oversized-headers", http_req("GET", "/", ["X-Filler-%d: %s" % (i, "y" * 100)
                                                 for i in range(80)]),
      post("/secret/whep", (sdp_ct, "Authorization: Bearer " + "z" * 8000)))
    w("request-line-only", b"GET /", b"GET", b"", b"POST /cam1/whep\n\n")
    # WHIP (RFC 9725): the same routes under /whip, streams[].publish_token
    # ("pub"), publish_token = "" ("open"), none on an RTP stream ("cam1")
    pub_ct = (sdp_ct, "Authorization: Bearer pub-s3cret")
    publish = offer.replace(b"a=recvonly", b"a=sendonly")
    w("whip-session-life", "@cors=*\n", http_req("OPTIONS", "/pub/whip"),
      post("/pub/whip", pub_ct, publish),
      http_req("OPTIONS", "/pub/whip/" + SID1),
      http_req("PATCH", "/pub/whip/" + SID1, (frag_ct, pub_ct[1]), FRAG),
      http_req("DELETE", "/pub/whep/" + SID1),
      http_req("DELETE", "/pub/whip/" + SID1, (pub_ct[1],)),
      http_req("DELETE", "/pub/whip/" + SID1, (pub_ct[1],)))
    w("whip-tokens", post("/pub/whip", (sdp_ct,), publish),
      post("/pub/whip", (sdp_ct, "Authorization: Bearer wrong"), publish),
      post("/pub/whip", (sdp_ct, "Authorization: Bearer s3cret"), publish),
      post("/cam1/whip", pub_ct, publish), post("/secret/whip", pub_ct, publish),
      post("/open/whip", (sdp_ct,), publish),
      http_req("DELETE", "/open/whip/" + SID1),
      post("/pub/whep", pub_ct, offer))
    w("whip-hostile", post("/open/whip", ("Content-Type: text/plain",), publish),
      post("/open/whip", (sdp_ct,), publish[: len(publish) // 2]),
      post("/open/whip", (sdp_ct,), b""), http_req("GET", "/open/whip"),
      http_req("DELETE", "/open/whip/" + "F" * 32), http_req("PUT", "/open/whip/" + SID1),
      "@fail=406\n", post("/open/whip", (sdp_ct,), publish),
      "@fail=409\n", post("/open/whip", (sdp_ct,), publish))


if __name__ == "__main__":
    import sys
    if len(sys.argv) > 1:	# only the sections named: make_corpus.py http
        for section in sys.argv[1:]:
            globals()[section]()
        sys.exit(0)
    stun()
    sdp()
    rtp()
    rtcp()
    srtp()
    dtls()
    conf()
    http()
