/* gprocess-types.h: enumerations, error domain and constants
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (GPROCESS_INSIDE) && !defined (GPROCESS_COMPILATION)
# error "Only <gprocess/gprocess.h> can be included directly."
#endif

#include <glib.h>

#include "gprocess-version-macros.h"

G_BEGIN_DECLS

/**
 * G_PROCESS_EXIT_CODE_NONE:
 *
 * The value g_process_object_get_exit_code() returns while a process has no exit code: before
 * g_process_object_start(), while the child runs, and for the current process. Bindings map it
 * to `None`/`null`.
 *
 * Since: 0.1
 */
#define G_PROCESS_EXIT_CODE_NONE (-2147483647 - 1)  /* G_MININT, spelled out for g-ir-scanner */

/**
 * G_PROCESS_EXIT_CODE_UNKNOWN:
 *
 * The exit code of a child that has ended but whose status somebody else collected (the
 * application ignores SIGCHLD, or reaps with waitpid (-1)) on a kernel that did not keep it
 * for GProcess (Linux before 6.15, or the pipe fallback without pidfds). It is never a
 * status a process can exit with. g_process_object_join() then fails with
 * %G_PROCESS_ERROR_STATUS_UNKNOWN.
 *
 * Since: 0.2
 */
#define G_PROCESS_EXIT_CODE_UNKNOWN (-2147483647)  /* G_MININT + 1 */

/**
 * G_PROCESS_ERROR:
 *
 * The error domain of GProcess. Errors in this domain are from the #GProcessError enumeration.
 * Waiting that times out reports %G_IO_ERROR_TIMED_OUT and cancellation %G_IO_ERROR_CANCELLED,
 * both in the %G_IO_ERROR domain.
 *
 * Since: 0.1
 */
#define G_PROCESS_ERROR (g_process_error_quark ())

/**
 * GProcessError:
 * @G_PROCESS_ERROR_FAILED: the operating system refused (fork, pidfd_open, waitpid…); the
 *   message carries its reason
 * @G_PROCESS_ERROR_ALREADY_STARTED: g_process_object_start() was called a second time
 * @G_PROCESS_ERROR_NOT_STARTED: the process has not been started
 * @G_PROCESS_ERROR_NOT_CHILD: the object was created by another process; only its creator may
 *   start, join or test it
 * @G_PROCESS_ERROR_JOIN_SELF: a process tried to join itself
 * @G_PROCESS_ERROR_STILL_RUNNING: g_process_object_close() on a process that is still running
 * @G_PROCESS_ERROR_CLOSED: the object was closed with g_process_object_close()
 * @G_PROCESS_ERROR_DAEMONIC: a daemonic process may not start children
 * @G_PROCESS_ERROR_STATUS_UNKNOWN: the child has ended, but somebody else collected its exit
 *   status and the kernel kept none (see %G_PROCESS_EXIT_CODE_UNKNOWN). Since: 0.2
 * @G_PROCESS_ERROR_NOT_TRANSFERABLE: the object cannot be started with its start method: the
 *   fork server cannot rebuild it (its type or its target function did not exist when the
 *   server started); the message says what to do. Since: 0.2
 * @G_PROCESS_ERROR_WORKER_LOST: a #GProcessPool worker ended while it ran the task (a crash,
 *   a signal, an exit, or its memory limit); only that task fails, and the message says how
 *   the worker ended. Since: 0.3
 *
 * Error codes in the %G_PROCESS_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum
{
  G_PROCESS_ERROR_FAILED,
  G_PROCESS_ERROR_ALREADY_STARTED,
  G_PROCESS_ERROR_NOT_STARTED,
  G_PROCESS_ERROR_NOT_CHILD,
  G_PROCESS_ERROR_JOIN_SELF,
  G_PROCESS_ERROR_STILL_RUNNING,
  G_PROCESS_ERROR_CLOSED,
  G_PROCESS_ERROR_DAEMONIC,
  G_PROCESS_ERROR_STATUS_UNKNOWN,
  G_PROCESS_ERROR_NOT_TRANSFERABLE,
  G_PROCESS_ERROR_WORKER_LOST,
} GProcessError;

/**
 * GProcessState:
 * @G_PROCESS_STATE_INITIAL: created, not started yet
 * @G_PROCESS_STATE_STARTED: started; the child may be running or may have ended unobserved
 * @G_PROCESS_STATE_STOPPED: the end of the child was observed (it was reaped); the exit code is
 *   known
 * @G_PROCESS_STATE_CLOSED: released with g_process_object_close()
 *
 * The life cycle of a #GProcessObject: INITIAL → STARTED → STOPPED → CLOSED. An object may also
 * be closed straight from INITIAL.
 *
 * Since: 0.1
 */
typedef enum
{
  G_PROCESS_STATE_INITIAL,
  G_PROCESS_STATE_STARTED,
  G_PROCESS_STATE_STOPPED,
  G_PROCESS_STATE_CLOSED,
} GProcessState;

GPROCESS_AVAILABLE_IN_ALL
GQuark g_process_error_quark (void);

G_END_DECLS
