// SPDX-License-Identifier: MIT
/*
 * Typed accessors for the VM inventory and the audit log (docs/store.md
 * "API"). The audit table keeps the last STORE_AUDIT_KEEP events: older
 * ones are deleted in the same transaction that adds a new one, so the
 * config partition never fills up with history.
 */
#include <errno.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

#define STORE_AUDIT_KEEP 1000
#define STORE_VM_VCPUS_MAX 256
#define STORE_VM_MEM_MAX (1024ull * 1024) /* 1 TiB in MiB */

/* @s is a NUL-terminated string within its @size-byte array. */
static bool store_str_ok(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

/* A VM name: 1-63 of letters, digits, '.', '_', '-', starting with a
 * letter or digit (it appears in URLs and log lines). */
static int store_valid_vm(const struct store_vm *vm)
{
	const char *n = vm->name;

	if (!store_str_ok(vm->name, sizeof(vm->name)) ||
	    !store_str_ok(vm->kernel, sizeof(vm->kernel)) ||
	    !store_str_ok(vm->initrd, sizeof(vm->initrd)) ||
	    !store_str_ok(vm->cmdline, sizeof(vm->cmdline)))
		return -EINVAL;
	for (int i = 0; i < STORE_VM_DISKS_MAX; i++)
		if (!store_str_ok(vm->disks[i], sizeof(vm->disks[i])) ||
		    strchr(vm->disks[i], '\n') ||
		    (i && !vm->disks[i - 1][0] && vm->disks[i][0]))
			return -EINVAL; /* no gaps */
	if (!((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z') ||
	      (n[0] >= '0' && n[0] <= '9')))
		return -EINVAL;
	for (; *n; n++) {
		char c = *n;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return -EINVAL;
	}
	if (vm->vcpus < 1 || vm->vcpus > STORE_VM_VCPUS_MAX)
		return -EINVAL;
	if (vm->mem_mb < 1 || vm->mem_mb > STORE_VM_MEM_MAX)
		return -EINVAL;
	if (!vm->kernel[0] || vm->id < 0)
		return -EINVAL;
	return 0;
}

/* The disks column: names joined by '\n'. */
#define STORE_VM_DISKS_TEXT (STORE_VM_DISKS_MAX * STORE_VM_DISK_NAME)

static void store_vm_join_disks(const struct store_vm *vm, char *out)
{
	size_t n = 0;

	out[0] = 0;
	for (int i = 0; i < STORE_VM_DISKS_MAX && vm->disks[i][0]; i++) {
		size_t l = strlen(vm->disks[i]);

		if (i)
			out[n++] = '\n';
		memcpy(out + n, vm->disks[i], l + 1);
		n += l;
	}
}

/* Split what store_vm_join_disks wrote; -EIO when it does not fit. */
static int store_vm_split_disks(struct store_vm *vm, const char *s)
{
	int i = 0;

	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t l = nl ? (size_t)(nl - s) : strlen(s);

		if (i == STORE_VM_DISKS_MAX || !l || l >= STORE_VM_DISK_NAME)
			return -EIO;
		memcpy(vm->disks[i], s, l);
		vm->disks[i++][l] = 0;
		s = nl ? nl + 1 : NULL;
	}
	return 0;
}

int store_vm_put(struct store_vm *vm)
{
	char disks[STORE_VM_DISKS_TEXT];
	sqlite3_stmt *st;
	int rc;

	if (!vm || store_valid_vm(vm))
		return -EINVAL;
	store_vm_join_disks(vm, disks);
	rc = store_wr_begin();
	if (rc)
		return rc;
	/* Upsert by id: a name taken by another VM fails the UNIQUE
	 * constraint (-EEXIST) instead of replacing that VM. */
	st =
	    store_prep("INSERT INTO vm(id, name, vcpus, mem_mb, kernel, initrd,"
		       " cmdline, autostart, disks)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		       " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
		       " vcpus = excluded.vcpus, mem_mb = excluded.mem_mb,"
		       " kernel = excluded.kernel, initrd = excluded.initrd,"
		       " cmdline = excluded.cmdline,"
		       " autostart = excluded.autostart,"
		       " disks = excluded.disks");
	if (st) {
		if (vm->id)
			sqlite3_bind_int64(st, 1, vm->id);
		else
			sqlite3_bind_null(st, 1);
		sqlite3_bind_text(st, 2, vm->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, vm->vcpus);
		sqlite3_bind_int64(st, 4, (int64_t)vm->mem_mb);
		sqlite3_bind_text(st, 5, vm->kernel, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, vm->initrd, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, vm->cmdline, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 8, vm->autostart);
		sqlite3_bind_text(st, 9, disks, -1, SQLITE_STATIC);
	}
	rc = store_step_done(st);
	if (!rc && !vm->id)
		vm->id = sqlite3_last_insert_rowid(store_db);
	return store_wr_end(rc);
}

#define STORE_VM_COLS                                                          \
	"id, name, vcpus, mem_mb, kernel, initrd, cmdline, autostart, disks"

static int store_row_vm(sqlite3_stmt *st, struct store_vm *vm)
{
	int64_t vcpus = sqlite3_column_int64(st, 2);
	int64_t mem = sqlite3_column_int64(st, 3);

	memset(vm, 0, sizeof(*vm));
	vm->id = sqlite3_column_int64(st, 0);
	if (store_col_text(st, 1, vm->name, sizeof(vm->name)) ||
	    store_col_text(st, 4, vm->kernel, sizeof(vm->kernel)) ||
	    store_col_text(st, 5, vm->initrd, sizeof(vm->initrd)) ||
	    store_col_text(st, 6, vm->cmdline, sizeof(vm->cmdline)) ||
	    vcpus < 1 || vcpus > STORE_VM_VCPUS_MAX || mem < 1 ||
	    (uint64_t)mem > STORE_VM_MEM_MAX)
		return -EIO;
	vm->vcpus = (uint32_t)vcpus;
	vm->mem_mb = (uint64_t)mem;
	vm->autostart = sqlite3_column_int(st, 7) != 0;
	return store_vm_split_disks(
	    vm, (const char *)sqlite3_column_text(st, 8));
}

int store_vm_get(int64_t id, struct store_vm *vm)
{
	sqlite3_stmt *st;
	int rc = store_rd_begin();

	if (rc)
		return rc;
	st = store_prep("SELECT " STORE_VM_COLS " FROM vm WHERE id = ?1");
	rc = -EIO;
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_ROW	 ? store_row_vm(st, vm)
		     : rc == SQLITE_DONE ? -ENOENT
					 : -EIO;
	}
	sqlite3_finalize(st);
	store_rd_end();
	return rc;
}

int store_vm_list(struct store_vm *out, int max)
{
	sqlite3_stmt *st;
	int n = 0, rc;

	if (max < 0)
		return -EINVAL;
	rc = store_rd_begin();
	if (rc)
		return rc;
	st =
	    store_prep("SELECT " STORE_VM_COLS " FROM vm ORDER BY id LIMIT ?1");
	if (!st) {
		store_rd_end();
		return -EIO;
	}
	sqlite3_bind_int(st, 1, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		if (store_row_vm(st, &out[n])) {
			rc = SQLITE_ERROR;
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	store_rd_end();
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : -EIO;
}

int store_vm_delete(int64_t id)
{
	sqlite3_stmt *st;
	int rc = store_wr_begin();

	if (rc)
		return rc;
	st = store_prep("DELETE FROM vm WHERE id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	rc = store_step_done(st);
	if (!rc && sqlite3_changes(store_db) == 0)
		rc = -ENOENT;
	return store_wr_end(rc);
}

static int store_count(const char *sql)
{
	sqlite3_stmt *st;
	int rc = store_rd_begin();

	if (rc)
		return rc;
	st = store_prep(sql);
	rc = -EIO;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	store_rd_end();
	return rc;
}

int store_vm_count(void)
{
	return store_count("SELECT count(*) FROM vm");
}

/* ---- Audit
 * ------------------------------------------------------------------- */

/* Long texts are cut to what store_audit_rec holds, not refused: an
 * event is never lost for being wordy. */
int store_audit(const char *who, const char *what)
{
	struct store_audit_rec r;
	sqlite3_stmt *st;
	int rc;

	if (!who || !what || !*who || !*what)
		return -EINVAL;
	rc = store_wr_begin();
	if (rc)
		return rc;
	st = store_prep(
	    "INSERT INTO audit(time_ms, who, what) VALUES (?1, ?2, ?3)");
	if (st) {
		sqlite3_bind_int64(st, 1, store_now_ms());
		sqlite3_bind_text(st, 2, who,
				  (int)strnlen(who, sizeof(r.who) - 1),
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 3, what,
				  (int)strnlen(what, sizeof(r.what) - 1),
				  SQLITE_STATIC);
	}
	rc = store_step_done(st);
	if (!rc) {
		st = store_prep("DELETE FROM audit WHERE id <= ?1");
		if (st)
			sqlite3_bind_int64(st, 1,
					   sqlite3_last_insert_rowid(store_db) -
					       STORE_AUDIT_KEEP);
		rc = store_step_done(st);
	}
	return store_wr_end(rc);
}

int store_audit_read(int64_t after, struct store_audit_rec *out, int max)
{
	sqlite3_stmt *st;
	int n = 0, rc;

	if (max < 0)
		return -EINVAL;
	rc = store_rd_begin();
	if (rc)
		return rc;
	st = store_prep("SELECT id, time_ms, who, what FROM audit WHERE id > ?1"
			" ORDER BY id LIMIT ?2");
	if (!st) {
		store_rd_end();
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		struct store_audit_rec *r = &out[n];
		r->id = sqlite3_column_int64(st, 0);
		r->time_ms = sqlite3_column_int64(st, 1);
		if (store_col_text(st, 2, r->who, sizeof(r->who)) ||
		    store_col_text(st, 3, r->what, sizeof(r->what))) {
			rc = SQLITE_ERROR;
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	store_rd_end();
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : -EIO;
}
