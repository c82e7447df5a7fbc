/* test-util.h: helpers shared by the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gprocess/gprocess.h>

/* A pipe children write their reports into; the parent reads it after join(). */
typedef struct
{
  int read_fd;
  int write_fd;
} Report;

static inline void
report_open (Report *r)
{
  int fds[2];

  g_assert_no_errno (pipe2 (fds, O_CLOEXEC));
  fcntl (fds[0], F_SETFL, O_NONBLOCK);
  r->read_fd = fds[0];
  r->write_fd = fds[1];
}

static inline void
report_close (Report *r)
{
  close (r->read_fd);
  close (r->write_fd);
}

/* In a child: one line into the report. */
static inline void G_GNUC_PRINTF (2, 3)
report_printf (Report     *r,
               const char *format,
               ...)
{
  va_list args;
  char *line;
  ssize_t n;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  n = write (r->write_fd, line, strlen (line));
  g_assert_cmpint (n, ==, (ssize_t) strlen (line));
  g_free (line);
}

/* In the parent, after the writers have ended: everything written so far. */
static inline char *
report_read (Report *r)
{
  GString *s = g_string_new (NULL);
  char buf[4096];
  ssize_t n;

  while ((n = read (r->read_fd, buf, sizeof buf)) > 0)
    g_string_append_len (s, buf, n);
  return g_string_free (s, FALSE);
}

/* Waits for a child to end without reaping it. */
static inline void
wait_exited_unreaped (GPid pid)
{
  siginfo_t info;

  memset (&info, 0, sizeof info);
  while (waitid (P_PID, pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
    ;
}

/* Whether this process has a child (running or zombie) with that pid. */
static inline gboolean
has_child (GPid pid)
{
  siginfo_t info;

  memset (&info, 0, sizeof info);
  return waitid (P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* Whether any child of this process is left, running or zombie. */
static inline gboolean
has_any_child (void)
{
  siginfo_t info;

  memset (&info, 0, sizeof info);
  return !(waitid (P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD);
}

static inline int
count_open_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *e;
  int n = 0;

  g_assert_nonnull (dir);
  while ((e = readdir (dir)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir (dir);
  return n - 1;  /* the directory's own descriptor */
}

/* Sleeps until killed; dies with its parent, so that a failing test leaves nothing behind. */
static inline void
target_sleep_forever (GProcessObject *process,
                      gpointer        user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != g_process_object_get_parent_pid (process))
    _exit (1);
  for (;;)
    pause ();
}

static inline void
target_exit_with (GProcessObject *process,
                  gpointer        user_data)
{
  g_process_exit (GPOINTER_TO_INT (user_data));
}

/* Returns once a byte (or end-of-file) arrives on the descriptor given as data */
static inline void
target_wait_for_go (GProcessObject *process,
                    gpointer        user_data)
{
  int fd = GPOINTER_TO_INT (user_data);
  char c;

  while (read (fd, &c, 1) < 0 && errno == EINTR)
    ;
}

static inline void
target_nothing (GProcessObject *process,
                gpointer        user_data)
{
}

/* Starts a grandchild and exits with 100 once it ended, or with the start's error code */
static inline void
target_start_child (GProcessObject *process,
                    gpointer        user_data)
{
  GProcessObject *child = g_process_object_new ();
  GError *error = NULL;
  int code = 100;

  if (!g_process_object_start (child, &error))
    {
      code = error->code;
      g_error_free (error);
    }
  else
    g_process_object_join (child, -1, NULL, NULL);
  g_object_unref (child);
  g_process_exit (code);
}

/* Starts an object and asserts it worked. */
static inline GProcessObject *
start_target (GProcessTargetFunc target,
              gpointer           data)
{
  GProcessObject *p = g_process_object_new_with_target (target, data, NULL);
  GError *error = NULL;

  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  return p;
}

static inline void
join_ok (GProcessObject *p)
{
  GError *error = NULL;

  g_assert_true (g_process_object_join (p, -1, NULL, &error));
  g_assert_no_error (error);
}

/* Kills and joins a child that may still run (clean-up). */
static inline void
kill_and_join (GProcessObject *p)
{
  g_process_object_kill (p);
  join_ok (p);
}
