/* test-fds-internal.c: unit tests of the library's internals (linked with the static library)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gprocess.h"
#include "gprocess-object-private.h"

static gboolean
fd_is_open (int fd)
{
  return fcntl (fd, F_GETFD) != -1;
}

/* Registered descriptors, in runs and alone, are closed in a new process; the others stay. */
static void
test_bitmap_closes_registered_fds_in_child (void)
{
  int fds[6];
  pid_t pid;
  int status;

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    fds[i] = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  G_LOCK (process_lock);
  _g_process_fds_add_locked (fds[0]);
  _g_process_fds_add_locked (fds[1]);
  _g_process_fds_add_locked (fds[3]);
  _g_process_fds_add_locked (fds[5]);
  _g_process_fds_remove_locked (fds[5]);
  G_UNLOCK (process_lock);

  pid = fork ();
  if (pid == 0)
    {
      /* atfork_child() ran: the registered ones are gone */
      gboolean ok = !fd_is_open (fds[0]) && !fd_is_open (fds[1]) && fd_is_open (fds[2]) &&
                    !fd_is_open (fds[3]) && fd_is_open (fds[4]) && fd_is_open (fds[5]);
      _exit (ok ? 0 : 1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  G_LOCK (process_lock);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    _g_process_fds_remove_locked (fds[i]);
  G_UNLOCK (process_lock);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    g_assert_true (fd_is_open (fds[i]));
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    close (fds[i]);
}

/* A descriptor far above the bitmap's first word grows it */
static void
test_bitmap_grows (void)
{
  int fd = fcntl (STDERR_FILENO, F_DUPFD_CLOEXEC, 300);
  pid_t pid;
  int status;

  g_assert_cmpint (fd, >=, 300);
  G_LOCK (process_lock);
  _g_process_fds_add_locked (fd);
  G_UNLOCK (process_lock);
  pid = fork ();
  if (pid == 0)
    _exit (fd_is_open (fd) ? 1 : 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  G_LOCK (process_lock);
  _g_process_fds_close_locked (fd);
  G_UNLOCK (process_lock);
  g_assert_false (fd_is_open (fd));
}

static void
test_escape_name (void)
{
  struct { const char *in, *out; } cases[] = {
    { "Process-1", "Process-1" },
    { "a'b", "a\\'b" },
    { "a\\b", "a\\\\b" },
    { "line\nforged='x'", "line\\nforged=\\'x\\'" },
    { "tab\tcr\r", "tab\\tcr\\r" },
    { "\x01\x7f", "\\x01\\x7f" },
    { "Grüße 世界", "Grüße 世界" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *escaped = _g_process_escape_name (cases[i].in);

      g_assert_cmpstr (escaped, ==, cases[i].out);
      g_free (escaped);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* The library's atfork handlers are registered with the class */
  g_type_class_ref (G_PROCESS_TYPE_OBJECT);

  g_test_add_func ("/gprocess/internal/fds/closed-in-child", test_bitmap_closes_registered_fds_in_child);
  g_test_add_func ("/gprocess/internal/fds/bitmap-grows", test_bitmap_grows);
  g_test_add_func ("/gprocess/internal/escape-name", test_escape_name);

  return g_test_run ();
}
