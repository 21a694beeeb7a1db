# The libraries each fuzz target links (lib/<name>/*.c), by target name.
FUZZ_LIBS_stun := stun
FUZZ_LIBS_sdp  := sdp
FUZZ_LIBS_rtp  := rtp
FUZZ_LIBS_rtcp := rtp
FUZZ_LIBS_srtp := srtp
FUZZ_LIBS_conf := conf srtp sdp
FUZZ_LIBS_dtls := dtls srtp
FUZZ_LIBS_http := conf srtp sdp
FUZZ_APP_http  := whep/http_router whep/admission whep/xff whep/player core/log
# The worker target drives app/ itself (all of it but main.c), with DPDK.
FUZZ_LIBS_worker := conf dtls rtp sdp srtp stun
FUZZ_APP_worker  := $(patsubst app/%.c,%,$(APP_SRCS))
