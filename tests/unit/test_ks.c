// SPDX-License-Identifier: MIT
/*
 * keel.cfg parsing: ESXi kickstart files an OEM's tooling writes are
 * taken as they are (installer commands ignored, Windows line ends), and
 * each mistake is refused with its line number and a reason, never with
 * the password in it. store_pw_valid_hash is faked below (store/store_pw.c
 * is another branch's): it accepts the "$6$..." and "$pbkdf2-sha256$..."
 * shapes only.
 * UNIT_SRCS: firstboot/ks.c firstboot/fb_validate.c net/netcfg.c core/log.c core/fmt.c tests/unit/host_time.c
 */
#include <errno.h>
#include <string.h>

#include "firstboot/ks.h"
#include "store/store_pw.h"
#include "unit.h"

int store_pw_valid_hash(const char *hash)
{
	if (!strncmp(hash, "$6$", 3) && strchr(hash + 3, '$') &&
	    strlen(strrchr(hash, '$') + 1) == 86)
		return 0;
	if (!strncmp(hash, "$pbkdf2-sha256$", 15) && strlen(hash) > 40)
		return 0;
	return -EINVAL;
}

static struct fb_setup s;
static struct ks_error err;

static int parse(const char *text)
{
	return ks_parse(text, strlen(text), &s, &err);
}

/* Refused at @line with a reason containing @frag. */
#define BAD(text, ln, frag)                                                 \
	do {                                                                \
		UNIT_CHECK(parse(text) == -EINVAL);                         \
		if (err.line != (ln) || !strstr(err.why, frag)) {           \
			char m[400];                                        \
			snprintf(m, sizeof(m), "got line %d '%s', want %d '%s'", \
				 err.line, err.why, ln, frag);              \
			unit_fail(__FILE__, __LINE__, m);                   \
		}                                                           \
	} while (0)

static bool ip_is(const uint8_t a[4], int b0, int b1, int b2, int b3)
{
	return a[0] == b0 && a[1] == b1 && a[2] == b2 && a[3] == b3;
}

#define HASH6 "$6$saltsalt$" \
	"qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq." \
	"qc.eoxqOmSuNp2xS0ktL3nh/"

UNIT_TEST(ks_esxi_file_as_is)
{
	const char *f =
		"# Sample scripted installation file\n"
		"vmaccepteula\n"
		"keyboard 'US Default'\n"
		"rootpw \"Sup3r secret!\"\n"
		"install --firstdisk --overwritevmfs\n"
		"network --bootproto=static --ip=10.0.2.15 --netmask=255.255.255.0"
		" --gateway=10.0.2.2 --nameserver=10.0.2.3,8.8.8.8"
		" --hostname=esx01.lab --vlanid=0\n"
		"reboot\n"
		"\n"
		"%firstboot --interpreter=busybox\n"
		"echo \"unbalanced quote\n"
		"esxcli system settings advanced set -o /UserVars/X -i 1\n";

	UNIT_CHECK(parse(f) == 0);
	UNIT_CHECK_STR(s.password, "Sup3r secret!");
	UNIT_CHECK(s.password_hash[0] == 0);
	UNIT_CHECK_STR(s.hostname, "esx01.lab");
	UNIT_CHECK(s.net.ip4_mode == NETCFG_IP4_STATIC);
	UNIT_CHECK(ip_is(s.net.addr, 10, 0, 2, 15) && s.net.prefix == 24);
	UNIT_CHECK(s.net.has_gw && ip_is(s.net.gw, 10, 0, 2, 2));
	UNIT_CHECK(s.net.ndns == 2 && ip_is(s.net.dns[1], 8, 8, 8, 8));
	UNIT_CHECK(s.net.vlan == 0 && s.net.ip6);
}

UNIT_TEST(ks_defaults_dhcp_and_minimal)
{
	UNIT_CHECK(parse("rootpw Passw0rd") == 0); /* no final newline */
	UNIT_CHECK_STR(s.password, "Passw0rd");
	UNIT_CHECK_STR(s.hostname, "localhost");
	UNIT_CHECK(s.net.ip4_mode == NETCFG_IP4_DHCP && s.net.ndns == 0);
	UNIT_CHECK(s.net.vlan == 0 && s.net.ip6);
	UNIT_CHECK(parse("rootpw Passw0rd\nnetwork --bootproto dhcp "
			 "--vlanid 42 --hostname h1 --nameserver 1.1.1.1\n") == 0);
	UNIT_CHECK(s.net.ip4_mode == NETCFG_IP4_DHCP && s.net.vlan == 42);
	UNIT_CHECK_STR(s.hostname, "h1");
	UNIT_CHECK(s.net.ndns == 1 && ip_is(s.net.dns[0], 1, 1, 1, 1));
	/* Leading blanks, indented comments, and a quoted word joined with
	 * bare parts, escapes inside quotes. */
	UNIT_CHECK(parse("  # hi\n\t rootpw   --iscrypted \"" HASH6 "\"\n") == 0);
	UNIT_CHECK_STR(s.password_hash, HASH6);
	UNIT_CHECK(s.password[0] == 0);
	UNIT_CHECK(parse("rootpw \"a\\\"b\\\\c\"Def1\n") == 0);
	UNIT_CHECK_STR(s.password, "a\"b\\cDef1");
	UNIT_CHECK(parse("rootpw --iscrypted $pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo\n") == 0);
}

UNIT_TEST(ks_windows_files)
{
	UNIT_CHECK(parse("\xef\xbb\xbfvmaccepteula\r\nrootpw Passw0rd\r\n"
			 "network --bootproto=dhcp --hostname=win\r\n") == 0);
	/* No CR left in any value. */
	UNIT_CHECK_STR(s.password, "Passw0rd");
	UNIT_CHECK_STR(s.hostname, "win");
	UNIT_CHECK(parse("rootpw Passw0rd\r") == 0);
	UNIT_CHECK_STR(s.password, "Passw0rd");
	BAD("rootpw Pass\rw0rd\n", 1, "carriage return");
	/* A BOM anywhere but the start is not skipped. */
	BAD("rootpw Passw0rd\n\xef\xbb\xbfnetwork --bootproto=dhcp\n", 2,
	    "unknown command");
}

UNIT_TEST(ks_refusals_with_line_numbers)
{
	BAD("", 0, "rootpw is required");
	BAD("# only a comment\nvmaccepteula\n", 0, "rootpw is required");
	BAD("rootpw Passw0rd\nrootpw Other0ne\n", 2, "twice (first on line 1)");
	BAD("rootpw Passw0rd\nnetwork --bootproto=dhcp\n"
	    "network --bootproto=dhcp\n", 3, "network given twice");
	BAD("rootpw \"Passw0rd\n", 1, "missing closing");
	BAD("rootpw\n", 1, "needs a password");
	BAD("rootpw \"\"\n", 1, "needs a password");
	BAD("rootpw short\n", 1, "at least 8");
	BAD("rootpw Passw0rd extra\n", 1, "unexpected word");
	BAD("rootpw --crypted Passw0rd\n", 1, "unknown option '--crypted'");
	BAD("rootpw --iscrypted=yes Passw0rd\n", 1, "takes no value");
	BAD("rootpw --iscrypted Passw0rd\n", 1, "not a $6$");
	BAD("rootpw --iscrypted --iscrypted " HASH6 "\n", 1, "given twice");
	BAD("rootpw Passw0rd\nfirewall --enabled\n", 2,
	    "unknown command 'firewall'");
	BAD("rootpw Passw0rd\nRootpw Passw0rd\n", 2, "unknown command");
	BAD("rootpw Passw0rd\n%include /tmp/x.cfg\n", 2, "%include");
	BAD("rootpw Passw0rd\n%postinstall\n", 2, "unknown section");
}

UNIT_TEST(ks_network_rules)
{
	const char *pw = "rootpw Passw0rd\n";
	char f[512];

#define NET(opts) (snprintf(f, sizeof(f), "%snetwork " opts "\n", pw), f)
	BAD(NET("--ip=10.0.0.2"), 2, "needs --bootproto");
	BAD(NET("--bootproto=bootp"), 2, "dhcp or static");
	BAD(NET("--bootproto=static --netmask=255.0.0.0 --gateway=10.0.0.1"), 2,
	    "needs --ip");
	BAD(NET("--bootproto=static --ip=10.0.0.2 --gateway=10.0.0.1"), 2,
	    "needs --netmask");
	/* ESXi requires --gateway with a static address too. */
	BAD(NET("--bootproto=static --ip=10.0.0.2 --netmask=255.0.0.0"), 2,
	    "needs --gateway");
	BAD(NET("--bootproto=dhcp --ip=10.0.0.2"), 2, "only for");
	BAD(NET("--bootproto=static --ip=10.0.0.256 --netmask=8 "
		"--gateway=10.0.0.1"), 2, "--ip: '10.0.0.256' is not");
	BAD(NET("--bootproto=static --ip=10.0.0.2 --netmask=255.0.255.0 "
		"--gateway=10.0.0.1"), 2, "--netmask:");
	BAD(NET("--bootproto=static --ip=10.255.255.255 --netmask=8 "
		"--gateway=10.0.0.1"), 2, "broadcast");
	BAD(NET("--bootproto=static --ip=10.0.0.2 --netmask=24 "
		"--gateway=10.0.1.1"), 2, "--gateway: gateway 10.0.1.1 is outside");
	BAD(NET("--bootproto=dhcp --nameserver=1.1.1.1,8.8.8.8,9.9.9.9"), 2,
	    "at most 2");
	BAD(NET("--bootproto=dhcp --nameserver=1.1.1.1,"), 2, "separated by");
	BAD(NET("--bootproto=dhcp --nameserver=127.0.0.1"), 2, "loopback");
	BAD(NET("--bootproto=dhcp --hostname=bad_name"), 2, "--hostname:");
	BAD(NET("--bootproto=dhcp --vlanid=4095"), 2, "0-4094");
	BAD(NET("--bootproto=dhcp --vlanid"), 2, "needs a value");
	BAD(NET("--bootproto=dhcp --vlanid=5 --vlanid=6"), 2, "given twice");
	BAD(NET("--bootproto=dhcp --mtu=9000"), 2, "unknown option '--mtu'");
	BAD(NET("--bootproto=dhcp eth0"), 2, "unexpected word");
	/* Installer-only options are accepted. */
	UNIT_CHECK(parse(NET("--bootproto=dhcp --device=vmnic0 "
			     "--addvmportgroup=0")) == 0);
	UNIT_CHECK(parse(NET("--bootproto=static --ip=192.168.7.9 "
			     "--netmask=/28 --gateway=192.168.7.1 "
			     "--vlanid=4094")) == 0);
	UNIT_CHECK(s.net.prefix == 28 && s.net.vlan == 4094 && s.net.ndns == 0);
#undef NET
}

UNIT_TEST(ks_hostile_bytes)
{
	static char big[4096];
	const char nul[] = "rootpw Passw0rd\nvmacc\0epteula\n";

	UNIT_CHECK(ks_parse(nul, sizeof(nul) - 1, &s, &err) == -EINVAL);
	UNIT_CHECK(err.line == 2 && strstr(err.why, "NUL"));
	memcpy(big, "rootpw Passw0rd\n# ", 18);
	memset(big + 18, 'x', 1100);
	big[18 + 1100] = '\n';
	BAD(big, 2, "longer than 1024");
	/* 1024 characters exactly is fine (here a comment). */
	memset(big + 18, 'x', 1024 - 2);
	big[18 + 1022] = '\n';
	big[18 + 1023] = 0;
	UNIT_CHECK(parse(big) == 0);
	/* Too many words on one line, and a password in the reason never. */
	BAD("rootpw Passw0rd\nkeyboard a b c d e f g h i j k l m n o p q r s t "
	    "u v w x y z 1 2 3 4 5 6 7 8 9\n", 2, "more than 32 words");
	BAD("rootpw Passw0rd\nrootpw Secret99\n", 2, "twice");
	UNIT_CHECK(!strstr(err.why, "Secret99") && !strstr(err.why, "Passw0rd"));
	BAD("rootpw secretpassword\n", 1, "3 of");
	UNIT_CHECK(!strstr(err.why, "secretpassword"));
	/* A 65-character password cannot overflow: refused by the rule. */
	BAD("rootpw Aa1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    1, "at most 64");
	char h[400] = "rootpw --iscrypted $pbkdf2-sha256$";
	memset(h + strlen(h), 'a', 250);
	BAD(h, 1, "not a $6$");
}
