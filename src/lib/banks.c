/* Rules in two banks (lib/banks.h). */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/banks.h"
#include "lib/bpf_info.h"
#include "lib/slots.h"

int sl_banks_config(const struct sl_banks *b, void *cfg)
{
	uint32_t zero = 0;

	memset(cfg, 0, b->cfg_size);
	return bpf_map_lookup_elem(b->cfg_fd, &zero, cfg);
}

static uint32_t *id_of(const struct sl_banks *b, void *rules, int i)
{
	return (uint32_t *)((char *)rules + (size_t)i * b->rule_size + b->id_off);
}

void sl_banks_assign_ids(const struct sl_banks *b, void *rules, int n)
{
	char cfg_buf[64] = { 0 };
	struct sl_bank_head *head = (void *)cfg_buf;
	struct sl_slots used = { 0 };
	char *old = calloc((size_t)b->per_bank, b->rule_size);
	bool *old_taken = calloc((size_t)b->per_bank, sizeof(bool));
	int nold = 0;

	if (old && old_taken && b->cfg_size <= sizeof(cfg_buf) && !sl_banks_config(b, cfg_buf)) {
		uint32_t live = head->bank & 1;

		nold = (int)(head->nrules[live] < (uint32_t)b->per_bank ? head->nrules[live] : (uint32_t)b->per_bank);
		for (int i = 0; i < nold; i++) {
			uint32_t k = live * (uint32_t)b->per_bank + (uint32_t)i;

			if (bpf_map_lookup_elem(b->rules_fd, &k, old + (size_t)i * b->rule_size) ||
			    *id_of(b, old, i) >= (uint32_t)b->per_bank)
				old_taken[i] = true; /* unreadable: not reused */
		}
	}
	for (int i = 0; i < n; i++) {
		*id_of(b, rules, i) = (uint32_t)b->per_bank;
		for (int j = 0; j < nold; j++) {
			uint32_t id = *id_of(b, old, j);

			if (old_taken[j] || sl_slot_taken(&used, (int)id) ||
			    !b->same(old + (size_t)j * b->rule_size, (char *)rules + (size_t)i * b->rule_size))
				continue;
			old_taken[j] = true;
			*id_of(b, rules, i) = id;
			sl_slot_set(&used, (int)id, true);
			break;
		}
	}
	for (int i = 0; i < n; i++) {
		uint32_t *id = id_of(b, rules, i);

		if (*id < (uint32_t)b->per_bank)
			continue;
		*id = (uint32_t)sl_slot_take(&used, b->per_bank);
		sl_percpu_zero(b->stats_fd, id, b->stat_size);
	}
	free(old);
	free(old_taken);
}

int sl_banks_write(const struct sl_banks *b, void *cfg, const void *rules, int n, struct sl_error *err)
{
	struct sl_bank_head *head = cfg;
	uint32_t zero = 0, next = (head->bank & 1) ^ 1;

	for (int i = 0; i < n; i++) {
		uint32_t k = next * (uint32_t)b->per_bank + (uint32_t)i;

		if (bpf_map_update_elem(b->rules_fd, &k, (const char *)rules + (size_t)i * b->rule_size, BPF_ANY))
			return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot write rule %d: %s", b->feature, i,
				       strerror(errno));
	}
	head->bank = next;
	head->nrules[next] = (uint32_t)n;
	if (bpf_map_update_elem(b->cfg_fd, &zero, cfg, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot switch rules: %s", b->feature, strerror(errno));
	return 0;
}
