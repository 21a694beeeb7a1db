#!/usr/bin/env python3
"""make_corpus_worker.py: writes the seed corpus of fuzz target 9,
tests/fuzz/corpus/worker/, in the layout tests/fuzz/fuzz_worker.c reads:
records of an op byte, a 16-bit length and that many bytes.

The frames are built here the way the e2e tests' source and client send
them (tests/common/rtp_source.c, whep_client.c): RTP of every codec with
key frames, padding, extensions and CSRCs, the source's sender reports,
viewers' RTCP (RR, NACK, PLI, FIR, SDES, BYE) for the harness to protect
with the viewer's SRTCP key, STUN and DTLS from viewers, and raw frames:
ARP, ICMP, IPv6, VLAN, fragments, bad checksums, truncated headers,
unknown ports.  Raw frames go to the broadcast MAC (net_null's own MAC is
random).  Rerun after changing the harness's layout:
    python3 tests/fuzz/make_corpus_worker.py
Files named crash-* are findings kept as regressions: never removed here.
"""
import glob
import os
import struct

TOP = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(TOP, "tests", "fuzz", "corpus", "worker")

# op bits (fuzz_worker.c)
RAW, INGEST, VIEWER, SRTCP = 0, 1, 2, 3
W1, PORT1, POLL = 0x20, 0x40, 0x80
# ingest_ports[] of the harness: sel -> what listens there
H264, H264_RTCP, OPUS, VP8, VP9, PCMU, AV1, AV1_RTCP = range(8)
PT = {H264: 96, OPUS: 111, VP8: 97, VP9: 98, PCMU: 0, AV1: 45}
# our SSRC towards viewer v's track t (viewer_add): 0x10000000 + v * 16 + t
# viewer v watches stream view_stream[v] = 0 (H264+Opus), 2 (VP9+PCMU),
# 1 (VP8), 3 (AV1)


def ours(v, t=0):
    return 0x10000000 + v * 16 + t


def rec(op, data):
    return struct.pack("!BH", op, len(data)) + data


def rtp(pt, seq, ts, ssrc, payload, marker=0, pad=0, ext=None, csrc=()):
    b0 = 0x80 | (0x20 if pad else 0) | (0x10 if ext is not None else 0) | len(csrc)
    h = struct.pack("!BBHII", b0, (marker << 7) | pt, seq & 0xffff, ts & 0xffffffff, ssrc)
    for c in csrc:
        h += struct.pack("!I", c)
    if ext is not None:
        prof, words = ext
        h += struct.pack("!HH", prof, len(words) // 4) + words
    body = h + payload
    if pad:
        body += b"\0" * (pad - 1) + bytes([pad])
    return body


def ingest(sel, data, flags=0):
    return rec(INGEST | sel << 2 | flags, data)


def rtcp(pt, count, body):
    return struct.pack("!BBH", 0x80 | count, pt, (len(body) + 4) // 4 - 1) + body


def rr(sender, blocks):
    body = struct.pack("!I", sender)
    for ssrc, lost, highest in blocks:
        body += struct.pack("!IIIIII", ssrc, lost, highest, 10, 0, 0)
    return rtcp(201, len(blocks), body)


def sr(ssrc, ntp, rtp_ts):
    return rtcp(200, 0, struct.pack("!IQIII", ssrc, ntp, rtp_ts, 10, 1000))


def nack(sender, media, pairs):
    return rtcp(205, 1, struct.pack("!II", sender, media) +
                b"".join(struct.pack("!HH", p, b) for p, b in pairs))


def pli(sender, media):
    return rtcp(206, 1, struct.pack("!II", sender, media))


def fir(sender, entries):
    return rtcp(206, 4, struct.pack("!II", sender, 0) +
                b"".join(struct.pack("!IB3x", s, n) for s, n in entries))


def sdes(ssrc, cname):
    item = bytes([1, len(cname)]) + cname + b"\0"
    item += b"\0" * (-(len(item) + 4) % 4)
    return rtcp(202, 1, struct.pack("!I", ssrc) + item)


def bye(ssrc):
    return rtcp(203, 1, struct.pack("!I", ssrc))


def srtcp(v, data, flags=0):
    return rec(SRTCP | v << 2 | flags, data)


def from_viewer(v, data, flags=0):
    return rec(VIEWER | v << 2 | flags, data)


def stun_binding(ufrag_pair):
    attr = struct.pack("!HH", 0x0006, len(ufrag_pair)) + ufrag_pair
    attr += b"\0" * (-len(attr) % 4)
    return struct.pack("!HHI", 0x0001, len(attr), 0x2112A442) + b"\x01" * 12 + attr


def dtls_record(ctype, body):
    return struct.pack("!BHHIH", ctype, 0xfefd, 0, 1, len(body)) + body


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(src, dst, proto, payload, frag=0x4000, bad_sum=False, ihl=5):
    opts = b"\0" * ((ihl - 5) * 4)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(opts) + len(payload), 1, frag,
                    64, proto, 0, bytes(src), bytes(dst)) + opts
    s = csum(h)
    if bad_sum:
        s ^= 0x1234
    return h[:10] + struct.pack("!H", s) + h[12:] + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


BCAST = b"\xff" * 6
PEER = b"\x02\0\0\0\0\x01"
US0, US1 = [198, 18, 0, 1], [198, 19, 0, 1]
SRC = [198, 18, 0, 2]


def eth(etype, payload, dst=BCAST):
    return dst + PEER + struct.pack("!H", etype) + payload


def raw(frame, flags=0):
    return rec(RAW | flags, frame)


def h264_gop(seq, ts, n=6, ssrc=0x1111, sel=H264):
    """A key frame (SPS, PPS, IDR as FU-A) then delta frames."""
    out = ingest(sel, rtp(PT[H264], seq, ts, ssrc, b"\x67\x42\xc0\x1f" + b"\0" * 8))
    out += ingest(sel, rtp(PT[H264], seq + 1, ts, ssrc, b"\x68\xce\x3c\x80"))
    out += ingest(sel, rtp(PT[H264], seq + 2, ts, ssrc, b"\x7c\x85\x88" + b"\x11" * 300))
    out += ingest(sel, rtp(PT[H264], seq + 3, ts, ssrc, b"\x7c\x45" + b"\x22" * 200, marker=1),
                  POLL)
    for i in range(n):
        out += ingest(sel, rtp(PT[H264], seq + 4 + i, ts + 3000 * (i + 1), ssrc,
                               b"\x41\x9a" + b"\x33" * 100, marker=1))
    return out


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in glob.glob(os.path.join(OUT, "*")):
        if not os.path.basename(f).startswith("crash-"):
            os.remove(f)

    # ---- the sources' RTP ----------------------------------------------------
    write("rtp-h264-gop", h264_gop(100, 9000))
    write("rtp-h264-stap-a", ingest(H264, rtp(96, 7, 100, 0x1111, b"\x18\x00\x04\x67\x42\xc0\x1f"
                                              b"\x00\x02\x68\xce\x00\x03\x65\x88\x80"))
          + ingest(H264, rtp(96, 8, 100, 0x1111, b"\x65\x88\x84" + b"\0" * 50, marker=1)))
    write("rtp-h264-padding-ext-csrc",
          h264_gop(1, 0, 1) + ingest(H264, rtp(96, 6, 6000, 0x1111, b"\x41\x9a\x01",
                                              pad=8, ext=(0xbede, b"\x10\xaa\0\0"),
                                              csrc=(1, 2))))
    write("rtp-h264-reorder-dup",
          h264_gop(500, 0, 2) + ingest(H264, rtp(96, 503, 0, 0x1111, b"\x41\x00"))
          + ingest(H264, rtp(96, 499, 0, 0x1111, b"\x41\x00"))
          + ingest(H264, rtp(96, 520, 0, 0x1111, b"\x41\x00")))
    write("rtp-h264-seq-wrap", h264_gop(65533, 1, 5))
    write("rtp-h264-ssrc-change", h264_gop(10, 0, 1) + h264_gop(900, 5, 1, ssrc=0x2222))
    write("rtp-h264-wrong-pt", ingest(H264, rtp(100, 1, 1, 0x1111, b"\x65\x88")))
    write("rtp-h264-bad-fu", ingest(H264, rtp(96, 1, 1, 0x1111, b"\x7c\xc5\x00")))
    write("rtp-opus", b"".join(ingest(OPUS, rtp(111, 40 + i, 960 * i, 0x3333, b"\xfc" + b"\x55" * 60))
                               for i in range(8)))
    write("rtp-vp8-key-delta",
          ingest(VP8, rtp(97, 1, 0, 0x4444, b"\x90\x80\x01\x10\x02\x00\x9d\x01\x2a" + b"\0" * 40))
          + ingest(VP8, rtp(97, 2, 0, 0x4444, b"\x80\x80\x01" + b"\1" * 40, marker=1), POLL)
          + ingest(VP8, rtp(97, 3, 3000, 0x4444, b"\x90\x80\x02\x01" + b"\2" * 30, marker=1)))
    write("rtp-vp9-key",
          ingest(VP9, rtp(98, 1, 0, 0x5555, b"\xaa\x00\x01\x00" + b"\x82\x49\x83" + b"\0" * 30))
          + ingest(VP9, rtp(98, 2, 0, 0x5555, b"\x84\x00\x01" + b"\3" * 30, marker=1))
          + ingest(PCMU, rtp(0, 9, 160, 0x6666, b"\xff" * 160)))
    write("rtp-vp9-flexible-pdiff", ingest(VP9, rtp(98, 5, 5, 0x5555, b"\xd8\x00\x05\x03\x03\x03\x00")))
    write("rtp-av1-key",
          ingest(AV1, rtp(45, 1, 0, 0x7777, b"\x18\x0a\x0b\x00\x00\x00\x24\x4f\x7e\x7f\x00\x68\x83")
                 + b"", POLL)
          + ingest(AV1, rtp(45, 2, 0, 0x7777, b"\x50" + b"\4" * 60, marker=1)))
    write("rtp-truncated", ingest(H264, b"\x80\x60\x00") + ingest(OPUS, b"") +
          ingest(VP8, rtp(97, 1, 1, 1, b"")))
    write("rtp-bad-version", ingest(H264, b"\x40\x60\x00\x01" + b"\0" * 20))
    write("rtp-ext-overrun", ingest(H264, b"\x90\x60\x00\x01" + b"\0" * 8 + b"\xbe\xde\x00\x09"))
    write("rtp-pad-overrun", ingest(H264, b"\xa0\x60\x00\x01" + b"\0" * 8 + b"\x41\xff"))

    # ---- the sources' RTCP ---------------------------------------------------
    write("rtcp-source-sr", h264_gop(1, 90000, 1)
          + ingest(H264_RTCP, sr(0x1111, 0xe000000000000000, 90000) + sdes(0x1111, b"src")))
    # findings: a source's compound was counted taken in (ingest_rtcp) and
    # dropped too when it stopped parsing or one SR named another SSRC
    write("crash-source-rtcp-foreign-ssrc-counted-twice",
          h264_gop(1, 0, 1) + ingest(H264_RTCP, sr(0x9999, 1, 1)))
    write("crash-source-rtcp-truncated-counted-twice",
          h264_gop(1, 0, 1) + ingest(H264_RTCP, sr(0x1111, 1, 1)[:18]))
    write("rtcp-source-unlatched", ingest(AV1_RTCP, sr(0x7777, 1, 1)))

    # ---- viewers' RTCP, protected by the harness -----------------------------
    live0 = h264_gop(200, 0, 4)
    write("srtcp-rr", live0 + srtcp(0, rr(0xabc, [(ours(0), 0x01000002, 0x10005)])
                                    + sdes(0xabc, b"viewer0")))
    write("srtcp-nack", live0 + srtcp(0, nack(0xabc, ours(0), [(1000, 0x0003), (1005, 0)]),
                                      POLL) + srtcp(0, nack(0xabc, ours(0), [(1000, 0)])))
    write("srtcp-nack-many-fci", live0 + srtcp(0, nack(0xabc, ours(0),
                                                       [(1000 + i, 0xffff) for i in range(40)])))
    write("srtcp-pli", live0 + srtcp(0, pli(0xabc, ours(0)), POLL) + srtcp(0, pli(0xabc, ours(0))))
    write("srtcp-fir", live0 + srtcp(0, fir(0xabc, [(ours(0), 1), (0x1234, 2)])))
    write("srtcp-pli-audio-unknown", srtcp(0, pli(0xabc, ours(0, 1)) + pli(0xabc, 0x42)))
    write("srtcp-other-worker", live0 + srtcp(0, pli(0xabc, ours(0)), W1)
          + srtcp(1, rr(0xdef, [(ours(1), 0, 5)]), 0))
    write("srtcp-gcm-viewers", srtcp(2, rr(0x1, [(ours(2), 0, 1)]) + bye(0x1))
          + srtcp(3, fir(0x2, [(ours(3), 9)])))
    write("srtcp-truncated-compound", srtcp(0, rr(0xabc, [(ours(0), 0, 1)]) + b"\x81\xc9\x00\x07"))
    write("srtcp-bad-report", srtcp(0, rtcp(201, 3, struct.pack("!I", 5))))
    # finding: each malformed message of a viewer's compound was counted a
    # dropped packet (two drops for one packet here)
    write("crash-viewer-rtcp-dropped-twice",
          srtcp(0, rtcp(201, 3, struct.pack("!I", 5)) + rtcp(205, 1, struct.pack("!I", 5))))
    # the finding: an authenticated compound without a report or a request
    # (SDES only) was taken in and counted nowhere
    write("crash-viewer-rtcp-uncounted", srtcp(1, sdes(0xdef, b"viewer1")))

    # a viewer joins again once the history holds a key frame: its replay
    write("viewer-rejoin-replay", h264_gop(300, 0, 30) + from_viewer(4, b"\x40")
          + h264_gop(340, 99000, 3) + srtcp(0, pli(0xabc, ours(0))))
    write("viewer-rejoin-other-worker", ingest(VP9, rtp(98, 1, 0, 0x5555, b"\xaa\x00\x01\x00"
                                                      + b"\x82\x49\x83" + b"\0" * 30))
          + ingest(VP9, rtp(98, 2, 0, 0x5555, b"\x84\x00\x01" + b"\3" * 30, marker=1))
          + from_viewer(5, b"\x40") + ingest(VP9, rtp(98, 3, 3000, 0x5555, b"\x84\x00\x01")))

    # ---- viewers' other packets ----------------------------------------------
    write("viewer-stun-own", from_viewer(0, stun_binding(b"fzv0:remote")))
    write("viewer-stun-other-ufrag", from_viewer(1, stun_binding(b"nope:remote")))
    write("viewer-dtls-alert", from_viewer(2, dtls_record(21, b"\x01\x00")))
    write("viewer-srtcp-forged", from_viewer(0, rr(0xabc, [(ours(0), 0, 1)]) + b"\x80\0\0\1" + b"\0" * 10))
    write("viewer-rtp-not-rtcp", from_viewer(3, rtp(96, 1, 1, 1, b"\0" * 20)))
    write("viewer-bad-byte", from_viewer(0, b"\x40garbage") + from_viewer(1, b""))

    # ---- raw frames ------------------------------------------------------------
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + PEER + bytes(SRC) + b"\0" * 6 + bytes(US0)
    write("raw-arp-request", raw(eth(0x0806, arp)) + raw(eth(0x0806, arp[:20]))
          + raw(eth(0x0806, arp[:24] + bytes(US1)), PORT1))
    icmp = b"\x08\x00\xf7\xfe\x00\x01\x00\x01"
    write("raw-icmp-echo", raw(eth(0x0800, ipv4(SRC, US0, 1, icmp))))
    write("raw-ipv6", raw(eth(0x86dd, b"\x60" + b"\0" * 39)))
    write("raw-vlan", raw(eth(0x8100, b"\x00\x05\x08\x00" + ipv4(SRC, US0, 17, udp(1, 5004, b"x")))))
    write("raw-fragment", raw(eth(0x0800, ipv4(SRC, US0, 17, udp(7004, 5004, b"\x80" * 20), frag=0x2000)))
          + raw(eth(0x0800, ipv4(SRC, US0, 17, b"\x80" * 20, frag=0x0003))))
    write("raw-bad-checksum", raw(eth(0x0800, ipv4(SRC, US0, 17, udp(7004, 5004, b"\x80" * 20),
                                               bad_sum=True))))
    write("raw-truncated", raw(b"\xff" * 10) + raw(eth(0x0800, b"\x45\x00\x00")) + raw(b""))
    write("raw-ip-options-bad-len", raw(eth(0x0800, ipv4(SRC, US0, 17, udp(1, 5004, b"\x80" * 12),
                                                     ihl=6)))
          + raw(eth(0x0800, b"\x4f" + b"\0" * 19)))
    write("raw-udp-bad-length", raw(eth(0x0800, ipv4(SRC, US0, 17, struct.pack("!HHHH", 1, 5004, 200, 0)))))
    write("raw-unknown-port", raw(eth(0x0800, ipv4(SRC, US0, 17, udp(1, 9999, b"\x80" * 12))))
          + raw(eth(0x0800, ipv4(SRC, US0, 6, b"\0" * 20))))
    write("raw-not-ours", raw(eth(0x0800, ipv4(SRC, [10, 0, 0, 1], 17, udp(1, 5004, b"")), dst=PEER))
          + raw(eth(0x0800, ipv4(SRC, [10, 0, 0, 1], 17, udp(1, 5004, b"")))))
    write("raw-foreign-source", raw(eth(0x0800, ipv4([10, 1, 1, 1], US0, 17,
                                                     udp(7030, 5030, rtp(45, 1, 1, 1, b"\x10"))))))
    write("raw-ethernet-padding", raw(eth(0x0800, ipv4(SRC, US0, 17, udp(7004, 5004, b"")) + b"\0" * 18)))


if __name__ == "__main__":
    main()
