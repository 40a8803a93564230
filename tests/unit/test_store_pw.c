// SPDX-License-Identifier: MIT
/*
 * Root password hashes: what Keel writes verifies and nothing else does,
 * hashes made by other tools (Python's hashlib for PBKDF2; `openssl
 * passwd -6`, libxcrypt and the test vectors of Drepper's SHA-512 crypt
 * specification) verify, and malformed or absurd hashes are refused.
 * UNIT_SRCS: store/store_pw.c tests/unit/host_entropy.c
 * UNIT_LIBS: mbedcrypto
 */
#include <errno.h>
#include <string.h>

#include "store/store_pw.h"
#include "unit.h"

struct pw_vec {
	const char *plain, *hash;
};

/* Made on the host with hashlib.pbkdf2_hmac('sha256', ...). */
static const struct pw_vec pbkdf2_vecs[] = {
	{ "correct horse", "$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$"
			   "yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ" },
	{ "Gr\xc3\xbc"
	  "ezi-2024!",
	  "$pbkdf2-sha256$4096$c2FsdHNhbHRzYWx0c2FsdA$JyBbrO9mUiZRs6J+PaeqSxlW/"
	  "ynHdrFHbo4QktDWBl4" },
	{ "", "$pbkdf2-sha256$1000$MTIzNDU2Nzg$acw5ojVUzAYZdVsxA+"
	      "hL6nazMN7mBctSd1wGhKXpBcA" },
};

/* Drepper's specification's vectors (as libxcrypt prints them), and
 * `openssl passwd -6 -salt SALT PW`. */
static const struct pw_vec crypt_vecs[] = {
	{ "Hello world!",
	  "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
	  "O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1" },
	{ "Hello world!", "$6$rounds=10000$saltstringsaltst$OW1/"
			  "O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/"
			  "UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v." },
	{ "This is just a test", "$6$rounds=5000$toolongsaltstrin$"
				 "lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwll"
				 "F7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0" },
	{ "a very much longer text to encrypt.  This one even stretches over "
	  "morethan one line.",
	  "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/"
	  "pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1" },
	{ "we have a short salt string but not a short password",
	  "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/"
	  "ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0" },
	{ "a short string", "$6$rounds=123456$asaltof16chars..$"
			    "BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu."
			    "Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1" },
	{ "the minimum number is still observed",
	  "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn."
	  "S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX." },
	{ "correct horse battery staple",
	  "$6$Keel.Salt/"
	  "1$9kH1HZNgXOqfTo.CUyUKow0Dvn.J7WlHrrPBvtRweObXi."
	  "PU6tvIiIhVdOQyAmc6s3kae2FWSOKL/v4Q7GzU10" },
	/* 130 bytes: B is stretched over more than two blocks. */
	{ "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
	  "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp",
	  "$6$x$4QmltCRwiutxf0CnQU6p0KPFxAlPgPoUaOmtwz0q4eEKPhceI6hh9Ssn."
	  "eTfMCgMQ.S4k3V9KZJRopOGh4uPV1" },
};

#define NVEC(a) (sizeof(a) / sizeof((a)[0]))

UNIT_TEST(pw_pbkdf2_foreign_hashes_verify)
{
	for (size_t i = 0; i < NVEC(pbkdf2_vecs); i++) {
		UNIT_CHECK(store_pw_valid_hash(pbkdf2_vecs[i].hash) == 0);
		UNIT_CHECK(store_pw_verify(pbkdf2_vecs[i].plain,
					   pbkdf2_vecs[i].hash) == 0);
		UNIT_CHECK(store_pw_verify("wrong", pbkdf2_vecs[i].hash) ==
			   -EACCES);
	}
}

UNIT_TEST(pw_sha512_crypt_vectors_verify)
{
	for (size_t i = 0; i < NVEC(crypt_vecs); i++) {
		int rc =
		    store_pw_verify(crypt_vecs[i].plain, crypt_vecs[i].hash);
		if (rc) {
			char m[200];
			snprintf(m, sizeof(m), "vector %zu: %d", i, rc);
			unit_fail(__FILE__, __LINE__, m);
		}
		UNIT_CHECK(store_pw_verify("Hello world?",
					   crypt_vecs[i].hash) == -EACCES);
	}
}

UNIT_TEST(pw_one_changed_character_is_refused)
{
	char h[STORE_PW_HASH_MAX];

	strcpy(h, crypt_vecs[0].hash);
	h[strlen(h) - 1] = h[strlen(h) - 1] == '1' ? '2' : '1';
	UNIT_CHECK(store_pw_verify("Hello world!", h) == -EACCES);
	strcpy(h, pbkdf2_vecs[0].hash);
	h[strlen(h) - 2] = h[strlen(h) - 2] == 'A' ? 'B' : 'A';
	UNIT_CHECK(store_pw_verify("correct horse", h) == -EACCES);
}

UNIT_TEST(pw_hash_round_trip_and_salted)
{
	char a[STORE_PW_HASH_MAX], b[STORE_PW_HASH_MAX];
	unsigned int saved = store_pw_iterations;

	store_pw_iterations = 2000; /* speed; the format carries the count */
	UNIT_CHECK(store_pw_hash("s3cret!Pass", a) == 0);
	UNIT_CHECK(store_pw_hash("s3cret!Pass", b) == 0);
	UNIT_CHECK(!strncmp(a, "$pbkdf2-sha256$2000$", 20));
	/* 16-byte salt and 32-byte hash: 22 and 43 base64 characters. */
	UNIT_CHECK(strlen(a) == 20 + 22 + 1 + 43);
	UNIT_CHECK(strcmp(a, b) != 0); /* fresh salt each time */
	UNIT_CHECK(store_pw_valid_hash(a) == 0);
	UNIT_CHECK(store_pw_verify("s3cret!Pass", a) == 0);
	UNIT_CHECK(store_pw_verify("s3cret!pass", a) == -EACCES);
	UNIT_CHECK(store_pw_verify("", a) == -EACCES);
	store_pw_iterations = saved;
}

UNIT_TEST(pw_default_iterations_are_slow)
{
	UNIT_CHECK(store_pw_iterations >= 100000);
}

UNIT_TEST(pw_malformed_hashes_are_refused)
{
	static const char *const bad[] = {
		"",
		"plaintext",
		"$1$abc$defghijklmnop", /* MD5 crypt: too weak, not accepted */
		"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2Dh5Bqb",
		"$6$saltstring$short",
		"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
		"O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1x",
		"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
		"O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35in*1",
		"$6$rounds=999999999$s$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
		"O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
		"$6$rounds=10$s$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
		"O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
		"$6$rounds=$s$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
		"O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
		"$6$saltstringsaltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
		"O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
		"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw",
		"$pbkdf2-sha256$999$AAECAwQFBgcICQoLDA0ODw$"
		"yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
		"$pbkdf2-sha256$99999999$AAECAwQFBgcICQoLDA0ODw$"
		"yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
		"$pbkdf2-sha256$01000$AAECAwQFBgcICQoLDA0ODw$"
		"yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
		"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$"
		"yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumG",
		"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$"
		"yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ==",
		"$pbkdf2-sha256$1000$AAEC$"
		"yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
		"$pbkdf2-sha256$1000$AAECAwQF!gcICQoLDA0ODw$"
		"yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
	};

	for (size_t i = 0; i < NVEC(bad); i++) {
		if (store_pw_valid_hash(bad[i]) != -EINVAL ||
		    store_pw_verify("Hello world!", bad[i]) != -EINVAL) {
			char m[200];
			snprintf(m, sizeof(m), "accepted: %.150s", bad[i]);
			unit_fail(__FILE__, __LINE__, m);
		}
	}
	UNIT_CHECK(store_pw_valid_hash(NULL) == -EINVAL);
}
