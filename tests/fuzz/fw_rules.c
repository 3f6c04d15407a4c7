/*
 * tests/fuzz/fw_rules.c - any text into the firewall's rule parser
 * (atoll_fw_rules_parse).  A set that parses must also write out in
 * canonical form, that form must parse again, and write out the same
 * (the round trip the management interface relies on when it shows the
 * rules); one packet made from the input's last bytes is matched against
 * it.  A refused set must say where (a line) and why (a message).
 */
#include <stdint.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "atoll/fw.h"
#include "atoll/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ifs[] = {"inside", "outside", "mgmt"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    static char a[1 << 20], b[1 << 20];
    if (!init) {
        struct atoll_runtime_opts o = {256u << 20, 1024, "quiet"};
        if (atoll_runtime_init(&o) < 0)
            __builtin_trap();
        init = true;
    }
    struct atoll_fw_rules *r, *r2;
    struct atoll_fw_error e;
    int n = atoll_fw_rules_parse((const char *)data, size, ifs, 3, &r, &e);
    if (n < 0) {
        if (e.msg[0] == 0 || (n == -9 && e.line < 1))
            __builtin_trap();
        return 0;
    }
    int la = atoll_fw_rules_format(r, ifs, a, sizeof a);
    if (la < 0 || (size_t)la >= sizeof a)
        __builtin_trap();
    if (atoll_fw_rules_parse(a, (size_t)la, ifs, 3, &r2, &e) < 0)
        __builtin_trap();
    int lb = atoll_fw_rules_format(r2, ifs, b, sizeof b);
    if (lb != la || memcmp(a, b, (size_t)la) != 0 ||
        r2->n_rules != r->n_rules || r2->n_masq != r->n_masq ||
        r2->n_forward != r->n_forward || r2->policy != r->policy)
        __builtin_trap();
    struct atoll_fw_pkt p;
    memset(&p, 0, sizeof p);
    if (size >= 8) {
        const uint8_t *t = data + size - 8;
        p.in_if = t[0] % 3;
        p.out_if = t[1] % 3;
        p.proto = t[2];
        p.state = (uint8_t)(1u << (t[3] % 4));
        atoll_fw_addr4(p.src, 0xc6120000u | t[4]);
        atoll_fw_addr4(p.dst, 0xc6120100u | t[5]);
        p.sport = t[6];
        p.dport = t[7];
        p.len = (uint32_t)size;
    }
    struct atoll_fw_rule *m = atoll_fw_rules_match(r, &p);
    if (m && (m < r->rules || m >= r->rules + r->n_rules || m->packets == 0))
        __builtin_trap();
    atoll_fw_rules_free(r);
    atoll_fw_rules_free(r2);
    return 0;
}
