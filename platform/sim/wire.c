/*
 * platform/sim/wire.c - simulated Ethernet wires, the event queue, and
 * plat_wait, where virtual time advances.
 *
 * A wire is a hub: a frame written on one port is delivered to every other
 * open port on the same wire.  On the way each copy may be lost,
 * duplicated, held back (reordered), corrupted (one byte flipped) and
 * delayed (delay + uniform jitter); with a bandwidth set, frames are also
 * serialized one after the other (a shared medium), so a burst queues.
 * Each delivery is an event (time, sequence number) in a binary heap; the
 * sequence number breaks ties, so the order of events is a function of the
 * program and the seed only.  Every random choice is drawn from the
 * simulation's fault stream in a fixed order.
 *
 * plat_wait delivers the events that are due into the ports' receive
 * queues and, when no port of interest has a frame, jumps the clock to the
 * earlier of the caller's deadline and the next event.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/netif.h"
#include "atoll/sim.h"
#include "atoll/tunables.h"
#include "platform.h"
#include "sim_int.h"

#define NAME_MAX_ 63
/* Frames a port holds before further arrivals are dropped (a NIC ring). */
#define RXQ_MAX 4096
/* How long a reordered frame is held back beyond its normal arrival:
 * 1 ms plus the wire's delay and jitter, so that frames sent shortly
 * after it overtake it. */
#define REORDER_HOLD(w) (ATOLL_MS(1) + (w)->opts.delay + (w)->opts.jitter)

struct frame {
    atoll_time_t at;
    uint64_t seq;
    struct port *dst;
    struct frame *next; /* in a port's receive queue */
    size_t len;
    uint8_t data[];
};

struct wire {
    char name[NAME_MAX_ + 1];
    struct atoll_sim_wire_opts opts;
    char *pcap_path; /* owned copy of opts.pcap */
    FILE *pcap;
    struct atoll_sim_wire_stats stats;
    atoll_time_t busy_until; /* end of the last serialization */
    struct wire *next;
};

struct port {
    char name[NAME_MAX_ + 1];
    struct wire *wire;
    int dev; /* -1 until opened */
    uint8_t mac[6];
    struct frame *rx_head, *rx_tail;
    size_t rx_count;
    struct port *next;
};

/* Creation order lists: iteration order never depends on addresses. */
static struct wire *wires, **wires_tail = &wires;
static struct port *ports, **ports_tail = &ports;

/* ---- event heap ------------------------------------------------------ */

static struct frame **heap;
static size_t heap_len, heap_cap;
static uint64_t next_seq;

static bool before(const struct frame *a, const struct frame *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static int heap_push(struct frame *f)
{
    if (heap_len == heap_cap) {
        size_t cap = heap_cap ? heap_cap * 2 : 256;
        struct frame **h = realloc(heap, cap * sizeof *h);
        if (!h)
            return -ATOLL_ENOMEM;
        heap = h;
        heap_cap = cap;
    }
    size_t i = heap_len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(f, heap[parent]))
            break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = f;
    return 0;
}

static struct frame *heap_pop(void)
{
    struct frame *top = heap[0], *last = heap[--heap_len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= heap_len)
            break;
        if (c + 1 < heap_len && before(heap[c + 1], heap[c]))
            c++;
        if (!before(heap[c], last))
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (heap_len > 0)
        heap[i] = last;
    return top;
}

/* ---- wires ----------------------------------------------------------- */

static struct wire *wire_find(const char *name)
{
    for (struct wire *w = wires; w; w = w->next)
        if (strcmp(w->name, name) == 0)
            return w;
    return NULL;
}

static struct wire *wire_get(const char *name)
{
    struct wire *w = wire_find(name);
    if (w)
        return w;
    if (strlen(name) > NAME_MAX_ || name[0] == '\0')
        return NULL;
    w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    strcpy(w->name, name);
    *wires_tail = w;
    wires_tail = &w->next;
    return w;
}

static bool prob_ok(double p)
{
    return p >= 0.0 && p <= 1.0; /* false for NaN too */
}

int atoll_sim_wire_configure(const char *name,
                             const struct atoll_sim_wire_opts *opts)
{
    if (!name || !opts || !prob_ok(opts->loss) || !prob_ok(opts->duplicate) ||
        !prob_ok(opts->reorder) || !prob_ok(opts->corrupt) || opts->delay < 0 ||
        opts->jitter < 0 || opts->delay > ATOLL_SEC(3600) ||
        opts->jitter > ATOLL_SEC(3600))
        return -ATOLL_EINVAL;
    struct wire *w = wire_get(name);
    if (!w)
        return -ATOLL_EINVAL;
    FILE *pcap = NULL;
    char *path = NULL;
    if (opts->pcap) {
        path = strdup(opts->pcap);
        if (!path)
            return -ATOLL_ENOMEM;
        if (w->pcap_path && strcmp(w->pcap_path, path) == 0) {
            pcap = w->pcap; /* same file: keep capturing into it */
            w->pcap = NULL;
        } else if (!(pcap = sim_pcap_open(path))) {
            free(path);
            return -ATOLL_EIO;
        }
    }
    if (w->pcap)
        fclose(w->pcap);
    free(w->pcap_path);
    w->opts = *opts;
    w->pcap = pcap;
    w->pcap_path = path;
    w->opts.pcap = path;
    return 0;
}

int atoll_sim_wire_stats(const char *name, struct atoll_sim_wire_stats *out)
{
    struct wire *w = name ? wire_find(name) : NULL;
    if (!w)
        return -ATOLL_ENOENT;
    *out = w->stats;
    return 0;
}

/* "--wire:WIRE=loss=0.1,delay=2ms,...": applied on top of the wire's
 * current settings. */
int sim_wire_option(const char *name, const char *spec, char *err,
                    size_t errlen)
{
    struct wire *w = wire_get(name);
    if (!w) {
        host_errf(err, errlen, "--wire:%s: bad wire name (1 to %d bytes)", name,
                  NAME_MAX_);
        return -ATOLL_EINVAL;
    }
    struct atoll_sim_wire_opts o = w->opts;
    char buf[1024];
    if (strlen(spec) >= sizeof buf) {
        host_errf(err, errlen, "--wire:%s: options too long", name);
        return -ATOLL_EINVAL;
    }
    strcpy(buf, spec);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            host_errf(err, errlen,
                      "--wire:%s: bad option '%s' (expected KEY=VALUE)", name,
                      item);
            return -ATOLL_EINVAL;
        }
        *eq = '\0';
        const char *key = item, *val = eq + 1;
        double *prob = NULL;
        if (strcmp(key, "loss") == 0)
            prob = &o.loss;
        else if (strcmp(key, "dup") == 0 || strcmp(key, "duplicate") == 0)
            prob = &o.duplicate;
        else if (strcmp(key, "reorder") == 0)
            prob = &o.reorder;
        else if (strcmp(key, "corrupt") == 0)
            prob = &o.corrupt;
        if (prob) {
            char *end;
            errno = 0;
            double p = strtod(val, &end);
            if (*val == '\0' || *end != '\0' || errno || !prob_ok(p)) {
                host_errf(err, errlen,
                          "--wire:%s: bad probability '%s=%s' (expected 0..1)",
                          name, key, val);
                return -ATOLL_EINVAL;
            }
            *prob = p;
        } else if (strcmp(key, "delay") == 0 || strcmp(key, "jitter") == 0) {
            atoll_time_t d;
            if (sim_parse_duration(val, &d) < 0 || d > ATOLL_SEC(3600)) {
                host_errf(err, errlen,
                          "--wire:%s: bad duration '%s=%s' (expected e.g. "
                          "2ms, 150us, at most 3600s)",
                          name, key, val);
                return -ATOLL_EINVAL;
            }
            *(key[0] == 'd' ? &o.delay : &o.jitter) = d;
        } else if (strcmp(key, "bw") == 0) {
            if (sim_parse_rate(val, &o.bandwidth) < 0) {
                host_errf(err, errlen,
                          "--wire:%s: bad rate '%s=%s' (expected bits/s, e.g. "
                          "10M)",
                          name, key, val);
                return -ATOLL_EINVAL;
            }
        } else if (strcmp(key, "tso") == 0) {
            if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0) {
                host_errf(err, errlen,
                          "--wire:%s: bad value '%s=%s' (expected on or off)",
                          name, key, val);
                return -ATOLL_EINVAL;
            }
            o.tso = strcmp(val, "on") == 0;
        } else if (strcmp(key, "pcap") == 0) {
            if (*val == '\0') {
                host_errf(err, errlen, "--wire:%s: empty pcap file name", name);
                return -ATOLL_EINVAL;
            }
            o.pcap = val;
        } else {
            host_errf(err, errlen,
                      "--wire:%s: unknown option '%s' (expected loss, dup, "
                      "reorder, corrupt, delay, jitter, bw, tso, pcap)",
                      name, key);
            return -ATOLL_EINVAL;
        }
    }
    int rc = atoll_sim_wire_configure(name, &o);
    if (rc == -ATOLL_EIO)
        host_errf(err, errlen, "--wire:%s: cannot create capture file '%s': %s",
                  name, o.pcap, strerror(errno));
    else if (rc < 0)
        host_errf(err, errlen, "--wire:%s: %s", name, atoll_strerror(rc));
    return rc < 0 ? -ATOLL_EINVAL : 0;
}

/* ---- ports ----------------------------------------------------------- */

static struct port *port_find(const char *name)
{
    for (struct port *p = ports; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

int plat_net_attach(const char *name, const char *spec, char *err,
                    size_t errlen)
{
    if (!name || !*name || strlen(name) > NAME_MAX_) {
        host_errf(err, errlen, "--net: bad interface name '%s'",
                  name ? name : "");
        return -ATOLL_EINVAL;
    }
    if (!spec || !*spec || strlen(spec) > NAME_MAX_ || strchr(spec, ',')) {
        host_errf(err, errlen,
                  "--net:%s: bad wire name '%s' (expected --net:%s=WIRE)", name,
                  spec ? spec : "", name);
        return -ATOLL_EINVAL;
    }
    if (port_find(name)) {
        host_errf(err, errlen, "--net:%s: interface attached twice", name);
        return -ATOLL_EINVAL;
    }
    struct port *p = calloc(1, sizeof *p);
    struct wire *w = wire_get(spec);
    if (!p || !w) {
        free(p);
        host_errf(err, errlen, "--net:%s: out of memory", name);
        return -ATOLL_EINVAL;
    }
    strcpy(p->name, name);
    p->wire = w;
    p->dev = -1;
    /* Locally administered unicast address from the port's name. */
    uint64_t h = sim_hash(name);
    for (int i = 0; i < 6; i++)
        p->mac[i] = (uint8_t)(h >> (8 * i));
    p->mac[0] = (uint8_t)((p->mac[0] & 0xfc) | 0x02);
    *ports_tail = p;
    ports_tail = &p->next;
    return 0;
}

int plat_net_open(const char *name, struct plat_net_info *info, char *err,
                  size_t errlen)
{
    struct port *p = port_find(name);
    if (!p) {
        host_errf(err, errlen,
                  "net device '%s' is not attached (use --net:%s=WIRE)", name,
                  name);
        return -ATOLL_ENOENT;
    }
    if (p->dev < 0) {
        int dev = sim_dev_alloc(SIM_DEV_NET, p);
        if (dev < 0) {
            host_errf(err, errlen, "net device '%s': too many devices", name);
            return -ATOLL_ENODEV;
        }
        p->dev = dev;
    }
    memcpy(info->mac, p->mac, 6);
    info->mtu = 1500;
    info->tso4 = info->tso6 = p->wire->opts.tso;
    return p->dev;
}

/* No large frames come in here: the device never offers ATOLL_NETIF_GRO4. */
int plat_net_read_gro(int dev, void *buf, size_t len, bool *csum_ok)
{
    return -ATOLL_ENOTSUP;
}

/* Offload frames are cut into segments in software (tso.c) on a wire
 * configured with .tso; elsewhere the port never offered the offload. */
int plat_net_write_tso(int dev, const void *buf, size_t len, uint16_t gso_size)
{
    struct port *src = sim_dev_get(dev, SIM_DEV_NET);
    if (!src)
        return -ATOLL_EIO;
    if (!src->wire->opts.tso || len > ATOLL_NET_TSO_MAX)
        return -ATOLL_ENOTSUP;
    return sim_tso_segment(dev, buf, len, gso_size);
}

int plat_net_write(int dev, const void *buf, size_t len)
{
    struct port *src = sim_dev_get(dev, SIM_DEV_NET);
    if (!src)
        return -ATOLL_EIO;
    if (len > ATOLL_NET_FRAME_MAX)
        return -ATOLL_EMSGSIZE;
    struct wire *w = src->wire;
    atoll_time_t now = sim_now();
    w->stats.sent++;

    /* Serialization: the medium carries one frame at a time. */
    atoll_time_t start = now > w->busy_until ? now : w->busy_until;
    atoll_time_t end = start;
    if (w->opts.bandwidth) {
        uint64_t bits = (uint64_t)len * 8;
        end += (atoll_time_t)((bits * 1000000000ULL + w->opts.bandwidth - 1) /
                              w->opts.bandwidth);
        w->busy_until = end;
    }
    if (w->pcap)
        sim_pcap_record(w->pcap, sim_epoch() + start, buf, len);

    for (struct port *dst = ports; dst; dst = dst->next) {
        if (dst == src || dst->wire != w || dst->dev < 0)
            continue;
        if (sim_chance(w->opts.loss)) {
            w->stats.lost++;
            continue;
        }
        int copies = 1;
        if (sim_chance(w->opts.duplicate)) {
            w->stats.duplicated++;
            copies = 2;
        }
        for (int c = 0; c < copies; c++) {
            atoll_time_t at = end + w->opts.delay;
            if (w->opts.jitter)
                at +=
                    (atoll_time_t)sim_rand_below((uint64_t)w->opts.jitter + 1);
            if (sim_chance(w->opts.reorder)) {
                w->stats.reordered++;
                at += REORDER_HOLD(w);
            }
            struct frame *f = malloc(sizeof *f + len);
            if (!f)
                return -ATOLL_EIO;
            memcpy(f->data, buf, len);
            f->len = len;
            f->at = at;
            f->seq = next_seq++;
            f->dst = dst;
            f->next = NULL;
            if (len > 0 && sim_chance(w->opts.corrupt)) {
                w->stats.corrupted++;
                size_t i = (size_t)sim_rand_below(len);
                f->data[i] ^= (uint8_t)(1 + sim_rand_below(255));
            }
            if (heap_push(f) < 0) {
                free(f);
                return -ATOLL_EIO;
            }
        }
    }
    return 0;
}

int plat_net_read(int dev, void *buf, size_t len)
{
    struct port *p = sim_dev_get(dev, SIM_DEV_NET);
    if (!p)
        return -ATOLL_EIO;
    struct frame *f = p->rx_head;
    if (!f)
        return -ATOLL_EAGAIN;
    p->rx_head = f->next;
    if (!p->rx_head)
        p->rx_tail = NULL;
    p->rx_count--;
    int rc;
    if (f->len > len) {
        rc = -ATOLL_EMSGSIZE;
    } else {
        memcpy(buf, f->data, f->len);
        rc = (int)f->len;
    }
    free(f);
    return rc;
}

/* ---- time ------------------------------------------------------------ */

/* Move every event due at or before `t` into its port's queue. */
static void deliver_due(atoll_time_t t)
{
    while (heap_len > 0 && heap[0]->at <= t) {
        struct frame *f = heap_pop();
        struct port *p = f->dst;
        if (p->rx_count >= RXQ_MAX) {
            p->wire->stats.lost++;
            free(f);
            continue;
        }
        p->wire->stats.delivered++;
        f->next = NULL;
        if (p->rx_tail)
            p->rx_tail->next = f;
        else
            p->rx_head = f;
        p->rx_tail = f;
        p->rx_count++;
    }
}

static uint64_t ready_mask(uint64_t interest)
{
    uint64_t r = 0;
    for (struct port *p = ports; p; p = p->next)
        if (p->dev >= 0 && p->rx_head && (interest >> p->dev) & 1)
            r |= 1ULL << p->dev;
    return r;
}

int plat_wait(atoll_time_t deadline, uint64_t interest, uint64_t *ready)
{
    deliver_due(sim_now());
    for (;;) {
        *ready = ready_mask(interest);
        if (*ready || deadline <= sim_now())
            return 0;
        atoll_time_t next = heap_len > 0 ? heap[0]->at : ATOLL_NEVER;
        atoll_time_t target = next < deadline ? next : deadline;
        if (target == ATOLL_NEVER)
            return 0; /* nothing will ever happen: the caller decides */
        sim_advance(target);
        deliver_due(target);
    }
}
