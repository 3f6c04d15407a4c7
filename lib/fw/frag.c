/*
 * lib/fw/frag.c - fragments through the firewall: a later fragment
 * carries no ports, so it cannot be matched to a connection or a rule on
 * its own.  The first fragment (offset 0) has the transport header and
 * goes the whole packet path; when it is forwarded, an entry keyed by
 * the datagram (source, destination, protocol, identification, RFC 791)
 * keeps the way it went out and the addresses it left with (IPv6's key:
 * source, destination and the fragment header's identification, RFC
 * 8200 4.5; nothing is translated).  Later
 * fragments follow that entry, translated the same way (addresses only:
 * the ports and the transport checksum are in the first fragment), or
 * are dropped when there is none: their first was dropped, or has not
 * come (no reassembly here; Linux sends a datagram's fragments in order).
 */
#include <string.h>

#include "atoll/net_tunables.h"
#include "fw_int.h"

void fw_frag_note(struct atoll_firewall *fw, const struct fw_frag *f,
                  atoll_time_t now)
{
    struct fw_frag *slot = &fw->frags[0];
    for (int k = 0; k < FW_FRAGS_MAX; k++) {
        struct fw_frag *x = &fw->frags[k];
        if (x->expires > now && !memcmp(x->src, f->src, 16) &&
            !memcmp(x->dst, f->dst, 16) && x->id == f->id &&
            x->proto == f->proto) {
            slot = x; /* the same datagram's first again: its new way */
            break;
        }
        if (x->expires < slot->expires)
            slot = x; /* free (0) or expired first, else the oldest */
    }
    *slot = *f;
    slot->expires = now + FW_FRAG_NS;
}

const struct fw_frag *fw_frag_find(struct atoll_firewall *fw,
                                   const struct fw_frag *key, atoll_time_t now)
{
    for (int k = 0; k < FW_FRAGS_MAX; k++) {
        const struct fw_frag *x = &fw->frags[k];
        if (x->expires > now && !memcmp(x->src, key->src, 16) &&
            !memcmp(x->dst, key->dst, 16) && x->id == key->id &&
            x->proto == key->proto && x->in_if == key->in_if)
            return x;
    }
    return NULL;
}
