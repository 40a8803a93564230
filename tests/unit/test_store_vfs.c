// SPDX-License-Identifier: MIT
/*
 * The config-store VFS against power cuts: real SQLite (the pinned host
 * build, same compile options as the kernel) runs on a simulated disk that
 * keeps every write since the last flush in a volatile cache. At a power
 * cut the disk loses a random subset of those writes (and may tear a
 * multi-sector one part-way); then the store is attached and opened again
 * and must open, pass PRAGMA integrity_check, and hold a multi-row table
 * whose rows all carry the same generation: the last committed one, or
 * the one that was in flight. Also: a blank partition, a damaged
 * superblock or size record is refused with a reason, never read past.
 * UNIT_SRCS: store/store_vfs.c store/sqlite_os.c drivers/crc32.c drivers/blk.c core/log.c core/fmt.c tests/unit/host_time.c
 * UNIT_LIBS: sqlite3
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "drivers/blk.h"
#include "drivers/crc32.h"
#include "store/store_vfs.h"
#include "unit.h"

#define SS 512
#define NSEC 4096 /* a 2 MiB partition */
#define ROWS 24
#define PAD 1500 /* a commit spans ~10 pages of 4 KiB */
#define CUTS 1000

/* ---- the crash simulator ------------------------------------------------ */

struct pending {
	uint64_t lba;
	uint32_t count;
	uint8_t *data;
};

static struct {
	struct blk_dev dev;
	uint8_t *cur;	  /* what reads see (medium + volatile cache) */
	uint8_t *durable; /* what survives a power cut */
	struct pending *p;
	size_t np, cap;
	long ops_left; /* device I/O allowed before the cut; < 0: no cut */
	bool dead;
	unsigned long writes, flushes;
} cs;

static int cs_gone(void)
{
	if (cs.dead)
		return 1;
	if (cs.ops_left >= 0 && cs.ops_left-- == 0) {
		cs.dead = true;
		return 1;
	}
	return 0;
}

static int cs_read(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf)
{
	if (cs.dead)
		return -EIO;
	memcpy(buf, cs.cur + lba * SS, (size_t)n * SS);
	return 0;
}

static int cs_write(struct blk_dev *d, uint64_t lba, uint32_t n,
		    const void *buf)
{
	if (cs_gone())
		return -EIO;
	if (cs.np == cs.cap) {
		cs.cap = cs.cap ? cs.cap * 2 : 64;
		cs.p = realloc(cs.p, cs.cap * sizeof(*cs.p));
	}
	cs.p[cs.np].lba = lba;
	cs.p[cs.np].count = n;
	cs.p[cs.np].data = malloc((size_t)n * SS);
	memcpy(cs.p[cs.np].data, buf, (size_t)n * SS);
	cs.np++;
	memcpy(cs.cur + lba * SS, buf, (size_t)n * SS);
	cs.writes++;
	return 0;
}

static void cs_drop_pending(void)
{
	for (size_t i = 0; i < cs.np; i++)
		free(cs.p[i].data);
	cs.np = 0;
}

static int cs_flush(struct blk_dev *d)
{
	if (cs_gone())
		return -EIO;
	for (size_t i = 0; i < cs.np; i++)
		memcpy(cs.durable + cs.p[i].lba * SS, cs.p[i].data,
		       (size_t)cs.p[i].count * SS);
	cs_drop_pending();
	cs.flushes++;
	return 0;
}

static const struct blk_ops cs_ops = {
	.read = cs_read, .write = cs_write, .flush = cs_flush
};

static void cs_init(void)
{
	cs.cur = calloc(NSEC, SS);
	cs.durable = calloc(NSEC, SS);
	cs.dev = (struct blk_dev){ .name = "crash0", .sector_size = SS,
				   .sectors = NSEC, .ops = &cs_ops };
	cs.ops_left = -1;
	cs.dead = false;
}

/*
 * The power cut: each cached write reaches the medium or not, at random,
 * in issue order; a multi-sector write may land only some of its sectors
 * (a torn write). Then the disk comes back with what landed.
 */
static bool cs_tear_sectors;

static void cs_power_cut(void)
{
	for (size_t i = 0; i < cs.np; i++) {
		struct pending *w = &cs.p[i];
		int r = rand() % 4;

		if (r == 0)
			continue; /* lost */
		for (uint32_t s = 0; s < w->count; s++) {
			uint8_t *dst = cs.durable + (w->lba + s) * SS;
			const uint8_t *src = w->data + (size_t)s * SS;

			if (r != 1)
				memcpy(dst, src, SS);
			else if (w->count > 1 && rand() % 2)
				memcpy(dst, src, SS); /* torn between sectors */
			else if (w->count == 1 && cs_tear_sectors)
				/* torn inside the sector: 64-byte pieces */
				for (int b = 0; b < SS; b += 64)
					if (rand() % 2)
						memcpy(dst + b, src + b, 64);
		}
	}
	cs_drop_pending();
	memcpy(cs.cur, cs.durable, (size_t)NSEC * SS);
	cs.dead = false;
	cs.ops_left = -1;
}

static void cs_free(void)
{
	cs_drop_pending();
	free(cs.p);
	free(cs.cur);
	free(cs.durable);
	memset(&cs, 0, sizeof(cs));
}

/* ---- SQLite on top ------------------------------------------------------ */

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/*
 * locking_mode=EXCLUSIVE commits by zeroing the journal header (the
 * journal stays), NORMAL by deleting the journal (xDelete: size record 0);
 * the power-cut test alternates so both commit points are cut around.
 */
static bool exclusive = true;

static sqlite3 *open_db(void)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(STORE_DB_NAME, &db, SQLITE_OPEN_READWRITE |
				    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	if (exec(db, "PRAGMA journal_mode=DELETE") ||
	    exec(db, "PRAGMA synchronous=FULL") ||
	    exec(db, exclusive ? "PRAGMA locking_mode=EXCLUSIVE"
			       : "PRAGMA locking_mode=NORMAL")) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* One transaction: every row to generation @gen. SQLITE_OK or error. */
static int commit_gen(sqlite3 *db, long gen)
{
	static uint8_t pad[PAD];
	sqlite3_stmt *st = NULL;
	int rc = exec(db, "BEGIN");

	memset(pad, (int)(gen & 0xff), sizeof(pad));
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
					"INSERT OR REPLACE INTO powertest(k, "
					"gen, pad) VALUES (?1, ?2, ?3)",
					-1, &st, NULL);
	for (int k = 0; rc == SQLITE_OK && k < ROWS; k++) {
		sqlite3_bind_int(st, 1, k);
		sqlite3_bind_int64(st, 2, gen);
		sqlite3_bind_blob(st, 3, pad, PAD, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = exec(db, "COMMIT");
	if (rc != SQLITE_OK)
		exec(db, "ROLLBACK");
	return rc;
}

/* integrity_check "ok", ROWS rows, one generation (returned), else -1. */
static long verify(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	long gen = -1;
	bool ok = false;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	if (!ok)
		return -1;
	if (sqlite3_prepare_v2(db,
			       "SELECT count(*), min(gen), max(gen), "
			       "sum(length(pad) = ?1 AND "
			       "substr(hex(pad), 1, 2) = printf('%02X', gen % "
			       "256)) FROM powertest",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, PAD);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_int(st, 0) == ROWS &&
		    sqlite3_column_int64(st, 1) == sqlite3_column_int64(st, 2) &&
		    sqlite3_column_int(st, 3) == ROWS)
			gen = (long)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return gen;
}

static sqlite3 *fresh_store(void)
{
	const char *why = NULL;
	sqlite3 *db;

	cs_init();
	UNIT_CHECK(store_vfs_attach(&cs.dev, NSEC * SS, &why) ==
		   STORE_VFS_BLANK);
	UNIT_CHECK(store_vfs_format() == 0);
	UNIT_CHECK(store_vfs_attach(&cs.dev, NSEC * SS, &why) == STORE_VFS_OK);
	db = open_db();
	UNIT_CHECK(db != NULL);
	if (!db)
		return NULL;
	UNIT_CHECK(exec(db, "CREATE TABLE powertest(k INTEGER PRIMARY KEY, "
			    "gen INTEGER, pad BLOB)") == SQLITE_OK);
	UNIT_CHECK(commit_gen(db, 0) == SQLITE_OK);
	return db;
}

UNIT_TEST(store_vfs_roundtrip)
{
	sqlite3 *db = fresh_store();
	const char *why = NULL;

	UNIT_CHECK(db != NULL);
	for (long g = 1; db && g <= 5; g++)
		UNIT_CHECK(commit_gen(db, g) == SQLITE_OK);
	UNIT_CHECK(verify(db) == 5);
	/* a commit flushes: journal, data, then its deletion */
	UNIT_CHECK(cs.np == 0);
	{
		unsigned long w = cs.writes, f = cs.flushes;
		UNIT_CHECK(commit_gen(db, 6) == SQLITE_OK);
		printf("store_vfs: one commit = %lu writes, %lu flushes\n",
		       cs.writes - w, cs.flushes - f);
	}
	UNIT_CHECK(verify(db) == 6);
	{
		unsigned long w = cs.writes, f = cs.flushes;
		UNIT_CHECK(exec(db, "UPDATE powertest SET gen = 7 WHERE k = 0") ==
			   SQLITE_OK);
		printf("store_vfs: a one-row commit = %lu writes, %lu flushes\n",
		       cs.writes - w, cs.flushes - f);
		UNIT_CHECK(exec(db, "UPDATE powertest SET gen = 6 WHERE k = 0") ==
			   SQLITE_OK);
	}
	sqlite3_close(db);
	/* everything flushed is on the medium: a cut loses nothing */
	cs_power_cut();
	UNIT_CHECK(store_vfs_attach(&cs.dev, NSEC * SS, &why) == STORE_VFS_OK);
	db = open_db();
	UNIT_CHECK(db && verify(db) == 6);
	sqlite3_close(db);
	cs_free();
}

UNIT_TEST(store_vfs_power_cuts)
{
	sqlite3 *db = fresh_store();
	long committed = 0, inflight = 0;
	int torn_ok = 0, bad = 0, newer = 0;

	srand(6);
	/* the second half also tears single sectors (the size records
	 * survive through their second slot, SQLite's journal through its
	 * checksums) */
	for (int cut = 0; db && cut < CUTS && bad < 5; cut++) {
		const char *why = NULL;
		long g;

		unsigned long ops = cs.writes + cs.flushes;

		/* one clean commit counts the device operations a commit
		 * takes; the next one is cut anywhere, or (every other time)
		 * in its last few operations, around the commit point */
		inflight = committed + 1;
		if (commit_gen(db, inflight) == SQLITE_OK)
			committed = inflight;
		ops = cs.writes + cs.flushes - ops;
		cs.ops_left = rand() % 2 ? rand() % (long)(ops + 1)
					  : (long)ops - rand() % 4;
		cs_tear_sectors = cut >= CUTS / 2;
		while (!cs.dead) {
			inflight = committed + 1;
			if (commit_gen(db, inflight) == SQLITE_OK)
				committed = inflight;
		}
		sqlite3_close(db);
		cs_power_cut();
		exclusive = cut % 2;
		if (store_vfs_attach(&cs.dev, NSEC * SS, &why) !=
		    STORE_VFS_OK) {
			printf("cut %d: store refused: %s\n", cut, why);
			bad++;
			db = NULL;
			continue;
		}
		db = open_db();
		g = db ? verify(db) : -1;
		if (g != committed && g != inflight) {
			printf("cut %d: read generation %ld, committed %ld, "
			       "in flight %ld\n",
			       cut, g, committed, inflight);
			bad++;
		}
		if (g == inflight)
			newer++;
		torn_ok++;
		committed = g;
	}
	UNIT_CHECK(bad == 0);
	UNIT_CHECK(torn_ok == CUTS);
	UNIT_CHECK(newer > 0); /* cuts around the commit point happened */
	exclusive = true;
	printf("store_vfs: %d power cuts, %d kept the in-flight commit\n",
	       torn_ok, newer);
	sqlite3_close(db);
	cs_free();
}

/* Rewrite sector @lba of the durable image through @fn, then re-attach. */
static enum store_vfs_state damaged(int lba, void (*fn)(uint8_t *s),
				    const char **why)
{
	fn(cs.cur + lba * SS);
	return store_vfs_attach(&cs.dev, NSEC * SS, why);
}

static void flip_crc(uint8_t *s)
{
	s[20] ^= 1; /* inside sector_size/bytes: covered by the CRC */
}

static void reseal(uint8_t *s, size_t crc_at)
{
	uint32_t crc = crc32_update(0, s, crc_at);
	memcpy(s + crc_at, &crc, 4);
}

/* superblock: magic 8, version 4, ss 4, bytes 8, 2 x (off 8, len 8), crc */
#define SB_CRC (8 + 4 + 4 + 8 + 32)

static void huge_region(uint8_t *s)
{
	uint64_t len = (uint64_t)NSEC * SS * 2;
	memcpy(s + 24 + 8, &len, 8); /* region 0 length */
	reseal(s, SB_CRC);
}

static void overlapping(uint8_t *s)
{
	uint64_t off = 0;
	memcpy(s + 24, &off, 8); /* region 0 over the superblock */
	reseal(s, SB_CRC);
}

UNIT_TEST(store_vfs_refuses_damage)
{
	sqlite3 *db = fresh_store();
	const char *why = NULL;
	uint64_t rec_lba, big;
	uint8_t save[SS];

	sqlite3_close(db);
	memcpy(save, cs.cur, SS);
	UNIT_CHECK(damaged(0, flip_crc, &why) == STORE_VFS_CORRUPT);
	UNIT_CHECK(why && strstr(why, "CRC"));
	memcpy(cs.cur, save, SS);
	UNIT_CHECK(damaged(0, huge_region, &why) == STORE_VFS_CORRUPT);
	UNIT_CHECK(why && strstr(why, "impossible region"));
	memcpy(cs.cur, save, SS);
	UNIT_CHECK(damaged(0, overlapping, &why) == STORE_VFS_CORRUPT);
	UNIT_CHECK(why && strstr(why, "impossible region"));
	memcpy(cs.cur, save, SS);
	UNIT_CHECK(store_vfs_attach(&cs.dev, NSEC * SS, &why) == STORE_VFS_OK);
	/* the same superblock on a partition too small for it */
	UNIT_CHECK(store_vfs_attach(&cs.dev, NSEC * SS / 2, &why) ==
		   STORE_VFS_CORRUPT);
	/* not ours at all */
	memset(cs.cur, 0x5a, SS);
	UNIT_CHECK(store_vfs_attach(&cs.dev, NSEC * SS, &why) ==
		   STORE_VFS_CORRUPT);
	UNIT_CHECK(why && strstr(why, "magic"));
	memcpy(cs.cur, save, SS);

	/* a size record claiming more than its region, resealed: refused
	 * before SQLite could read past the region */
	memcpy(&rec_lba, save + 24, 8);
	rec_lba /= SS;
	for (int slot = 0; slot < 2; slot++) {
		uint8_t *r = cs.cur + (rec_lba + slot) * SS;
		if (memcmp(r, "KEELSIZ1", 8))
			continue;
		big = (uint64_t)NSEC * SS;
		memcpy(r + 24, &big, 8);
		reseal(r, 32);
	}
	UNIT_CHECK(store_vfs_attach(&cs.dev, NSEC * SS, &why) ==
		   STORE_VFS_CORRUPT);
	UNIT_CHECK(why && strstr(why, "size record says"));
	/* both size records unreadable */
	memset(cs.cur + rec_lba * SS, 0xff, 2 * SS);
	UNIT_CHECK(store_vfs_attach(&cs.dev, NSEC * SS, &why) ==
		   STORE_VFS_CORRUPT);
	/* nothing can be opened on a refused store */
	UNIT_CHECK(open_db() == NULL);
	/* formatting brings it back, empty */
	UNIT_CHECK(store_vfs_format() == 0);
	db = open_db();
	UNIT_CHECK(db != NULL);
	UNIT_CHECK(db && exec(db, "SELECT * FROM powertest") != SQLITE_OK);
	sqlite3_close(db);
	/* wiped: blank again */
	memset(cs.cur, 0, SS);
	UNIT_CHECK(store_vfs_attach(&cs.dev, NSEC * SS, &why) ==
		   STORE_VFS_BLANK);
	cs_free();
}

UNIT_TEST(store_vfs_full)
{
	sqlite3 *db = fresh_store();
	int rc = SQLITE_OK;

	/* grow until the database region is full: SQLITE_FULL, no damage */
	for (long g = 0; db && rc == SQLITE_OK && g < 200; g++) {
		char sql[128];
		snprintf(sql, sizeof(sql),
			 "INSERT INTO powertest(gen, pad) VALUES (%ld, "
			 "zeroblob(30000))",
			 g);
		rc = exec(db, sql);
	}
	UNIT_CHECK(rc == SQLITE_FULL);
	UNIT_CHECK(db && exec(db, "DELETE FROM powertest WHERE k >= 24") ==
			       SQLITE_OK);
	UNIT_CHECK(db && verify(db) == 0);
	sqlite3_close(db);
	cs_free();
}
