/*
 * tools/linux_guest_memscan.c: `memscan` in Keel's Linux test guest
 * (tools/linux_guest.sh), for the issue-8 test that two VMs do not see
 * each other's memory.
 *
 *   memscan put HEX FILE PAGES  write PAGES pages to FILE (on the
 *                               initramfs, so they stay in RAM), each
 *                               starting with the bytes HEX encodes
 *   memscan find HEX [HEX...]   print how many 4 KiB pages of the guest's
 *                               RAM start with each token's bytes (up to
 *                               MS_TOKENS counts on one line, one pass)
 *
 * `find` reads all of RAM through /proc/kcore: the ELF program headers
 * whose p_paddr is a physical address (the kernel's direct map of RAM;
 * fs/proc/kcore.c sets p_paddr to -1 for vmalloc and module space).
 * The token travels hex-encoded and is only matched at page offset 0, so
 * the command line, the shell's memory and memscan's own decoded copy
 * (never page-aligned) do not count: a VM that never held the token finds
 * 0 pages; the VM that wrote it finds at least PAGES.
 * Static, no libc: raw system calls.
 */
#include <stddef.h>
#include <stdint.h>

#define MS_PAGE 4096
#define MS_CHUNK (256 * MS_PAGE)
#define MS_MAX_PHDRS 256
#define MS_TOKENS 4

static long ms_sys(long nr, long a, long b, long c, long d)
{
	long ret;
	register long r10 asm("r10") = d;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
		     : "rcx", "r11", "memory");
	return ret;
}

#define ms_read(fd, b, n) ms_sys(0, fd, (long)(b), n, 0)
#define ms_write(fd, b, n) ms_sys(1, fd, (long)(b), n, 0)
#define ms_open(p, fl, m) ms_sys(2, (long)(p), fl, m, 0)
#define ms_pread(fd, b, n, off) ms_sys(17, fd, (long)(b), n, off)

struct ms_ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct ms_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* The decoded token at offset 16 of a 64-byte aligned block: never at a
 * page start. The read buffer likewise starts 8 bytes into its block. */
static struct {
	char pad[16];
	unsigned char tok[64];
	size_t len;
} __attribute__((aligned(64))) ms_t[MS_TOKENS];
static unsigned char ms_buf[MS_CHUNK + MS_PAGE] __attribute__((aligned(MS_PAGE)));
static struct ms_phdr ms_ph[MS_MAX_PHDRS];

static __attribute__((noreturn)) void ms_exit(int code)
{
	ms_sys(60, code, 0, 0, 0);
	__builtin_unreachable();
}

static size_t ms_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static __attribute__((noreturn)) void ms_die(const char *msg)
{
	ms_write(2, "memscan: ", 9);
	ms_write(2, msg, ms_len(msg));
	ms_write(2, "\n", 1);
	ms_exit(2);
}

static void ms_print_u64(uint64_t v, char end)
{
	char b[24], *p = b + sizeof(b);

	*--p = end;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ms_write(1, p, b + sizeof(b) - p);
}

static uint64_t ms_parse_u64(const char *s)
{
	uint64_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

static int ms_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t ms_decode(const char *hex, unsigned char *tok)
{
	size_t n = 0;

	for (; hex[0] && hex[1] && n < sizeof(ms_t[0].tok); hex += 2) {
		int hi = ms_hexval(hex[0]), lo = ms_hexval(hex[1]);

		if (hi < 0 || lo < 0)
			ms_die("HEX: pairs of hex digits");
		tok[n++] = (unsigned char)(hi << 4 | lo);
	}
	if (n < 8 || *hex)
		ms_die("HEX: 8 to 64 bytes");
	return n;
}

static int ms_same(const unsigned char *a, const unsigned char *b, size_t n)
{
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

static void ms_put(const char *hex, const char *file, uint64_t pages)
{
	unsigned char *page = ms_buf + 8;
	size_t n = ms_decode(hex, ms_t[0].tok);
	long fd = ms_open(file, 01 | 0100 | 01000, 0600); /* O_WRONLY|O_CREAT|O_TRUNC */

	if (fd < 0)
		ms_die("cannot create FILE");
	for (size_t i = 0; i < MS_PAGE; i++)
		page[i] = i < n ? ms_t[0].tok[i] : 0;
	for (uint64_t i = 0; i < pages; i++)
		if (ms_write(fd, page, MS_PAGE) != MS_PAGE)
			ms_die("write failed");
}

static void ms_find(long ntok, char **hex)
{
	struct ms_ehdr eh;
	unsigned char *buf = ms_buf + 8;
	uint64_t hits[MS_TOKENS] = { 0 };

	for (long t = 0; t < ntok; t++)
		ms_t[t].len = ms_decode(hex[t], ms_t[t].tok);
	long fd = ms_open("/proc/kcore", 0, 0);

	if (fd < 0)
		ms_die("cannot open /proc/kcore");
	if (ms_pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    !ms_same(eh.ident, (const unsigned char *)"\177ELF\2", 5) ||
	    eh.phentsize != sizeof(struct ms_phdr) || eh.phnum > MS_MAX_PHDRS)
		ms_die("/proc/kcore: not the expected ELF64 header");
	if (ms_pread(fd, ms_ph, eh.phnum * sizeof(struct ms_phdr), (long)eh.phoff) !=
	    (long)(eh.phnum * sizeof(struct ms_phdr)))
		ms_die("/proc/kcore: short program headers");
	for (unsigned int i = 0; i < eh.phnum; i++) {
		const struct ms_phdr *p = &ms_ph[i];

		if (p->type != 1 || p->paddr == (uint64_t)-1) /* PT_LOAD of RAM */
			continue;
		for (uint64_t off = 0; off + MS_PAGE <= p->filesz; off += MS_CHUNK) {
			uint64_t want = p->filesz - off < MS_CHUNK ? p->filesz - off : MS_CHUNK;
			long got = ms_pread(fd, buf, (long)want, (long)(p->offset + off));

			for (long pg = 0; pg + MS_PAGE <= got; pg += MS_PAGE)
				for (long t = 0; t < ntok; t++)
					hits[t] += ms_same(
					    buf + pg, ms_t[t].tok, ms_t[t].len);
		}
	}
	for (long t = 0; t < ntok; t++)
		ms_print_u64(hits[t], t + 1 < ntok ? ' ' : '\n');
}

void __attribute__((used)) ms_main(long argc, char **argv)
{
	if (argc == 5 && ms_same((const unsigned char *)argv[1], (const unsigned char *)"put", 4))
		ms_put(argv[2], argv[3], ms_parse_u64(argv[4]));
	else if (argc >= 3 && argc <= 2 + MS_TOKENS &&
		 ms_same((const unsigned char *)argv[1],
			 (const unsigned char *)"find", 5))
		ms_find(argc - 2, argv + 2);
	else
		ms_die("usage: memscan put HEX FILE PAGES | memscan find HEX "
		       "[HEX...]");
	ms_exit(0);
}

/* The kernel enters with argc at (%rsp), argv right above it. */
asm(".globl _start\n"
    "_start:\n"
    "	mov (%rsp), %rdi\n"
    "	lea 8(%rsp), %rsi\n"
    "	and $-16, %rsp\n"
    "	call ms_main\n"
    "	hlt\n");
