/* SPDX-License-Identifier: MIT */
/*
 * The config store (docs/store.md): one SQLite database on the boot
 * device's KEEL-CONFIG partition, reached through store/'s block-device
 * VFS. No other room writes SQL: everything goes through these typed
 * accessors, which serialize on one store lock (any thread may call
 * them; each call is its own durable transaction unless bracketed by
 * store_begin/store_commit).
 *
 * Errors are negative errno values: -ENOENT (not set), -EINVAL (bad
 * value, nothing written), -EIO (the device or SQLite failed; the old
 * value is kept), -ENODEV (no usable store, see store_state()).
 */
#ifndef KEEL_STORE_STORE_H
#define KEEL_STORE_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/netcfg.h"

enum store_state {
	STORE_OK,	/* open on the config partition */
	STORE_MEMORY,	/* no config partition: settings live in RAM only */
	STORE_CORRUPT,	/* the partition is there but unreadable: reason says why */
	STORE_STARTING, /* store_init() has not finished */
};

/*
 * Boot: wait for the config partition (USB sticks appear late), open the
 * database (a blank partition is formatted), run the schema migrations.
 * Never fails the boot: on a missing partition the store runs in RAM
 * (STORE_MEMORY), on a damaged one it stays closed (STORE_CORRUPT) until
 * store_recreate(). Logs what it found. Kernel only.
 */
void store_init(void);
/* Block until the boot's store_init() has finished (the console calls it
 * before it reads the store). Kernel only. */
void store_wait_ready(void);
/* The state and a one-line reason a person can act on (never NULL). */
enum store_state store_state(const char **reason);
/*
 * Wipe the partition's store area and create an empty database: the host
 * is back at first boot. Also the way out of STORE_CORRUPT. 0 or -errno.
 */
int store_recreate(void);

/* Several accessors as one transaction: all or nothing on power loss.
 * store_begin takes the store lock until store_commit/store_rollback. */
int store_begin(void);
int store_commit(void);
void store_rollback(void);

/* First boot is done (the wizard or keel.cfg finished). */
bool store_configured(void);
int store_set_configured(bool done);

/* Management network (net/netcfg.h) and host name (RFC 1123). */
int store_get_net(struct net_config *c);
int store_set_net(const struct net_config *c);
int store_get_hostname(char *buf, size_t len);
int store_set_hostname(const char *name);

/*
 * Root password: only a salted slow hash is stored (docs/store.md:
 * "$pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>"). set_password
 * hashes @plain; set_password_hash takes a hash made elsewhere (keel.cfg
 * `rootpw --iscrypted`: that format or SHA-512 crypt "$6$..."), -EINVAL
 * when it is neither. check: 0 when @plain matches, -EACCES when not,
 * -ENOENT when no password is set. Constant-time compare.
 */
int store_set_root_password(const char *plain);
int store_set_root_password_hash(const char *hash);
int store_check_root_password(const char *plain);

/* The host's TLS identity, DER. get returns malloc'd copies (the caller
 * zeroizes and frees the key). */
int store_set_tls(const uint8_t *key_der, size_t key_len,
		  const uint8_t *cert_der, size_t cert_len);
int store_get_tls(uint8_t **key_der, size_t *key_len, uint8_t **cert_der,
		  size_t *cert_len);

/* Lockdown mode (remote management only through the endpoint). */
bool store_lockdown(void);
int store_set_lockdown(bool on);
/* The endpoint's TCP port (default 443). */
uint16_t store_mgmt_port(void);
int store_set_mgmt_port(uint16_t port);

/* Audit events: who ("console", "root@10.0.2.2"), what happened. */
int store_audit(const char *who, const char *what);
struct store_audit_rec {
	int64_t id;
	int64_t time_ms; /* since boot until there is an RTC */
	char who[64];
	char what[160];
};
/* Up to @max events with id > @after, oldest first; the count or -errno. */
int store_audit_read(int64_t after, struct store_audit_rec *out, int max);

/* VM inventory (the management endpoint fills it; issue 7). */
#define STORE_VM_NAME_MAX 64
#define STORE_VM_PATH_MAX 256
/* Linux's own COMMAND_LINE_SIZE on x86 (boot.rst: cmdline_size 2047), so
 * the kernel's limit, not the store's, is what a guest line meets. */
#define STORE_VM_CMDLINE_MAX 2048
#define STORE_VM_DISKS_MAX 4
#define STORE_VM_DISK_NAME 128 /* datastore/ds.h DS_NAME_MAX */
struct store_vm {
	int64_t id;
	char name[STORE_VM_NAME_MAX];
	uint32_t vcpus;
	uint64_t mem_mb;
	char kernel[STORE_VM_PATH_MAX];
	char initrd[STORE_VM_PATH_MAX];
	char cmdline[STORE_VM_CMDLINE_MAX];
	bool autostart;
	/* Schema v3: datastore disk files, in order (virtio-blk 0, 1 ...);
	 * unused slots are "". */
	char disks[STORE_VM_DISKS_MAX][STORE_VM_DISK_NAME];
};
/* put: insert (id 0: a new id is written back) or replace by id; names
 * are unique (-EEXIST). */
int store_vm_put(struct store_vm *vm);
int store_vm_get(int64_t id, struct store_vm *vm);
/* Up to @max VMs ordered by id; the count or -errno. */
int store_vm_list(struct store_vm *out, int max);
int store_vm_delete(int64_t id);
int store_vm_count(void);

/* Schema version the running image expects / the database has. */
int store_schema_version(void);
#endif
