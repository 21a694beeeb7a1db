TEST_LIBS_e2e := stun dtls sdp srtp rtp
