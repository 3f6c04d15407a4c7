/*
 * tests/unit/sched.c - the scheduler: ready order, yield, sleeps and
 * deadlines, events, join, detach, deadlock, atoll_exit, many fibers, stack
 * guards.  Runs on the sim platform, whose clock is virtual, so times are
 * asserted exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

#define MEM (16u << 20)

/* A shared log of which fiber did what, in order. */
static char order[256];
static void note(char c)
{
    size_t n = strlen(order);
    order[n] = c;
    order[n + 1] = '\0';
}

static int append_letter(void *arg)
{
    note(*(const char *)arg);
    return 0;
}

static int main_spawn_three(void *arg)
{
    (void)arg;
    CHECK_EQ(atoll_fiber_spawn(NULL, "a", append_letter, "A", 0), 0);
    CHECK_EQ(atoll_fiber_spawn(NULL, "b", append_letter, "B", 0), 0);
    CHECK_EQ(atoll_fiber_spawn(NULL, "c", append_letter, "C", 0), 0);
    note('m'); /* spawning does not switch */
    atoll_yield();
    return 5;
}

TEST(scheduler, "ready fibers run in the order they were spawned")
{
    CHECK_EQ(atoll_test_run(MEM, main_spawn_three, NULL), 5);
    CHECK_STR(order, "mABC");
}

static int yielder(void *arg)
{
    for (int i = 0; i < 3; i++) {
        note(*(const char *)arg);
        atoll_yield();
    }
    return 0;
}

static int main_yield(void *arg)
{
    (void)arg;
    atoll_fiber *a, *b;
    CHECK_EQ(atoll_fiber_spawn(&a, "a", yielder, "A", 0), 0);
    CHECK_EQ(atoll_fiber_spawn(&b, "b", yielder, "B", 0), 0);
    CHECK_EQ(atoll_fiber_join(a, ATOLL_NEVER, NULL), 0);
    CHECK_EQ(atoll_fiber_join(b, ATOLL_NEVER, NULL), 0);
    return 0;
}

TEST(scheduler, "yield interleaves fibers round robin")
{
    CHECK_EQ(atoll_test_run(MEM, main_yield, NULL), 0);
    CHECK_STR(order, "ABABAB");
}

static atoll_time_t t0;
static atoll_time_t woke_at[8];

struct sleeper {
    char tag;
    atoll_time_t until;
    int slot;
};

static int sleep_then_note(void *arg)
{
    struct sleeper *s = arg;
    CHECK_EQ(atoll_sleep_until(s->until), 0);
    woke_at[s->slot] = atoll_now();
    note(s->tag);
    return 0;
}

static int main_sleep_order(void *arg)
{
    (void)arg;
    static struct sleeper s[3];
    t0 = atoll_now();
    s[0] = (struct sleeper){'3', t0 + ATOLL_MS(30), 0};
    s[1] = (struct sleeper){'1', t0 + ATOLL_MS(10), 1};
    s[2] = (struct sleeper){'2', t0 + ATOLL_MS(20), 2};
    atoll_fiber *f[3];
    for (int i = 0; i < 3; i++)
        CHECK_EQ(atoll_fiber_spawn(&f[i], "sleeper", sleep_then_note, &s[i], 0),
                 0);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(atoll_fiber_join(f[i], ATOLL_NEVER, NULL), 0);
    CHECK_EQ(atoll_now() - t0, ATOLL_MS(30));
    return 0;
}

TEST(scheduler, "sleepers wake in deadline order at exactly their deadline")
{
    CHECK_EQ(atoll_test_run(MEM, main_sleep_order, NULL), 0);
    CHECK_STR(order, "123");
    CHECK_EQ(woke_at[0] - t0, ATOLL_MS(30));
    CHECK_EQ(woke_at[1] - t0, ATOLL_MS(10));
    CHECK_EQ(woke_at[2] - t0, ATOLL_MS(20));
}

static int main_equal_deadlines(void *arg)
{
    (void)arg;
    static struct sleeper s[6];
    atoll_fiber *f[6];
    atoll_time_t d = atoll_after(ATOLL_MS(7));
    for (int i = 0; i < 6; i++) {
        s[i] = (struct sleeper){(char)('a' + i), d, i};
        CHECK_EQ(atoll_fiber_spawn(&f[i], "same", sleep_then_note, &s[i], 0),
                 0);
    }
    for (int i = 5; i >= 0; i--)
        CHECK_EQ(atoll_fiber_join(f[i], ATOLL_NEVER, NULL), 0);
    for (int i = 0; i < 6; i++)
        CHECK_EQ(woke_at[i], d);
    return 0;
}

TEST(scheduler, "equal deadlines fire in FIFO order")
{
    CHECK_EQ(atoll_test_run(MEM, main_equal_deadlines, NULL), 0);
    CHECK_STR(order, "abcdef");
}

static atoll_event ev = ATOLL_EVENT_INIT("test event");

static int event_waiter(void *arg)
{
    CHECK_EQ(atoll_event_wait(&ev, ATOLL_NEVER), 0);
    note(*(const char *)arg);
    return 0;
}

static int main_notify(void *arg)
{
    (void)arg;
    CHECK_EQ(atoll_event_notify(&ev), 0); /* nobody waits: lost */
    CHECK(!atoll_event_has_waiters(&ev));
    atoll_fiber *f[4];
    static const char *tags[4] = {"1", "2", "3", "4"};
    for (int i = 0; i < 4; i++)
        CHECK_EQ(atoll_fiber_spawn(&f[i], "waiter", event_waiter,
                                   (void *)tags[i], 0),
                 0);
    atoll_yield(); /* let all of them block */
    CHECK(atoll_event_has_waiters(&ev));
    CHECK_EQ(atoll_event_notify(&ev), 1);
    note('n'); /* notify does not switch */
    atoll_yield();
    CHECK_STR(order, "n1");
    CHECK_EQ(atoll_event_broadcast(&ev), 3);
    CHECK(!atoll_event_has_waiters(&ev));
    for (int i = 0; i < 4; i++)
        CHECK_EQ(atoll_fiber_join(f[i], ATOLL_NEVER, NULL), 0);
    CHECK_EQ(atoll_event_broadcast(&ev), 0);
    return 0;
}

TEST(scheduler, "notify wakes the longest waiter and broadcast wakes all")
{
    CHECK_EQ(atoll_test_run(MEM, main_notify, NULL), 0);
    CHECK_STR(order, "n1234");
}

static int wait_result;
static atoll_time_t wait_returned;

static int timed_waiter(void *arg)
{
    atoll_time_t deadline = *(atoll_time_t *)arg;
    wait_result = atoll_event_wait(&ev, deadline);
    wait_returned = atoll_now();
    return 0;
}

static int main_timeout_first(void *arg)
{
    (void)arg;
    static atoll_time_t deadline;
    t0 = atoll_now();
    deadline = t0 + ATOLL_MS(10);
    atoll_fiber *w;
    CHECK_EQ(atoll_fiber_spawn(&w, "waiter", timed_waiter, &deadline, 0), 0);
    atoll_sleep(ATOLL_MS(20));
    CHECK_EQ(wait_result, -ATOLL_ETIMEDOUT);
    CHECK_EQ(wait_returned - t0, ATOLL_MS(10));
    /* The timed-out waiter left the event's list. */
    CHECK(!atoll_event_has_waiters(&ev));
    CHECK_EQ(atoll_event_notify(&ev), 0);
    CHECK_EQ(atoll_fiber_join(w, ATOLL_NEVER, NULL), 0);
    return 0;
}

TEST(scheduler, "timeout fires before wake")
{
    CHECK_EQ(atoll_test_run(MEM, main_timeout_first, NULL), 0);
}

static int main_wake_first(void *arg)
{
    (void)arg;
    static atoll_time_t deadline;
    t0 = atoll_now();
    deadline = t0 + ATOLL_MS(10);
    wait_result = 99;
    atoll_fiber *w;
    CHECK_EQ(atoll_fiber_spawn(&w, "waiter", timed_waiter, &deadline, 0), 0);
    atoll_sleep(ATOLL_MS(5));
    CHECK_EQ(atoll_event_notify(&ev), 1);
    CHECK_EQ(atoll_fiber_join(w, ATOLL_NEVER, NULL), 0);
    CHECK_EQ(wait_result, 0);
    CHECK_EQ(wait_returned - t0, ATOLL_MS(5));
    /* The cancelled deadline does not wake anybody later: a sleep past it
     * ends exactly on time. */
    atoll_sleep(ATOLL_MS(20));
    CHECK_EQ(atoll_now() - t0, ATOLL_MS(25));
    return 0;
}

TEST(scheduler, "wake before timeout")
{
    CHECK_EQ(atoll_test_run(MEM, main_wake_first, NULL), 0);
}

static int past_deadline_main(void *arg)
{
    (void)arg;
    t0 = atoll_now();
    CHECK_EQ(atoll_event_wait(&ev, atoll_after(-1)), -ATOLL_ETIMEDOUT);
    CHECK_EQ(atoll_now(), t0);
    CHECK_EQ(atoll_sleep(0), 0);
    CHECK_EQ(atoll_after(ATOLL_NEVER), ATOLL_NEVER);
    return 0;
}

TEST(scheduler, "a deadline in the past times out at once")
{
    CHECK_EQ(atoll_test_run(MEM, past_deadline_main, NULL), 0);
}

static int return_arg(void *arg)
{
    atoll_sleep(ATOLL_MS(3));
    return (int)(intptr_t)arg;
}

static int main_join(void *arg)
{
    (void)arg;
    atoll_fiber *f;
    int r = 0;
    CHECK_EQ(atoll_fiber_spawn(&f, "worker", return_arg, (void *)7, 0), 0);
    CHECK_STR(atoll_fiber_name(f), "worker");
    CHECK(atoll_fiber_id(f) > atoll_fiber_id(atoll_fiber_self()));
    CHECK_EQ(atoll_fiber_join(atoll_fiber_self(), ATOLL_NEVER, NULL),
             -ATOLL_EINVAL);
    CHECK_EQ(atoll_fiber_join(f, ATOLL_NEVER, &r), 0);
    CHECK_EQ(r, 7);
    return r + 1;
}

TEST(scheduler, "join returns the result")
{
    CHECK_EQ(atoll_test_run(MEM, main_join, NULL), 8);
}

static int slow(void *arg)
{
    (void)arg;
    atoll_sleep(ATOLL_MS(50));
    return 11;
}

static int main_join_timeout(void *arg)
{
    (void)arg;
    atoll_fiber *f;
    int r = 0;
    t0 = atoll_now();
    CHECK_EQ(atoll_fiber_spawn(&f, "slow", slow, NULL, 0), 0);
    CHECK_EQ(atoll_fiber_join(f, atoll_after(ATOLL_MS(10)), &r),
             -ATOLL_ETIMEDOUT);
    CHECK_EQ(atoll_now() - t0, ATOLL_MS(10));
    CHECK_EQ(r, 0);
    CHECK_EQ(atoll_fiber_join(f, ATOLL_NEVER, &r), 0);
    CHECK_EQ(r, 11);
    CHECK_EQ(atoll_now() - t0, ATOLL_MS(50));
    return 0;
}

TEST(scheduler, "join timeout then join again")
{
    CHECK_EQ(atoll_test_run(MEM, main_join_timeout, NULL), 0);
}

static int nothing(void *arg)
{
    (void)arg;
    atoll_yield();
    return 0;
}

static int main_detached(void *arg)
{
    (void)arg;
    struct atoll_mem_stats before, during, after;
    /* A first round grows the scheduler's timer table to its size for 100
     * fibers; that memory stays. */
    for (int i = 0; i < 100; i++)
        CHECK_EQ(atoll_fiber_spawn(NULL, "warm-up", nothing, NULL, 0), 0);
    atoll_sleep(ATOLL_MS(1));
    atoll_mem_stats(&before);
    for (int i = 0; i < 100; i++)
        CHECK_EQ(atoll_fiber_spawn(NULL, "detached", nothing, NULL, 0), 0);
    atoll_mem_stats(&during);
    CHECK(during.in_use >= before.in_use + 100 * ATOLL_FIBER_STACK_DEFAULT);
    atoll_sleep(ATOLL_MS(1));
    atoll_mem_stats(&after);
    CHECK_EQ(after.in_use, before.in_use);
    CHECK_EQ(after.frees - before.frees, 200); /* stack + fiber each */
    CHECK_EQ(atoll_heap_check(atoll_heap_default()), 0);
    return 0;
}

TEST(scheduler, "detached fibers release their memory when they return")
{
    CHECK_EQ(atoll_test_run(MEM, main_detached, NULL), 0);
}

/* Run fn under atoll_test_run with stdout captured; returns the status. */
static int run_captured(atoll_fiber_fn fn, char *out, size_t outlen)
{
    char path[] = "/tmp/atoll-sched-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    int status = atoll_test_run(MEM, fn, NULL);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    ssize_t n = pread(fd, out, outlen - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return status;
}

static atoll_event never_ev = ATOLL_EVENT_INIT("never notified");

static int stuck(void *arg)
{
    (void)arg;
    return atoll_event_wait(&never_ev, ATOLL_NEVER);
}

static int main_deadlock(void *arg)
{
    (void)arg;
    CHECK_EQ(atoll_fiber_spawn(NULL, "stuck-one", stuck, NULL, 0), 0);
    atoll_sleep(ATOLL_MS(1));
    atoll_fiber *f;
    CHECK_EQ(atoll_fiber_spawn(&f, "stuck-two", stuck, NULL, 0), 0);
    atoll_fiber_join(f, ATOLL_NEVER, NULL);
    return 0;
}

TEST(scheduler, "deadlock is detected and names the blocked fibers")
{
    char out[2048];
    CHECK_EQ(run_captured(main_deadlock, out, sizeof out), ATOLL_EXIT_DEADLOCK);
    CHECK(strstr(out, "deadlock: every fiber is blocked"));
    CHECK(strstr(out, "stuck-one"));
    CHECK(strstr(out, "stuck-two"));
    CHECK(strstr(out, "never notified"));
    CHECK(strstr(out, "main"));
    CHECK(strstr(out, "join"));
}

static int exiter(void *arg)
{
    (void)arg;
    atoll_sleep(ATOLL_MS(2));
    atoll_exit(42);
}

static int main_exit(void *arg)
{
    (void)arg;
    atoll_fiber *f;
    CHECK_EQ(atoll_fiber_spawn(&f, "exiter", exiter, NULL, 0), 0);
    atoll_fiber_join(f, ATOLL_NEVER, NULL);
    note('X'); /* never reached */
    return 0;
}

TEST(scheduler, "atoll_exit from a fiber ends the run with its status")
{
    CHECK_EQ(atoll_test_run(MEM, main_exit, NULL), 42);
    CHECK_STR(order, "");
}

static int numbered(void *arg)
{
    int i = (int)(intptr_t)arg;
    atoll_sleep(ATOLL_MS(i % 10));
    atoll_yield();
    return i;
}

static int main_many(void *arg)
{
    (void)arg;
    enum { N = 1000 };
    static atoll_fiber *f[N];
    for (int i = 0; i < N; i++)
        CHECK_EQ(atoll_fiber_spawn(&f[i], "many", numbered, (void *)(intptr_t)i,
                                   ATOLL_FIBER_STACK_MIN),
                 0);
    long sum = 0;
    for (int i = N - 1; i >= 0; i--) {
        int r;
        CHECK_EQ(atoll_fiber_join(f[i], ATOLL_NEVER, &r), 0);
        CHECK_EQ(r, i);
        sum += r;
    }
    CHECK_EQ(sum, (long)N * (N - 1) / 2);
    CHECK_EQ(atoll_heap_check(atoll_heap_default()), 0);
    return 0;
}

TEST(scheduler, "a thousand fibers sleep, yield and are joined")
{
    CHECK_EQ(atoll_test_run(32u << 20, main_many, NULL), 0);
}

static int main_oom(void *arg)
{
    (void)arg;
    int n = 0, err;
    atoll_fiber *f;
    while ((err = atoll_fiber_spawn(&f, "hog", nothing, NULL, 1 << 20)) == 0)
        n++;
    CHECK_EQ(err, -ATOLL_ENOMEM);
    CHECK(n > 0 && n < 16);
    CHECK_EQ(atoll_heap_check(atoll_heap_default()), 0);
    return n;
}

TEST(scheduler, "spawning without memory for a stack fails with ENOMEM")
{
    CHECK(atoll_test_run(MEM, main_oom, NULL) > 0);
}

static volatile const char *guard_owner_seen;

static int find_own_guard(void *arg)
{
    (void)arg;
    /* The stack is [guard page][16 KiB], and this frame is near its top. */
    char local;
    uintptr_t top = ((uintptr_t)&local + 4095) & ~(uintptr_t)4095;
    const char *guard = (const char *)(top - ATOLL_FIBER_STACK_MIN - 4096);
    guard_owner_seen = atoll_fiber_guard_owner(guard + 100);
    CHECK(atoll_fiber_guard_owner(&local) == NULL);
    return 0;
}

static int main_guard_owner(void *arg)
{
    (void)arg;
    atoll_fiber *f;
    CHECK_EQ(atoll_fiber_spawn(&f, "guarded", find_own_guard, NULL,
                               ATOLL_FIBER_STACK_MIN),
             0);
    atoll_fiber_join(f, ATOLL_NEVER, NULL);
    return 0;
}

TEST(scheduler, "the guard page under a stack names its fiber")
{
    CHECK_EQ(atoll_test_run(MEM, main_guard_owner, NULL), 0);
    CHECK_STR((const char *)guard_owner_seen, "guarded");
}

static int recurse(int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    return depth > 1000000 ? pad[0] : recurse(depth + 1) + pad[0];
}

static int overflow(void *arg)
{
    (void)arg;
    return recurse(0);
}

static int main_overflow(void *arg)
{
    (void)arg;
    atoll_fiber *f;
    CHECK_EQ(
        atoll_fiber_spawn(&f, "deep", overflow, NULL, ATOLL_FIBER_STACK_MIN),
        0);
    atoll_fiber_join(f, ATOLL_NEVER, NULL);
    return 0;
}

TEST(scheduler, "a stack overflow stops the unikernel")
{
    /* In a child: the overflow ends the process. */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        harness_exit(atoll_test_run(MEM, main_overflow, NULL) == 0 ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    /* Either the platform's fault handler reports it (exit status 70) or
     * the process dies of the fault; it must not run on. */
    CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
}
