// SPDX-License-Identifier: MIT
/*
 * Space in the datastore's data area (docs/datastore.md "Space"). There
 * is no free map on disk: the free space is whatever no file's extents
 * cover, worked out from the file table when it is needed (at most
 * DS_FILES_MAX * DS_EXTENTS_MAX extents, sorted in memory). So a crash
 * can never leak space or leave a map disagreeing with the table.
 *
 * An upload reserves all its blocks at the start: the smallest free run
 * that holds the file, else the largest runs first, up to
 * DS_EXTENTS_MAX of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datastore/ds_int.h"
#include "drivers/blk.h"

struct ds_run {
	uint64_t start, end;
};

static int ds_run_cmp_start(const void *a, const void *b)
{
	const struct ds_run *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int ds_run_cmp_len_desc(const void *a, const void *b)
{
	const struct ds_run *x = a, *y = b;
	uint64_t lx = x->end - x->start, ly = y->end - y->start;

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return ds_run_cmp_start(a, b);
}

/* Every extent in the data area, sorted and merged; NULL when out of
 * memory. A damaged file's valid extents count: its blocks stay taken. */
static struct ds_run *ds_used_runs(const struct ds_vol *v, size_t *count)
{
	uint64_t lo = v->sb.data_start, hi = lo + v->sb.data_blocks;
	struct ds_run *r =
	    malloc(((size_t)v->nfiles * DS_EXTENTS_MAX + 1) * sizeof(*r));
	size_t n = 0, m = 0;

	if (!r)
		return NULL;
	for (uint32_t i = 0; i < v->nfiles; i++)
		for (uint32_t e = 0; e < v->files[i].nextents; e++) {
			const struct ds_disk_ext *x = &v->files[i].ext[e];

			if (x->blocks && x->start >= lo && x->start < hi &&
			    x->blocks <= hi - x->start)
				r[n++] =
				    (struct ds_run){ x->start,
						     x->start + x->blocks };
		}
	qsort(r, n, sizeof(*r), ds_run_cmp_start);
	for (size_t i = 0; i < n; i++) {
		if (m && r[i].start <= r[m - 1].end) {
			if (r[i].end > r[m - 1].end)
				r[m - 1].end = r[i].end;
		} else {
			r[m++] = r[i];
		}
	}
	*count = m;
	return r;
}

uint64_t ds_used_blocks(const struct ds_vol *v)
{
	size_t n;
	struct ds_run *r = ds_used_runs(v, &n);
	uint64_t used = 0;

	if (!r)
		return v->sb.data_blocks; /* report full rather than guess */
	for (size_t i = 0; i < n; i++)
		used += r[i].end - r[i].start;
	free(r);
	return used;
}

int ds_alloc(struct ds_vol *v, uint64_t blocks, struct ds_file *f)
{
	uint64_t lo = v->sb.data_start, hi = lo + v->sb.data_blocks, pos = lo;
	struct ds_run *used, *free_runs, *best = NULL;
	size_t nu, nf = 0;
	int rc = -ENOSPC;

	f->nextents = 0;
	if (!blocks)
		return 0;
	used = ds_used_runs(v, &nu);
	if (!used)
		return -ENOMEM;
	free_runs = malloc((nu + 1) * sizeof(*free_runs));
	if (!free_runs) {
		free(used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nu; i++) {
		if (used[i].start > pos)
			free_runs[nf++] = (struct ds_run){ pos, used[i].start };
		pos = used[i].end;
	}
	if (pos < hi)
		free_runs[nf++] = (struct ds_run){ pos, hi };
	/* One run if any holds it all: the smallest such (best fit). */
	for (size_t i = 0; i < nf; i++) {
		uint64_t len = free_runs[i].end - free_runs[i].start;

		if (len >= blocks && (!best || len < best->end - best->start))
			best = &free_runs[i];
	}
	if (best) {
		f->ext[0] = (struct ds_disk_ext){ best->start, blocks };
		f->nextents = 1;
		rc = 0;
		goto out;
	}
	/* Else the largest runs first, so the fewest extents. */
	qsort(free_runs, nf, sizeof(*free_runs), ds_run_cmp_len_desc);
	for (size_t i = 0; i < nf && i < DS_EXTENTS_MAX && blocks; i++) {
		uint64_t len = free_runs[i].end - free_runs[i].start;
		uint64_t take = len < blocks ? len : blocks;

		f->ext[f->nextents++] =
		    (struct ds_disk_ext){ free_runs[i].start, take };
		blocks -= take;
	}
	if (blocks)
		f->nextents = 0;
	else
		rc = 0;
out:
	free(used);
	free(free_runs);
	return rc;
}

int ds_file_io(struct ds_vol *v, const struct ds_disk_ext *ext, uint32_t next,
	       uint64_t fb, uint32_t n, void *buf, bool write)
{
	uint8_t *p = buf;

	for (uint32_t e = 0; e < next && n; e++) {
		uint64_t take;
		int rc;

		if (fb >= ext[e].blocks) {
			fb -= ext[e].blocks;
			continue;
		}
		take = ext[e].blocks - fb;
		if (take > n)
			take = n;
		rc = write ? ds_bwrite(v, ext[e].start + fb, (uint32_t)take, p)
			   : ds_bread(v, ext[e].start + fb, (uint32_t)take, p);
		if (rc)
			return -EIO;
		p += take * DS_BLOCK;
		n -= (uint32_t)take;
		fb = 0;
	}
	return n ? -EINVAL : 0;
}
