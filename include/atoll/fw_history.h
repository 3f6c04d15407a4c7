/*
 * atoll/fw_history.h - the firewall's rule set as a history in the
 * versioned store, and the management interface that changes it over
 * HTTP.
 *
 * NAME
 *     struct atoll_fw_history, atoll_fw_history_open, atoll_fw_history_put,
 *     atoll_fw_history_revert, atoll_fw_mgmt_listen
 *
 * DESCRIPTION
 *     The rule set in force is the value of key "rules" on branch "main"
 *     of a store (atoll/store.h; on a block device it survives reboots,
 *     and `atoll store log IMAGE` shows its history).  Every change is a
 *     commit with a message, an author and a time, made only after the
 *     new set parsed, and applied only after the commit is durable: the
 *     store and the running firewall never disagree.  A malformed set is
 *     refused with its line and column and nothing changes.
 *
 *     atoll_fw_history_open applies the stored set; when `boot_rules` is
 *     given and differs from it, it is committed first ("rules given at
 *     boot").  atoll_fw_history_revert commits the rule set of an earlier
 *     revision (a commit id or prefix) as a new commit, so the history
 *     keeps both.
 *
 *     atoll_fw_mgmt_listen serves the management interface on stack s,
 *     TCP port `port`, in fibers of its own: over TLS when tls is not
 *     NULL (a server of atoll/tls.h, with the certificate and key the
 *     caller read from a read-only store, never from source), else plain
 *     HTTP.  The token is required either way.  Every request must carry
 *     "Authorization: Bearer TOKEN" (compared in constant time), else
 *     401.  Routes:
 *
 *       GET  /rules      the rule set in force (text/plain)
 *       PUT  /rules      a new rule set (the body); X-Author: "Name
 *                        <email>" (default the firewall's), X-Message:
 *                        the commit message; 200 with the commit id, or
 *                        400 "LINE:COLUMN: what" and nothing changed
 *       GET  /counters   each rule's packets and bytes, the firewall's
 *                        counters and the connection table's use
 *       GET  /log        the history of the rules: commit, time, author,
 *                        message, newest first
 *       POST /revert?to=REV   the rules of revision REV, committed anew
 *
 *     Without TLS whoever sees the traffic sees the token: put the
 *     interface on an interface or port only the operator reaches (the
 *     firewall's rules do not guard its own addresses), and use a long
 *     random token; with TLS the token crosses encrypted, and the
 *     operator checks the firewall's certificate (curl --cacert).
 *
 * RETURN VALUE
 *     0, -ATOLL_EINVAL (malformed rules: *err says where), what
 *     atoll/store.h returns, -ATOLL_ENOMEM.
 */
#ifndef ATOLL_FW_HISTORY_H
#define ATOLL_FW_HISTORY_H

#include <stddef.h>

#include "atoll/firewall.h"
#include "atoll/stack.h"
#include "atoll/store.h"

struct atoll_fw_history;

int atoll_fw_history_open(struct atoll_firewall *fw, struct atoll_store *s,
                          const char *boot_rules, size_t boot_len,
                          struct atoll_fw_error *err,
                          struct atoll_fw_history **out);

int atoll_fw_history_put(struct atoll_fw_history *h, const char *text,
                         size_t len, const char *author, const char *message,
                         struct atoll_fw_error *err, atoll_store_id *commit);

int atoll_fw_history_revert(struct atoll_fw_history *h, const char *rev,
                            const char *author, struct atoll_fw_error *err,
                            atoll_store_id *commit);

struct atoll_tls_server;
int atoll_fw_mgmt_listen(struct atoll_fw_history *h, struct atoll_stack *s,
                         uint16_t port, const char *token,
                         struct atoll_tls_server *tls);

#endif
