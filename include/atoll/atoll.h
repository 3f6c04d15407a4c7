/*
 * atoll/atoll.h - everything an application needs, in one include.
 */
#ifndef ATOLL_ATOLL_H
#define ATOLL_ATOLL_H

#include "atoll/app.h"
#include "atoll/block.h"
#include "atoll/buf.h"
#include "atoll/console.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/log.h"
#include "atoll/mclock.h"
#include "atoll/mem.h"
#include "atoll/netif.h"
#include "atoll/random.h"
#include "atoll/time.h"
#include "atoll/trace.h"
#include "atoll/tunables.h"
#include "atoll/wclock.h"

#endif
