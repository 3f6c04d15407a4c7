/*
 * examples/notes/main.c - a notebook in the versioned store, on the block
 * device `disk`.  Each boot commits "boots" (a counter) and
 * notes/boot-N (the note), prints the newest commits and the notes.  With
 * --revert=COMMIT it first commits the state of COMMIT (history is kept:
 * a revert is a new commit), so the boot counter goes back too.
 *
 * Every store error is printed with its message: a damaged image says
 * which record failed its checksum; a full disk says "no space left on
 * device" and the notes committed before are still there at next boot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/store.h"
#include "atoll_app.h"

struct printer {
    struct app *app;
    int left;
};

static int print_commit(const struct atoll_store_commit *c, void *arg)
{
    struct printer *p = arg;
    if (p->left-- <= 0)
        return 1;
    char hex[ATOLL_STORE_HEX_LEN + 1];
    atoll_store_id_hex(&c->id, hex);
    size_t n = strcspn(c->message, "\n");
    atoll_console_printf(p->app->console, "  %.12s %.*s\n", hex, (int)n,
                         c->message);
    return 0;
}

static int print_note(const char *name, bool dir, void *arg)
{
    struct app *app = arg;
    atoll_console_printf(app->console, "  %s%s\n", name, dir ? "/" : "");
    return 0;
}

static int failed(struct app *app, const char *what, int err)
{
    atoll_console_printf(app->console, "notes: %s: %s\n", what,
                         atoll_strerror(err));
    return 1;
}

int app_main(struct app *app)
{
    struct atoll_store_backend *be;
    char why[160] = "";
    int err = atoll_store_block_backend(app->disk, 0, &be, why, sizeof why);
    if (err < 0) {
        atoll_console_printf(app->console, "notes: opening the store: %s: %s\n",
                             atoll_strerror(err), why);
        return 1;
    }
    if (atoll_store_block_recovered(be))
        atoll_console_printf(app->console,
                             "notes: recovered from an interrupted commit\n");
    struct atoll_store *s;
    struct atoll_store_opts opts = {.author = "notes <notes@atoll.invalid>",
                                    .clock = app->wclock};
    err = atoll_store_open(be, &opts, &s);
    if (err < 0)
        return failed(app, "open", err);

    atoll_store_id id;
    char hex[ATOLL_STORE_HEX_LEN + 1];
    if (app->args.revert[0]) {
        err = atoll_store_revert(s, "main", app->args.revert, NULL, &id);
        if (err < 0)
            return failed(app, app->args.revert, err);
        atoll_store_id_hex(&id, hex);
        atoll_console_printf(app->console, "reverted to %s: commit %.12s\n",
                             app->args.revert, hex);
    }

    /* The boot counter. */
    long boots = 0;
    void *v;
    size_t n;
    err = atoll_store_get(s, "main", "boots", &v, &n);
    if (err == 0) {
        boots = strtol(v, NULL, 10);
        atoll_free(v);
    } else if (err != -ATOLL_ENOENT) {
        return failed(app, "boots", err);
    }
    boots++;
    char count[24], key[48], note[200], msg[240];
    snprintf(count, sizeof count, "%ld", boots);
    snprintf(key, sizeof key, "notes/boot-%ld", boots);
    snprintf(note, sizeof note, "%s", app->args.note[0] ? app->args.note : "");
    if (!note[0])
        snprintf(note, sizeof note, "boot %ld", boots);
    snprintf(msg, sizeof msg, "boot %ld: %s", boots, note);

    struct atoll_store_batch *b;
    err = atoll_store_batch_begin(s, "main", &b);
    if (err == 0)
        err = atoll_store_batch_set(b, "boots", count, strlen(count));
    if (err == 0)
        err = atoll_store_batch_set(b, key, note, strlen(note));
    if (err == 0)
        err = atoll_store_batch_commit(b, msg, &id);
    else
        atoll_store_batch_abort(b);
    if (err < 0)
        return failed(app, "commit", err);
    atoll_store_id_hex(&id, hex);
    atoll_console_printf(app->console, "boot %ld: commit %.12s\n", boots, hex);

    atoll_console_printf(app->console, "history:\n");
    struct printer p = {app, (int)app->args.history};
    err = atoll_store_log(s, "main", NULL, print_commit, &p);
    if (err < 0)
        return failed(app, "history", err);
    atoll_console_printf(app->console, "notes:\n");
    err = atoll_store_list(s, "main", "notes", print_note, app);
    if (err < 0 && err != -ATOLL_ENOENT)
        return failed(app, "notes", err);
    atoll_store_close(s);
    return 0;
}
