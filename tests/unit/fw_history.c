/*
 * tests/unit/fw_history.c - the rule set as a history (lib/fw/history.c)
 * on a store in memory: the boot set committed once, a put committed with
 * its author and message and applied, a malformed put refused with
 * nothing committed and the old set in force, a revert committing an
 * earlier set anew, and a reopened history applying the stored set.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/error.h"
#include "atoll/fw_history.h"

static const char boot[] = "accept in inside\nmasquerade out outside\n";
static const char strict[] = "accept state established\n";

struct fixture {
    struct atoll_firewall *fw;
    struct atoll_store *s;
    struct atoll_fw_history *h;
};

/* The firewall's two interfaces, as every test here has them. */
static const struct atoll_fw_iface ifs[2] = {
    {.name = "inside", .addr = 0xc6120101u, .prefix = 24, .mtu = 1500},
    {.name = "outside", .addr = 0xc6120201u, .prefix = 24, .mtu = 1500},
};

static void setup(struct fixture *f)
{
    struct atoll_runtime_opts o = {64u << 20, 0, "quiet"};
    CHECK_EQ(atoll_runtime_init(&o), 0);
    static const uint8_t key[16] = "history-tests!!!";
    CHECK_EQ(atoll_firewall_create(ifs, 2, 0, key, &f->fw), 0);
    struct atoll_store_backend *be;
    CHECK_EQ(atoll_store_mem_backend(&be), 0);
    CHECK_EQ(atoll_store_open(be, NULL, &f->s), 0);
    struct atoll_fw_error e;
    CHECK_EQ(
        atoll_fw_history_open(f->fw, f->s, boot, sizeof boot - 1, &e, &f->h),
        0);
}

struct seen {
    int n;
    char author[3][64], message[3][64];
};

static int collect(const struct atoll_store_commit *c, void *arg)
{
    struct seen *s = arg;
    if (s->n < 3) {
        snprintf(s->author[s->n], 64, "%s", c->author);
        snprintf(s->message[s->n], 64, "%.*s", (int)strcspn(c->message, "\n"),
                 c->message);
    }
    s->n++;
    return 0;
}

static int history(struct fixture *f, struct seen *s)
{
    memset(s, 0, sizeof *s);
    return atoll_store_log(f->s, "main", "rules", collect, s);
}

TEST(fw_history, "boot set committed once; a put commits, then applies")
{
    struct fixture f;
    setup(&f);
    CHECK_STR(atoll_firewall_rules(f.fw)->text, boot);
    struct seen s;
    history(&f, &s);
    CHECK_EQ(s.n, 1);
    CHECK_STR(s.message[0], "rules given at boot");

    struct atoll_fw_error e;
    atoll_store_id id;
    CHECK_EQ(atoll_fw_history_put(f.h, strict, sizeof strict - 1,
                                  "Ann <ann@atoll.invalid>", "tighten", &e,
                                  &id),
             0);
    CHECK_STR(atoll_firewall_rules(f.fw)->text, strict);
    history(&f, &s);
    CHECK_EQ(s.n, 2);
    CHECK_STR(s.author[0], "Ann <ann@atoll.invalid>");
    CHECK_STR(s.message[0], "tighten");
    /* an author that is not "Name <email>": refused, nothing changes */
    CHECK_EQ(atoll_fw_history_put(f.h, boot, sizeof boot - 1, "nobody", "x", &e,
                                  NULL),
             -ATOLL_EINVAL);
    CHECK_STR(atoll_firewall_rules(f.fw)->text, strict);
    history(&f, &s);
    CHECK_EQ(s.n, 2);
}

TEST(fw_history, "a malformed put: refused at line:column, nothing committed")
{
    struct fixture f;
    setup(&f);
    struct atoll_fw_error e;
    const char bad[] = "accept\ndrop in inside out nowhere\n";
    CHECK_EQ(
        atoll_fw_history_put(f.h, bad, sizeof bad - 1, NULL, "bad", &e, NULL),
        -ATOLL_EINVAL);
    CHECK_EQ(e.line, 2);
    CHECK_EQ(e.column, 20);
    CHECK_STR(atoll_firewall_rules(f.fw)->text, boot);
    struct seen s;
    history(&f, &s);
    CHECK_EQ(s.n, 1);
}

TEST(fw_history, "a revert commits an earlier set anew; a reopen applies it")
{
    struct fixture f;
    setup(&f);
    atoll_store_id first, id;
    CHECK_EQ(atoll_store_head(f.s, "main", &first), 0);
    struct atoll_fw_error e;
    CHECK_EQ(atoll_fw_history_put(f.h, strict, sizeof strict - 1, NULL, NULL,
                                  &e, NULL),
             0);
    char hex[ATOLL_STORE_HEX_LEN + 1];
    atoll_store_id_hex(&first, hex);
    hex[12] = 0;
    CHECK_EQ(
        atoll_fw_history_revert(f.h, hex, "Bob <bob@atoll.invalid>", &e, &id),
        0);
    CHECK_STR(atoll_firewall_rules(f.fw)->text, boot);
    struct seen s;
    history(&f, &s);
    CHECK_EQ(s.n, 3);
    CHECK(strstr(s.message[0], "revert the rules to ") != NULL);
    CHECK(strstr(s.message[0], hex) != NULL);
    CHECK_STR(s.author[0], "Bob <bob@atoll.invalid>");
    CHECK_EQ(atoll_fw_history_revert(f.h, "ffffffff", NULL, &e, NULL),
             -ATOLL_ENOENT);

    /* a second firewall on the same store, nothing given at boot: it runs
     * the stored set and commits nothing */
    static const uint8_t key[16] = "history-tests-2!";
    struct atoll_firewall *fw2;
    struct atoll_fw_history *h2;
    CHECK_EQ(atoll_firewall_create(ifs, 2, 0, key, &fw2), 0);
    CHECK_EQ(atoll_fw_history_open(fw2, f.s, NULL, 0, &e, &h2), 0);
    CHECK_STR(atoll_firewall_rules(fw2)->text, boot);
    history(&f, &s);
    CHECK_EQ(s.n, 3);
}
