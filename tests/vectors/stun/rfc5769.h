/* rfc5769.h: the STUN test vectors of RFC 5769 ("Test Vectors for Session
 * Traversal Utilities for NAT (STUN)", April 2010), §2.1 to §2.4, as data.
 *
 * Bytes transcribed from the hex dumps of RFC 5769 §2 (checked against its
 * Appendix A `req[]`, `respv4[]`, `respv6[]`, `reqltc[]`).  Note the RFC
 * pads USERNAME and SOFTWARE with 0x20, not zero: a parser must not insist
 * on zero padding.  Expected values are the ones each section states.
 */
#ifndef WF_VECTORS_STUN_RFC5769_H
#define WF_VECTORS_STUN_RFC5769_H

#include <stdbool.h>
#include <stdint.h>

struct wf_stun_vector {
	const char *source;
	const char *name;
	const char *hex;
	uint16_t type;			/* message type */
	const char *txid_hex;
	/* Short-term credential (§2.1-§2.3): the key is the password. */
	const char *password;
	/* Long-term credential (§2.4): key = MD5(username:realm:password),
	 * password after SASLprep ("The<U+00AD>M<U+00AA>tr<U+2168>" gives
	 * "TheMatrIX"). */
	const char *lt_username;	/* UTF-8 */
	const char *lt_realm;
	const char *lt_nonce;
	const char *lt_password;
	bool has_fingerprint;
	const char *software;		/* NULL: no SOFTWARE */
	const char *username;		/* NULL: no USERNAME */
	bool has_priority;
	uint32_t priority;
	bool has_controlled;
	uint64_t controlled_tb;
	/* XOR-MAPPED-ADDRESS, decoded: family 0 = none */
	uint8_t family;
	uint16_t port;
	const char *addr_hex;
};

static const struct wf_stun_vector wf_rfc5769_vectors[] = {
	{
		.source = "RFC 5769 §2.1",
		.name = "Sample Request",
		.hex =	"000100582112a442b7e7a701bc34d686"
			"fa87dfae802200105354554e20746573"
			"7420636c69656e74002400046e0001ff"
			"80290008932ff9b151263b3600060009"
			"6576746a3a6836765920202000080014"
			"9aeaa70cbfd8cb56781ef2b5b2d3f249"
			"c1b571a280280004e57a3bcf",
		.type = 0x0001,
		.txid_hex = "b7e7a701bc34d686fa87dfae",
		.password = "VOkJxbRl1RmTxUk/WvJxBt",
		.has_fingerprint = true,
		.software = "STUN test client",
		.username = "evtj:h6vY",
		.has_priority = true,
		.priority = 0x6e0001ffu,
		.has_controlled = true,
		.controlled_tb = 0x932ff9b151263b36ull,
	},
	{
		.source = "RFC 5769 §2.2",
		.name = "Sample IPv4 Response",
		.hex =	"0101003c2112a442b7e7a701bc34d686"
			"fa87dfae8022000b7465737420766563"
			"746f7220002000080001a147e112a643"
			"000800142b91f599fd9e90c38c7489f9"
			"2af9ba53f06be7d780280004c07d4c96",
		.type = 0x0101,
		.txid_hex = "b7e7a701bc34d686fa87dfae",
		.password = "VOkJxbRl1RmTxUk/WvJxBt",
		.has_fingerprint = true,
		.software = "test vector",
		.family = 1,
		.port = 32853,
		.addr_hex = "c0000201",			/* 192.0.2.1 */
	},
	{
		.source = "RFC 5769 §2.3",
		.name = "Sample IPv6 Response",
		.hex =	"010100482112a442b7e7a701bc34d686"
			"fa87dfae8022000b7465737420766563"
			"746f7220002000140002a1470113a9fa"
			"a5d3f179bc25f4b5bed2b9d900080014"
			"a382954e4be67bf11784c97c8292c275"
			"bfe3ed4180280004c8fb0b4c",
		.type = 0x0101,
		.txid_hex = "b7e7a701bc34d686fa87dfae",
		.password = "VOkJxbRl1RmTxUk/WvJxBt",
		.has_fingerprint = true,
		.software = "test vector",
		.family = 2,
		.port = 32853,
		/* 2001:db8:1234:5678:11:2233:4455:6677 */
		.addr_hex = "20010db8123456780011223344556677",
	},
	{
		.source = "RFC 5769 §2.4",
		.name = "Sample Request with Long-Term Authentication",
		.hex =	"000100602112a44278ad3433c6ad72c0"
			"29da412e00060012e3839ee38388e383"
			"aae38383e382afe382b900000015001c"
			"662f2f3439396b39353464364f4c3334"
			"6f4c394653547679363473410014000b"
			"6578616d706c652e6f72670000080014"
			"f67024656dd64a3e02b8e0712e85c9a2"
			"8ca89666",
		.type = 0x0001,
		.txid_hex = "78ad3433c6ad72c029da412e",
		.lt_username = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83"
			       "\xe3\x82\xaf\xe3\x82\xb9",	/* マトリックス */
		.lt_realm = "example.org",
		.lt_nonce = "f//499k954d6OL34oL9FSTvy64sA",
		.lt_password = "TheMatrIX",
		.has_fingerprint = false,
	},
};

#define WF_RFC5769_VECTOR_COUNT \
	(sizeof(wf_rfc5769_vectors) / sizeof(wf_rfc5769_vectors[0]))

#endif
