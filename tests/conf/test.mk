TEST_LIBS_conf := conf srtp sdp
