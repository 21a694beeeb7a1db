TEST_LIBS_dtls := dtls srtp
