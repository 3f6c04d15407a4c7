/*
 * atoll/atoll.h - everything an application needs, in one include.
 */
#ifndef ATOLL_ATOLL_H
#define ATOLL_ATOLL_H

#include "atoll/app.h"
#include "atoll/block.h"
#include "atoll/buf.h"
#include "atoll/console.h"
#include "atoll/dhcp.h"
#include "atoll/dns.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/flow.h"
#include "atoll/icmp.h"
#include "atoll/kv_ro.h"
#include "atoll/log.h"
#include "atoll/mclock.h"
#include "atoll/mem.h"
#include "atoll/netif.h"
#include "atoll/random.h"
#include "atoll/stack.h"
#include "atoll/tcp.h"
#include "atoll/time.h"
#include "atoll/trace.h"
#include "atoll/tunables.h"
#include "atoll/udp.h"
#include "atoll/wclock.h"

#endif
