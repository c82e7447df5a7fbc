/* gprocess-private.h: the lock contract and what every file of the library shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <glib-object.h>

G_BEGIN_DECLS

/* The layers
 *
 * Every private call points down this list (checked by ../shared/tools/layering.py on the
 * built archive: no cycle). A file uses only files of the lines above its own.
 *
 *  0  types (GError, i18n), enums; the pool's wire format and async helpers
 *  1  core (the lock, this process's pid, errno, stdio, the one start error; GProcessObject's
 *     base: its type, private structure, pspec table, notifications, the one "configurable"
 *     rule; the collector's hook)
 *  2  fds (the library's descriptors, pidfds), authkey
 *  3  tree (this process, its parent, its children), pdeath (the death pipe)
 *  4  result (a child's value), reaper (the main context's epoll watcher: it calls the
 *     collector it was given), forkserver-payload (an object, serialized and rebuilt)
 *  5  lifecycle (process group, parent-death signal, the results socket)
 *  6  wait (the collector: reaping, joining, waiting for the parent)
 *  7  exit (the daemon rules at the end, the children still running), stop, describe,
 *     forkserver-warm (it is given the server's warm-child main)
 *  8  child (fork() and the child's life until _exit())
 *  9  forkserver-server (the server's loop, its child entry, the binding's hook in its
 *     children)
 * 10  forkserver (the connection and the application's requests; it registers its part of
 *     the fork hook when it starts the server)
 * 11  start-method
 * 12  start, object (the class: properties, constructors, finalize)
 * 13  introspect, pool
 *
 * Where a lower file must reach an upper one, the upper one hands it a function: the reaper
 * gets its collector from start(), the core's try-reap hook and the object's type are set when
 * the library loads (constructors in wait.c and object.c), the fork server registers its fork
 * hook with child.c and gives the warm children their main.
 */

/* The lock contract
 *
 * One process-wide lock, process_lock (defined in gprocess-core.c), guards every piece of
 * shared state of the library: each guarded field is marked "(lock process_lock)" where it is
 * declared. It is one lock on purpose: the pthread_atfork() prepare handler takes it around
 * every fork() of the process, whoever calls fork(), so that
 *  - no child inherits it (or any state it guards) half-updated, and
 *  - a descriptor the library creates and registers while holding it can never be copied into a
 *    child forked by another thread before it is registered (and so closed in that child).
 *
 * Rules:
 *  - It is never held while calling user code (targets, notify handlers, destroy notifies, the
 *    fork hook), while taking or releasing a reference that may be the first or last one (a
 *    binding's toggle reference may run), nor while blocking: waits happen outside it, on a
 *    pidfd or a pipe, and then a non-blocking waitid() under it collects the status.
 *  - Order: process_lock before a GMainContext's lock (the reaper attaches its source under
 *    it). GLib never calls back into the library with a context lock held, so the reverse
 *    order never happens.
 *  - Functions named *_locked() are called with it held.
 */
G_LOCK_EXTERN (process_lock);

/* A function a binding installs, with its data (both guarded by process_lock) */
typedef struct
{
  GCallback func;
  gpointer data;
  GDestroyNotify destroy;
} GProcessHook;

/* gprocess-core.c */
G_GNUC_INTERNAL void  _g_process_hook_set             (GProcessHook  *hook,
                                                       GCallback      func,
                                                       gpointer       data,
                                                       GDestroyNotify destroy);

G_GNUC_INTERNAL extern pid_t _g_process_cached_pid;

G_GNUC_INTERNAL pid_t _g_process_self_pid             (void);

/* In a new process, by the fork hooks: a plain store, no call (one code page less to fault
 * in, in every child) */
static inline void
_g_process_set_self_pid (pid_t pid)
{
  _g_process_cached_pid = pid;
}

G_GNUC_INTERNAL void  _g_process_flush_std_streams    (void);
G_GNUC_INTERNAL void  _g_process_init_i18n            (void);
G_GNUC_INTERNAL void  _g_process_record_errno         (int saved_errno);
G_GNUC_INTERNAL void  _g_process_set_start_error      (GError    **error,
                                                       const char *name,
                                                       int         saved_errno);

G_END_DECLS
