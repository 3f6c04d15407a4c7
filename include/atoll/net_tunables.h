/*
 * atoll/net_tunables.h - every tunable of the network stack, in one place.
 *
 * Like atoll/tunables.h, each value can be overridden at build time with
 * -DNAME=VALUE.  The IP section (Ethernet, ARP, IPv4, ICMP, UDP) comes
 * first; the TCP section follows.  Every limit here is what keeps hostile
 * or broken input from growing memory without bound: when one is reached
 * the packet is dropped and counted (atoll_stack_stats), never queued.
 */
#ifndef ATOLL_NET_TUNABLES_H
#define ATOLL_NET_TUNABLES_H

/* ======== Ethernet / ARP ================================================ */

/* Frames the receive fiber asks the interface for per batch.  After a full
 * batch it yields, so a flooded interface cannot starve other fibers. */
#ifndef NET_RX_BATCH
#define NET_RX_BATCH 32
#endif

/* Longest the receive fiber sleeps without a frame before it looks at its
 * timers and at a pending atoll_stack_destroy (ns).  Bounds how long
 * destroy waits; timers with earlier deadlines wake it earlier. */
#ifndef NET_RX_POLL_NS
#define NET_RX_POLL_NS 250000000LL
#endif

/* ARP cache entries (resolved and resolving together).  A new entry takes
 * a free slot or the least recently used idle one; an entry in use (see
 * NET_ARP_IDLE_NS), the gateway's and those of live TCP connections are
 * never evicted.  When every slot is busy the packet is refused
 * (-ATOLL_EAGAIN).  docs/net.md "ARP" has the whole policy. */
#ifndef NET_ARP_CACHE_MAX
#define NET_ARP_CACHE_MAX 64
#endif

/* An entry we sent nothing through for this long is idle: its slot may go
 * to another address (ns). */
#ifndef NET_ARP_IDLE_NS
#define NET_ARP_IDLE_NS (30LL * 1000000000LL)
#endif

/* Entries resolving an address we never heard from ("newcomers": what a
 * ping or SYN from a spoofed source makes us look up), and the packets
 * waiting for all of them together.  At the first bound a new lookup
 * takes the oldest newcomer's slot, so such a flood churns only these. */
#ifndef NET_ARP_UNRESOLVED_MAX
#define NET_ARP_UNRESOLVED_MAX 16
#endif
#ifndef NET_ARP_UNRESOLVED_QUEUE_MAX
#define NET_ARP_UNRESOLVED_QUEUE_MAX 64
#endif

/* How long a resolved entry is trusted before it is resolved again (ns).
 * RFC 1122 2.3.2.1 asks for a timeout; Linux uses ~30-60 s. */
#ifndef NET_ARP_TTL_NS
#define NET_ARP_TTL_NS (60LL * 1000000000LL)
#endif

/* Interval between requests while resolving, and how many are sent before
 * giving up (the waiting packets are then dropped and counted). */
/* Gratuitous ARP announcements of our address when it is configured, and
 * the time between them (RFC 5227 2.3: ANNOUNCE_NUM 2, ANNOUNCE_INTERVAL
 * 2 s).  The second reaches a neighbour that missed the first - a bridge
 * port still coming up, say - while it still holds a restarted
 * unikernel's old MAC. */
#ifndef NET_ARP_ANNOUNCE_NUM
#define NET_ARP_ANNOUNCE_NUM 2
#endif
#ifndef NET_ARP_ANNOUNCE_INTERVAL_NS
#define NET_ARP_ANNOUNCE_INTERVAL_NS 2000000000LL
#endif

#ifndef NET_ARP_RETRY_NS
#define NET_ARP_RETRY_NS 1000000000LL
#endif
#ifndef NET_ARP_TRIES
#define NET_ARP_TRIES 3
#endif

/* Packets waiting for one address to resolve, and for all addresses
 * together (the bounded resolution queue).  48 holds the fragments of the
 * largest datagram over a 1500-byte MTU. */
#ifndef NET_ARP_QUEUE_PER_ENTRY
#define NET_ARP_QUEUE_PER_ENTRY 48
#endif
#ifndef NET_ARP_QUEUE_MAX
#define NET_ARP_QUEUE_MAX 128
#endif

/* ======== IPv4 =========================================================== */

/* TTL of the packets we send (RFC 1700 recommends 64). */
#ifndef NET_IP_TTL
#define NET_IP_TTL 64
#endif

/* Datagrams being reassembled at the same time. */
#ifndef NET_REASM_MAX
#define NET_REASM_MAX 16
#endif

/* Fragments one datagram may have (a 65535-byte datagram over a 1500-byte
 * MTU needs 45). */
#ifndef NET_REASM_FRAGS_MAX
#define NET_REASM_FRAGS_MAX 64
#endif

/* Bytes held by all datagrams under reassembly (buffer sizes). */
#ifndef NET_REASM_MEM_MAX
#define NET_REASM_MEM_MAX (512 * 1024)
#endif

/* How long an incomplete datagram is kept (ns); RFC 791 suggests 15 s,
 * Linux uses 30 s. */
#ifndef NET_REASM_TIMEOUT_NS
#define NET_REASM_TIMEOUT_NS (30LL * 1000000000LL)
#endif

/* ======== ICMP =========================================================== */

/* ICMP errors (port unreachable) sent per second at most (RFC 1812 4.3.2.8
 * rate limiting); echo replies are not limited. */
#ifndef NET_ICMP_ERRORS_PER_SEC
#define NET_ICMP_ERRORS_PER_SEC 100
#endif

/* ======== UDP ============================================================ */

/* Datagrams and bytes a socket's receive queue holds; beyond either the
 * datagram is dropped and counted (udp_drop). */
#ifndef NET_UDP_RXQ_MAX
#define NET_UDP_RXQ_MAX 64
#endif
#ifndef NET_UDP_RXQ_BYTES
#define NET_UDP_RXQ_BYTES (256 * 1024)
#endif

/* Ephemeral port range used by atoll_udp_bind(s, 0, ...) (RFC 6335). */
#ifndef NET_UDP_EPHEMERAL_LO
#define NET_UDP_EPHEMERAL_LO 49152
#endif
#ifndef NET_UDP_EPHEMERAL_HI
#define NET_UDP_EPHEMERAL_HI 65535
#endif

/* ======== IPv6, ICMPv6, Neighbor Discovery =============================== */

/* Hop limit of the packets we send, until a router advertises another
 * (RFC 8200 3, RFC 4861 6.3.4). */
#ifndef NET_IPV6_HOP_LIMIT
#define NET_IPV6_HOP_LIMIT 64
#endif

/* Extension headers walked per packet at most; a longer chain is dropped
 * (a chain of many tiny headers costs the receiver, gives nothing). */
#ifndef NET_IPV6_EXT_MAX
#define NET_IPV6_EXT_MAX 8
#endif

/* Addresses per stack: link-local, a static one, SLAAC ones. */
#ifndef NET_IPV6_ADDRS_MAX
#define NET_IPV6_ADDRS_MAX 6
#endif

/* How long an incomplete IPv6 datagram is kept (RFC 8200 4.5: 60 s).
 * The other reassembly limits (NET_REASM_*) are shared with IPv4. */
#ifndef NET_REASM6_TIMEOUT_NS
#define NET_REASM6_TIMEOUT_NS (60LL * 1000000000LL)
#endif

/* Path MTUs learnt from Packet Too Big messages (RFC 8201): destinations
 * remembered (the one expiring first makes room), and for how long before
 * the link MTU is tried again (5.3: at least 5 minutes, 10 recommended). */
#ifndef NET_IPV6_PMTU_MAX
#define NET_IPV6_PMTU_MAX 16
#endif
#ifndef NET_IPV6_PMTU_AGE_NS
#define NET_IPV6_PMTU_AGE_NS (600LL * 1000000000LL)
#endif

/* ICMPv6 errors sent per second at most (RFC 4443 2.4 (f)). */
#ifndef NET_ICMP6_ERRORS_PER_SEC
#define NET_ICMP6_ERRORS_PER_SEC 100
#endif

/* Neighbour cache entries (all states).  A new entry takes a free slot,
 * else the least recently used entry that is not INCOMPLETE; failing
 * both, the packet is refused. */
#ifndef NET_ND_CACHE_MAX
#define NET_ND_CACHE_MAX 64
#endif

/* Packets waiting for one neighbour's resolution, and over all. */
#ifndef NET_ND_QUEUE_MAX
#define NET_ND_QUEUE_MAX 4
#endif
#ifndef NET_ND_QUEUE_TOTAL_MAX
#define NET_ND_QUEUE_TOTAL_MAX 64
#endif

/* Prefix options used from one router advertisement; more are ignored. */
#ifndef NET_ND_PREFIXES_MAX
#define NET_ND_PREFIXES_MAX 4
#endif

/* RFC 4861 10 constants: multicast solicitations (address resolution),
 * unicast probes (unreachability detection), the DELAY state's length,
 * the default reachable time and retransmission timer (ns). */
#ifndef NET_ND_MAX_MCAST_SOLICIT
#define NET_ND_MAX_MCAST_SOLICIT 3
#endif
#ifndef NET_ND_MAX_UCAST_SOLICIT
#define NET_ND_MAX_UCAST_SOLICIT 3
#endif
#ifndef NET_ND_DELAY_NS
#define NET_ND_DELAY_NS (5LL * 1000000000LL)
#endif
#ifndef NET_ND_REACHABLE_NS
#define NET_ND_REACHABLE_NS (30LL * 1000000000LL)
#endif
#ifndef NET_ND_RETRANS_NS
#define NET_ND_RETRANS_NS 1000000000LL
#endif

/* Router solicitations at start, and their interval (RFC 4861 10). */
#ifndef NET_ND_RTR_SOLICITS
#define NET_ND_RTR_SOLICITS 3
#endif
#ifndef NET_ND_RTR_SOLICIT_NS
#define NET_ND_RTR_SOLICIT_NS (4LL * 1000000000LL)
#endif

/* Duplicate address detection: solicitations per address (RFC 4862 5.1
 * DupAddrDetectTransmits), one retransmission timer apart. */
#ifndef NET_ND_DAD_TRANSMITS
#define NET_ND_DAD_TRANSMITS 1
#endif

/* Unsolicited MLDv2 reports when groups change (RFC 3810 9.1 Robustness
 * Variable) and their interval (ns). */
#ifndef NET_MLD_REPORTS
#define NET_MLD_REPORTS 2
#endif
#ifndef NET_MLD_REPORT_NS
#define NET_MLD_REPORT_NS 1000000000LL
#endif

/* ======== TCP ============================================================ */
/* Times are in ns.  lib/net/tcp_*.c; docs/tcp.md explains each choice. */

/* Largest send and receive buffer of one connection.  Buffers start small
 * (TCP_BUF_INITIAL) and grow on demand up to these, so an idle connection
 * costs little; the receive maximum is also the largest window we
 * advertise (and fixes our window scale, RFC 7323). */
#ifndef TCP_SNDBUF_MAX
#define TCP_SNDBUF_MAX (1024 * 1024)
#endif
#ifndef TCP_RCVBUF_MAX
#define TCP_RCVBUF_MAX (1024 * 1024)
#endif
#ifndef TCP_BUF_INITIAL
#define TCP_BUF_INITIAL 2048
#endif

/* MSS assumed when the peer sends no MSS option (RFC 9293 3.7.1).  With
 * the project's prefix: the C library's netinet/tcp.h has a
 * TCP_MSS_DEFAULT of its own. */
#ifndef ATOLL_TCP_MSS_DEFAULT
#define ATOLL_TCP_MSS_DEFAULT 536
#endif

/* Initial window in segments (RFC 6928 allows 10). */
/* TCP segmentation offload (used when the interface offers it, see
 * atoll/netif.h ATOLL_NETIF_TSO4; atoll_tcp_set_tso turns it off): the
 * most MSS-sized segments one frame handed to the interface stands for.
 * 44 full segments and their headers stay within an IPv4 packet's 64 KiB. */
#ifndef TCP_TSO_MAX_SEGS
#define TCP_TSO_MAX_SEGS 44
#endif

#ifndef TCP_INIT_CWND_SEGS
#define TCP_INIT_CWND_SEGS 10
#endif

/* RFC 6298 retransmission timeout: initial, floor, ceiling.  The RFC's
 * floor is 1 s; like Linux we use 200 ms. */
#ifndef TCP_RTO_INITIAL_NS
#define TCP_RTO_INITIAL_NS 1000000000LL
#endif
#ifndef TCP_RTO_MIN_NS
#define TCP_RTO_MIN_NS 200000000LL
#endif
#ifndef TCP_RTO_MAX_NS
#define TCP_RTO_MAX_NS (60LL * 1000000000LL)
#endif

/* Retransmissions of one segment (data, FIN) before the connection is
 * declared dead, and of a SYN before connect fails. */
#ifndef TCP_MAX_RETRIES
#define TCP_MAX_RETRIES 12
#endif
#ifndef TCP_SYN_RETRIES
#define TCP_SYN_RETRIES 6
#endif

/* atoll_tcp_connect_race: how long an attempt goes unanswered before the
 * next address is tried alongside it (RFC 8305 5, Connection Attempt
 * Delay: 250 ms recommended, 100 ms to 2 s). */
#ifndef TCP_RACE_STAGGER_NS
#define TCP_RACE_STAGGER_NS 250000000LL
#endif

/* Delayed ACK (RFC 1122 4.2.3.2: at most 500 ms, and an ACK at least every
 * second full segment). */
#ifndef TCP_DELACK_NS
#define TCP_DELACK_NS 40000000LL
#endif

/* Keepalive defaults (RFC 1122: idle at least 2 hours). */
#ifndef TCP_KEEPALIVE_IDLE_NS
#define TCP_KEEPALIVE_IDLE_NS (7200LL * 1000000000LL)
#endif
#ifndef TCP_KEEPALIVE_INTERVAL_NS
#define TCP_KEEPALIVE_INTERVAL_NS (75LL * 1000000000LL)
#endif
#ifndef TCP_KEEPALIVE_COUNT
#define TCP_KEEPALIVE_COUNT 9
#endif

/* Maximum segment lifetime; TIME_WAIT lasts 2*MSL (RFC 9293 3.4.2). */
#ifndef TCP_MSL_NS
#define TCP_MSL_NS (30LL * 1000000000LL)
#endif

/* How long an orphaned connection (closed by the application) waits in
 * FIN_WAIT_2 for the peer's FIN (Linux: tcp_fin_timeout). */
#ifndef TCP_FIN_WAIT2_NS
#define TCP_FIN_WAIT2_NS (60LL * 1000000000LL)
#endif

/* Zero-window probes: first after the RTO, then backing off to at most
 * this interval. */
#ifndef TCP_PERSIST_MAX_NS
#define TCP_PERSIST_MAX_NS (60LL * 1000000000LL)
#endif

/* Out-of-order queue: received data beyond a hole is kept in the receive
 * buffer (so bytes are bounded by the window), described by at most this
 * many ranges; a segment that would need more is dropped and counted. */
#ifndef TCP_OOO_RANGES_MAX
#define TCP_OOO_RANGES_MAX 32
#endif

/* SACK scoreboard: ranges the peer reported as received above snd_una. */
#ifndef TCP_SACK_RANGES_MAX
#define TCP_SACK_RANGES_MAX 32
#endif

/* Duplicate ACKs (or SACKed segments above a hole) that mean a loss
 * (RFC 5681 / RFC 6675 DupThresh). */
#ifndef TCP_DUPTHRESH
#define TCP_DUPTHRESH 3
#endif

/* Listen queues: established connections waiting for accept (when the
 * application passes backlog <= 0, and the ceiling otherwise), and
 * half-open connections (SYN_RCVD) per listener.  When the half-open
 * queue is full the oldest half-open connection is dropped, so a SYN
 * flood costs at most TCP_SYN_BACKLOG_MAX small records. */
#ifndef TCP_BACKLOG_DEFAULT
#define TCP_BACKLOG_DEFAULT 128
#endif
#ifndef TCP_BACKLOG_MAX
#define TCP_BACKLOG_MAX 4096
#endif
#ifndef TCP_SYN_BACKLOG_MAX
#define TCP_SYN_BACKLOG_MAX 256
#endif

/* Connections of one stack in all states together (TIME_WAIT included);
 * beyond it connect fails with -ATOLL_ENOMEM and SYNs are refused (RST,
 * one per SYN, as for a closed port). */
#ifndef TCP_CONNS_MAX
#define TCP_CONNS_MAX 65536
#endif

/* Share of the heap (percent) kept for the connections a stack has: a SYN
 * to a listener is refused (RST) while less than this is free, so new
 * clients cannot take the memory that established connections need for
 * their buffers (docs/net.md, "Connection capacity"). */
#ifndef TCP_ACCEPT_MEM_RESERVE_PCT
#define TCP_ACCEPT_MEM_RESERVE_PCT 5
#endif

/* A ring at TCP_BUF_INITIAL is freed as soon as it is empty; a grown one,
 * and the SACK and out-of-order records, once the connection has been
 * quiet (nothing received) this long.  So an idle connection costs only
 * its record (docs/net.md); buffers are made again, at TCP_BUF_INITIAL,
 * when traffic resumes. */
#ifndef TCP_BUF_IDLE_NS
#define TCP_BUF_IDLE_NS 1000000000LL
#endif

/* Transmit frame buffers of ordinary size (a full segment) a stack keeps
 * for reuse once sent, instead of giving each back to the allocator and
 * asking again for the next segment (lib/net/frame_cache.c); at most
 * this many, about 1.7 KiB each with a 1500-byte MTU. */
#ifndef NET_FRAME_CACHE
#define NET_FRAME_CACHE 4
#endif

/* A poller reports a connection writable (atoll_tcp_poller_arm) once this
 * many bytes of its send buffer are free: waking a writer for a few bytes
 * at a time would cost a wake-up per ACK. */
#ifndef TCP_SND_LOWAT
#define TCP_SND_LOWAT 16384
#endif

/* RFC 5961 challenge ACKs sent per second at most (section 7). */
#ifndef TCP_CHALLENGE_ACKS_PER_SEC
#define TCP_CHALLENGE_ACKS_PER_SEC 1000
#endif

/* Ephemeral ports for connect (RFC 6335). */
#ifndef TCP_EPHEMERAL_LO
#define TCP_EPHEMERAL_LO 49152
#endif
#ifndef TCP_EPHEMERAL_HI
#define TCP_EPHEMERAL_HI 65535
#endif

/* CUBIC (RFC 9438): C = TCP_CUBIC_C_MILLI / 1000, beta =
 * TCP_CUBIC_BETA_MILLI / 1000. */
#ifndef TCP_CUBIC_C_MILLI
#define TCP_CUBIC_C_MILLI 400
#endif
#ifndef TCP_CUBIC_BETA_MILLI
#define TCP_CUBIC_BETA_MILLI 700
#endif

/* ======== HTTP (atoll/http.h) =========================================== */
/* The server's limits; struct atoll_http_limits overrides them per server. */

/* Request line and header fields together, bytes; beyond: 431.  Also the
 * size of each connection's input buffer. */
#ifndef HTTP_HEADER_MAX
#define HTTP_HEADER_MAX 8192
#endif

/* Header fields of one request (trailer fields count too); beyond: 431. */
#ifndef HTTP_FIELDS_MAX
#define HTTP_FIELDS_MAX 64
#endif

/* A request body, bytes, after de-chunking; beyond: 413. */
#ifndef HTTP_BODY_MAX
#define HTTP_BODY_MAX (1024 * 1024)
#endif

/* Connections served at once by one server; beyond: 503 and close. */
#ifndef HTTP_CONNS_MAX
#define HTTP_CONNS_MAX 1024
#endif

/* From a request's first byte to the end of its header (slowloris). */
#ifndef HTTP_HEADER_TIMEOUT_NS
#define HTTP_HEADER_TIMEOUT_NS (10LL * 1000000000LL)
#endif

/* From the end of a request's header to the end of its body. */
#ifndef HTTP_BODY_TIMEOUT_NS
#define HTTP_BODY_TIMEOUT_NS (30LL * 1000000000LL)
#endif

/* A kept-alive connection waiting for its next request. */
#ifndef HTTP_IDLE_TIMEOUT_NS
#define HTTP_IDLE_TIMEOUT_NS (60LL * 1000000000LL)
#endif

/* Writing one answer (a client that reads nothing is cut off). */
#ifndef HTTP_WRITE_TIMEOUT_NS
#define HTTP_WRITE_TIMEOUT_NS (60LL * 1000000000LL)
#endif

/* After an error answer the server shuts its side and reads (discarding)
 * what the client still sends, for this long at most, before closing:
 * closing with unread data would reset the connection and could destroy
 * the answer before the client read it (RFC 9112 9.6). */
#ifndef HTTP_LINGER_NS
#define HTTP_LINGER_NS (1LL * 1000000000LL)
#endif

/* Bytes of answers gathered before they are written to the flow (answers
 * to pipelined requests go out together). */
#ifndef HTTP_OUT_BUF
#define HTTP_OUT_BUF 16384
#endif

/* Header fields a handler adds to one answer, bytes. */
#ifndef HTTP_RESP_FIELDS_BYTES
#define HTTP_RESP_FIELDS_BYTES 1024
#endif

/* Routes of one server. */
#ifndef HTTP_ROUTES_MAX
#define HTTP_ROUTES_MAX 32
#endif

/* Plain HTTP over TCP is served by a pool of worker fibers, each with its
 * own connection buffer (about 2 x (HTTP_HEADER_MAX + 4 KiB) +
 * HTTP_OUT_BUF) and stack, while connections waiting for a request hold
 * neither (lib/http/listen.c).  Workers are made while none is free, up to
 * HTTP_WORKERS_MAX (each is a client being served that blocks: a large
 * answer going out, a slow head or body coming in); one ends when
 * HTTP_WORKERS_SPARE others are waiting. */
#ifndef HTTP_WORKERS_MAX
#define HTTP_WORKERS_MAX 1024
#endif
#ifndef HTTP_WORKERS_SPARE
#define HTTP_WORKERS_SPARE 2
#endif

/* Stack of each HTTP worker's (and each connection's, outside the pool)
 * fiber; of each HTTPS connection's (a TLS handshake's signature takes
 * more). */
#ifndef HTTP_FIBER_STACK
#define HTTP_FIBER_STACK (32 * 1024)
#endif
#ifndef HTTP_TLS_FIBER_STACK
#define HTTP_TLS_FIBER_STACK (64 * 1024)
#endif

/* ======== TLS (atoll/tls.h) ============================================= */

/* A TLS server's session cache (for resumption), bytes: about 100 bytes a
 * session. */
#ifndef TLS_SESSION_CACHE_BYTES
#define TLS_SESSION_CACHE_BYTES (64 * 1024)
#endif

/* ======== Firewall (atoll/fw.h, lib/fw) ================================= */

/* A rule set's text, its statements and the length of one line: what a
 * management put can make the firewall parse and hold. */
#ifndef FW_RULES_TEXT_MAX
#define FW_RULES_TEXT_MAX (64 * 1024)
#endif
#ifndef FW_RULES_MAX
#define FW_RULES_MAX 1024
#endif
#ifndef FW_LINE_MAX
#define FW_LINE_MAX 512
#endif

/* Tracked connections (lib/fw/ct.c).  A full table refuses new flows and
 * keeps the ones it has: docs/firewall.md "Connection tracking". */
#ifndef FW_CT_MAX
#define FW_CT_MAX 16384
#endif

/* When the table is full, a new flow may take the slot of an expired
 * connection or of one never answered, among this many of the least
 * recently seen; if there is none the new flow is dropped. */
#ifndef FW_CT_EVICT_SCAN
#define FW_CT_EVICT_SCAN 16
#endif

/* Idle timeouts per state (ns).  TCP established: RFC 5382 REQ-5 asks for
 * at least 2 h 4 min; we keep Linux's 5 days.  Handshake and closing
 * states are short so half-open connections do not fill the table.  UDP:
 * RFC 4787 REQ-5 asks for at least 2 min and recommends 5 once both sides
 * have spoken; one-way "flows" get 30 s.  ICMP echo: 30 s. */
#define FW_S_ (1000000000LL)
#ifndef FW_CT_TCP_SYN_SENT_NS
#define FW_CT_TCP_SYN_SENT_NS (120 * FW_S_)
#endif
#ifndef FW_CT_TCP_SYN_RECV_NS
#define FW_CT_TCP_SYN_RECV_NS (60 * FW_S_)
#endif
#ifndef FW_CT_TCP_ESTABLISHED_NS
#define FW_CT_TCP_ESTABLISHED_NS (5 * 24 * 3600 * FW_S_)
#endif
#ifndef FW_CT_TCP_FIN_WAIT_NS
#define FW_CT_TCP_FIN_WAIT_NS (120 * FW_S_)
#endif
#ifndef FW_CT_TCP_CLOSE_WAIT_NS
#define FW_CT_TCP_CLOSE_WAIT_NS (60 * FW_S_)
#endif
#ifndef FW_CT_TCP_LAST_ACK_NS
#define FW_CT_TCP_LAST_ACK_NS (30 * FW_S_)
#endif
#ifndef FW_CT_TCP_TIME_WAIT_NS
#define FW_CT_TCP_TIME_WAIT_NS (120 * FW_S_)
#endif
#ifndef FW_CT_TCP_CLOSE_NS
#define FW_CT_TCP_CLOSE_NS (10 * FW_S_)
#endif
#ifndef FW_CT_UDP_NS
#define FW_CT_UDP_NS (30 * FW_S_)
#endif
#ifndef FW_CT_UDP_ASSURED_NS
#define FW_CT_UDP_ASSURED_NS (300 * FW_S_)
#endif
#ifndef FW_CT_ICMP_NS
#define FW_CT_ICMP_NS (30 * FW_S_)
#endif

/* Source ports masquerade allocates from (and ICMP echo identifiers).
 * Below the stack's own ephemeral ports (TCP_EPHEMERAL_LO,
 * NET_UDP_EPHEMERAL_LO), so the firewall's own connections (its
 * management interface's clients) never meet a translated one. */
#ifndef FW_NAT_PORT_LO
#define FW_NAT_PORT_LO 1024
#endif
#ifndef FW_NAT_PORT_HI
#define FW_NAT_PORT_HI 49151
#endif
/* ICMP errors and TCP resets the firewall sends a second (and in one
 * burst): RFC 1812 4.3.2.8 asks routers to limit them. */
#ifndef FW_ANSWERS_PER_S
#define FW_ANSWERS_PER_S 100
#endif

/* Ports tried for one new connection before it is dropped. */
#ifndef FW_NAT_PORT_TRIES
#define FW_NAT_PORT_TRIES 128
#endif

/* Fragmented IPv4 datagrams the firewall forwards at once: each first
 * fragment that passes leaves an entry its later fragments follow (same
 * way out, same translation), for FW_FRAG_NS at most (RFC 791's
 * reassembly timer is 15 s); the oldest entry makes room for a new one. */
#ifndef FW_FRAGS_MAX
#define FW_FRAGS_MAX 64
#endif
#ifndef FW_FRAG_NS
#define FW_FRAG_NS (15 * FW_S_)
#endif

#endif
