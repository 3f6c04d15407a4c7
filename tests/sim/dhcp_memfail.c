/*
 * tests/sim/dhcp_memfail.c - the DHCP client under injected memory
 * failure (tests/sim/memfail.h): a stack that takes its address from
 * the fake server of tests/sim/dhcp_fake.h, holds the lease past T1
 * (renewing once) and is destroyed, with the Nth allocation failing,
 * for every N.
 *
 * The stack either comes up with exactly the offered address, prefix,
 * gateway and DNS server and keeps it through the renewal, or its
 * creation fails with -ATOLL_ENOMEM, or - once every allocation fails
 * (sticky) - with -ATOLL_ETIMEDOUT (no DISCOVER can be sent).  A single
 * failure (a lost DISCOVER or REQUEST) is retransmitted.  Nothing leaks.
 */
#include "atoll/dhcp.h"
#include "dhcp_fake.h"
#include "memfail.h"

struct run {
    struct atoll_netif *nif[2]; /* see setup */
    struct fake fk;
};

static struct run the_run;

static const char *const ports[] = {"cli", "srv"};

static void setup(void *arg)
{
    struct run *r = arg;
    net_ports(5, (struct atoll_sim_wire_opts){0}, ports, r->nif, 2);
}

static int drain(void *arg)
{
    struct run *r = arg;
    net_drain_all(r->nif, 2);
    return 0;
}

/* The lease is the one offered, in the stack and in the client. */
static bool lease_right(struct atoll_stack *s)
{
    struct atoll_stack_config c;
    atoll_stack_config(s, &c);
    atoll_ipv4_t dns[4];
    struct atoll_dhcp_lease l;
    atoll_dhcp_lease(atoll_dhcp_of(s), &l);
    return c.addr == 0xc6120032u && c.prefix == 24 && c.gateway == ROUTER &&
           atoll_stack_dns_servers(s, dns, 4) == 1 && dns[0] == DNS1 &&
           (l.state == ATOLL_DHCP_BOUND || l.state == ATOLL_DHCP_RENEWING);
}

static int scenario(void *arg, bool sticky)
{
    struct run *r = arg;
    struct fake *f = &r->fk;
    memset(f, 0, sizeof *f);
    f->offer[0] = 0xc6120032u; /* .50 */
    f->offer[1] = 0xc6120033u;
    f->lease = 120;
    f->t1 = 60;
    f->t2 = 105;
    int verdict = 0;
    atoll_fiber *srv = NULL;
    int err;
    f->srv = net_stack_on(r->nif[1], "srv", "198.18.0.1/24", &err);
    if (err == 0)
        err = atoll_udp_bind(f->srv, 67, &f->u);
    if (err == 0)
        err = atoll_fiber_spawn(&srv, "fake dhcpd", server_main, f, 0);
    struct atoll_stack *s = NULL;
    if (err == 0)
        err = atoll_stack_create_dhcp("cli", r->nif[0],
                                      atoll_after(ATOLL_SEC(60)), &s);
    if (err == 0) {
        if (!lease_right(s)) {
            printf("       the first lease is wrong\n");
            verdict = -1;
        }
        /* Past T1: one renewal, the lease kept. */
        atoll_sleep(ATOLL_SEC(70));
        if (!sticky && !lease_right(s)) {
            printf("       the lease was lost at renewal\n");
            verdict = -1;
        }
    } else if (err != -ATOLL_ENOMEM && !(sticky && err == -ATOLL_ETIMEDOUT)) {
        printf("       %s\n", atoll_strerror(err));
        verdict = -1;
    }
    f->stopped = true;
    if (srv)
        atoll_fiber_join(srv, ATOLL_NEVER, NULL);
    if (f->u)
        atoll_udp_close(f->u);
    atoll_stack_destroy(s);
    atoll_stack_destroy(f->srv);
    return verdict;
}

TEST(dhcp_memfail, "lease and renewal: every failing allocation, once and "
                   "sticky")
{
    struct memfail m = {setup, scenario, drain, &the_run, 0, 20000};
    CHECK(memfail_loop(&m) > 30);
}
