/* test-defects.c: regressions of the audit (issue 9): waits that honour their bounds and do
 * not hold the lock, a plain fork() of the application, extreme arguments and names, a
 * thousand live children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "test-util.h"

/* valgrind and the sanitizers make a fork cost tens of milliseconds: fewer children there */
static int
rounds (int n)
{
  if (g_getenv ("GPROCESS_TEST_VALGRIND") != NULL)
    return MAX (n / 50, 1);  /* and each child is leak-checked at its exit */
  return g_getenv ("GPROCESS_TEST_SANITIZER") != NULL ? MAX (n / 10, 1) : n;
}

/* ---------------------------------------------------------------------------------------- */
/* Never block under the lock; honour every timeout                                           */

/* The child becomes `sh`, which waits for a line on the descriptor given as data: a program
 * that runs until the test lets it end. */
static void
target_exec_read_line (GProcessObject *process,
                       gpointer        user_data)
{
  int fd = GPOINTER_TO_INT (user_data);
  char *script = g_strdup_printf ("read line <&%d", fd);

  fcntl (fd, F_SETFD, 0);
  execl ("/bin/sh", "sh", "-c", script, (char *) NULL);
  _exit (127);
}

typedef struct
{
  GProcessObject *process;
  int handshake_fd;
  pid_t tid;
  gboolean joined;
} Joiner;

static gpointer
join_in_thread (gpointer data)
{
  Joiner *j = data;

  j->tid = (pid_t) syscall (SYS_gettid);
  g_assert_cmpint (write (j->handshake_fd, "j", 1), ==, 1);
  j->joined = g_process_object_join (j->process, -1, NULL, NULL);
  return NULL;
}

/* Returns once the thread @tid sleeps in poll() (the join's wait), or after a few seconds:
 * the assertions that follow hold either way, this only makes them test the worst moment. */
static void
wait_until_thread_polls (pid_t tid)
{
  char *path = g_strdup_printf ("/proc/self/task/%d/syscall", (int) tid);
  gint64 give_up = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < give_up)
    {
      char *text = NULL;
      long nr;

      if (g_file_get_contents (path, &text, NULL, NULL))
        {
          nr = strtol (text, NULL, 10);
          g_free (text);
          if (nr == SYS_ppoll || nr == SYS_poll)
            break;
        }
      g_thread_yield ();
    }
  g_free (path);
}

/* The defect (issue 9, A.5): in the pipe fallback join() called a blocking waitpid() while
 * holding the process-wide lock once the sentinel fired, so a child that exec()s made
 * join (100 ms) last as long as the program (603 ms for a 600 ms program), and get_state()
 * from another thread waited behind a join() (1.7 s). Here the program never ends by itself:
 * a join (100 ms) that waited for it, or a get_state() that waited for the join, never
 * returns (the alarm fails the test). */
static void
join_timeout_scenario (gboolean ignore_sigchld)
{
  GProcessObject *p;
  GError *error = NULL;
  GThread *thread;
  Joiner joiner;
  int go[2], handshake[2];
  gint64 start, elapsed;
  char c;

  g_assert_no_errno (pipe2 (go, O_CLOEXEC));
  g_assert_no_errno (pipe2 (handshake, O_CLOEXEC));
  if (ignore_sigchld)
    signal (SIGCHLD, SIG_IGN);
  p = start_target (target_exec_read_line, GINT_TO_POINTER (go[0]));
  alarm (30);

  start = g_get_monotonic_time ();
  g_assert_false (g_process_object_join (p, 100 * 1000, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (elapsed, >=, 100 * 1000);
  /* It returned before the child ended: the child cannot end before the line below */
  g_assert_true (g_process_object_is_alive (p));

  joiner = (Joiner) { p, handshake[1], 0, FALSE };
  thread = g_thread_new ("joiner", join_in_thread, &joiner);
  g_assert_cmpint (read (handshake[0], &c, 1), ==, 1);
  wait_until_thread_polls (joiner.tid);
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_STARTED);
  g_assert_true (g_process_object_is_alive (p));
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, G_PROCESS_EXIT_CODE_NONE);
  g_free (g_process_object_to_string (p));

  g_assert_cmpint (write (go[1], "go\n", 3), ==, 3);
  g_thread_join (thread);
  alarm (0);
  if (ignore_sigchld)
    {
      /* Real (Linux >= 6.15, pidfd) or documented as unknown */
      g_assert_true (joiner.joined ? g_process_object_get_exit_code (p) == 0 :
                     g_process_object_get_exit_code (p) == G_PROCESS_EXIT_CODE_UNKNOWN);
      signal (SIGCHLD, SIG_DFL);
    }
  else
    {
      g_assert_true (joiner.joined);
      g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
    }
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_STOPPED);

  g_object_unref (p);
  close (go[0]);
  close (go[1]);
  close (handshake[0]);
  close (handshake[1]);
}

static void
test_join_timeout_and_getters_never_wait_for_the_child (void)
{
  join_timeout_scenario (FALSE);
}

/* The same with SIGCHLD ignored: nobody but the kernel reaps the child */
static void
test_join_timeout_and_getters_never_wait_for_the_child_sigchld_ignored (void)
{
  join_timeout_scenario (TRUE);
}

/* ---------------------------------------------------------------------------------------- */
/* A plain fork() of the application                                                          */

/* Iterates the default context until @p's end is known: only its reaper can observe it. */
static void
iterate_until_ended (GProcessObject *p)
{
  while (g_process_object_get_exit_code (p) == G_PROCESS_EXIT_CODE_NONE)
    g_main_context_iteration (NULL, TRUE);
}

/* Under valgrind, a grandchild of the copy that exits normally is leak-checked, and loses
 * what the tree kept from two generations of forks; one killed is not checked. */
static void
target_sigkill_self (GProcessObject *process,
                     gpointer        user_data)
{
  raise (SIGKILL);
}

/* Whether the epoll set @epfd watches any descriptor: its fdinfo lists one "tfd:" line per
 * watched descriptor (whether or not an event is pending). */
static gboolean
epoll_set_watches_anything (int epfd)
{
  char *path = g_strdup_printf ("/proc/self/fdinfo/%d", epfd);
  char *contents = NULL;
  gboolean watches;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  watches = strstr (contents, "tfd:") != NULL;
  g_free (contents);
  g_free (path);
  return watches;
}

/* An application that knows an epoll set is shared with its parent across fork() closes the
 * ones it inherited in the copy, and makes its own. Its own set then takes the number of a
 * closed one. Returns the number, or -1 if the copy inherited no epoll set. */
static int
close_inherited_epoll_sets_and_make_own (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *entry;
  int reused = -1;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      char *path = g_strdup_printf ("/proc/self/fd/%s", entry);
      char *target = g_file_read_link (path, NULL);
      int fd = atoi (entry);

      if (target != NULL && strcmp (target, "anon_inode:[eventpoll]") == 0 && fd > 2)
        {
          close (fd);
          reused = fd;
        }
      g_free (target);
      g_free (path);
    }
  g_dir_close (dir);
  if (reused >= 0)
    {
      int own = epoll_create1 (EPOLL_CLOEXEC);

      g_assert_cmpint (own, >=, 0);
      if (own != reused)
        {
          g_assert_cmpint (dup3 (own, reused, O_CLOEXEC), ==, reused);
          close (own);
        }
    }
  return reused;
}

/* The copy made by fork(): returns what it found wrong, 0 if nothing */
static int
plain_fork_copy (gboolean closes_inherited_epoll)
{
  struct epoll_event event;
  GProcessObject *q;
  int app_epfd;
  int code = 0;

  alarm (30);  /* a copy whose reaper is stale would wait forever below */
  /* The application's own epoll set: it may take a descriptor number the copy's reaper left */
  if (closes_inherited_epoll)
    app_epfd = close_inherited_epoll_sets_and_make_own ();
  else
    app_epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (app_epfd < 0)
    return 1;
  if (g_main_context_iteration (NULL, FALSE))
    return 2;  /* dispatches with nothing to do: the busy loop */

  q = g_process_object_new_with_target (target_sigkill_self, NULL, NULL);
  if (!g_process_object_start (q, NULL))
    return 3;
  if (epoll_set_watches_anything (app_epfd))
    code = 7;  /* the copy's start registered its child in the application's epoll set */
  iterate_until_ended (q);
  if (code != 0)
    ;
  else if (g_process_object_get_exit_code (q) != -SIGKILL)
    code = 4;
  else if (epoll_wait (app_epfd, &event, 1, 0) != 0)
    code = 5;  /* the copy's start registered its child in the application's epoll set */
  else if (g_main_context_iteration (NULL, FALSE))
    code = 6;
  g_object_unref (q);
  return code;
}

/* The defect (issue 9, A.6): the copy kept its parent's reaper: the epoll descriptor it
 * polled was closed (g_main_context_iteration() dispatched on every call: code 2 or 6), or
 * belonged to whatever took the number since (the application's epoll set received the
 * copy's children: code 5), and the copy's children were registered in the parent's epoll
 * set, which then woke the parent (the last iteration below dispatches). */
static GProcessObject *plain_fork_object;  /* not on the stack: the copy's leak check */

static void
plain_fork_scenario (gboolean closes_inherited_epoll)
{
  GProcessObject *p = plain_fork_object = start_target (target_exit_with, GINT_TO_POINTER (3));
  int status = 0;
  int verdict[2];
  char code = -1;
  pid_t copy;

  iterate_until_ended (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 3);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_no_errno (pipe2 (verdict, O_CLOEXEC));
  copy = fork ();
  g_assert_cmpint (copy, >=, 0);
  if (copy == 0)
    {
      /* The verdict goes through a pipe, and the copy ends by SIGKILL: under valgrind, the
       * leak check of a copy would report what the tree kept of its parent's children. */
      char code = (char) plain_fork_copy (closes_inherited_epoll);

      if (write (verdict[1], &code, 1) != 1)
        _exit (1);
      raise (SIGKILL);
    }
  close (verdict[1]);
  g_assert_cmpint (waitpid (copy, &status, 0), ==, copy);
  g_assert_cmpint (read (verdict[0], &code, 1), ==, 1);
  close (verdict[0]);
  g_assert_cmpint (code, ==, 0);

  /* The copy's child ended long ago: the parent's epoll set heard nothing of it */
  g_assert_false (g_main_context_iteration (NULL, FALSE));
  g_clear_object (&plain_fork_object);
  g_assert_false (has_any_child ());
}

static void
test_plain_fork_gets_its_own_reaper (void)
{
  plain_fork_scenario (FALSE);
}

/* The defect (issue 19, item 8): the copy's reaper kept the number of its parent's epoll set
 * (refilled with an empty set by the fork handler). An application that closes the epoll sets
 * it inherited and makes its own at that number received the copy's children in its set
 * (code 7). The copy makes a reaper of its own at its first start. */
static void
test_plain_fork_reaper_not_in_applications_epoll_set (void)
{
  g_test_summary ("In a copy of the application made with fork(), that closed the epoll sets it "
                  "inherited and made its own at their number, starting a child adds nothing "
                  "to the application's set, and the copy's main loop still sees the end");
  plain_fork_scenario (TRUE);
}

/* ---------------------------------------------------------------------------------------- */
/* Extreme arguments and names                                                                */

/* The defect (issue 9, A.9): now + G_MAXINT64 overflowed the deadline (UBSan), which then
 * lay in the past: the join timed out at once instead of waiting. */
static void
test_join_without_practical_limit (void)
{
  GProcessObject *p = start_target (target_exit_with, GINT_TO_POINTER (4));
  GError *error = NULL;

  g_assert_true (g_process_object_join (p, G_MAXINT64, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 4);
  g_assert_true (g_process_object_join (p, G_MAXINT64, NULL, &error));
  g_object_unref (p);
}

/* The defect (issue 9, A.9): a name that is not UTF-8 was accepted, and reached GError
 * messages and to_string(): no critical came (g_test_assert_expected_messages() fails), and
 * the name changed. */
static void
test_set_name_refuses_invalid_utf8 (void)
{
  GProcessObject *p = g_process_object_new ();

  g_process_object_set_name (p, "kept");
  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*g_utf8_validate*");
  g_process_object_set_name (p, "bad\xff\xfe");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (g_process_object_get_name (p), ==, "kept");
  g_object_unref (p);
}

/* The defect (issue 9, A.9): to_string() printed the name raw, so a name could end the line
 * and forge another (the newline and quote checks below fail). */
static void
test_to_string_escapes_the_name (void)
{
  GProcessObject *p = g_process_object_new ();
  char *s;

  g_process_object_set_name (p, "one\ntwo 'three' \\ \"four\"\x01");
  s = g_process_object_to_string (p);
  g_test_message ("%s", s);
  g_assert_null (strchr (s, '\n'));
  g_assert_null (strchr (s, '\x01'));
  g_assert_nonnull (strstr (s, "one\\ntwo \\'three\\' \\\\ \"four\"\\x01"));
  g_free (s);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* A thousand live children                                                                   */

#define MANY_CHILDREN 1000

static int many_go_fd;

static void
target_exit_with_index_on_go (GProcessObject *process,
                              gpointer        user_data)
{
  target_wait_for_go (process, GINT_TO_POINTER (many_go_fd));
  g_process_exit (GPOINTER_TO_INT (user_data) % 100);
}

/* The defect (issue 9, A.10): the reaper found each child by a linear scan of the children
 * (quadratic over a thousand); this is the functional side: every one of a thousand live
 * children is found, reaped once, with its own code, half by join(), half by the main loop's
 * reaper. (The per-child cost is measured by the benchmarks.) */
static void
test_thousand_live_children_reaped (void)
{
  int n = rounds (MANY_CHILDREN);
  GProcessObject **children = g_new0 (GProcessObject *, n);
  struct rlimit saved, needed;
  GList *active;
  char *go_bytes;
  int go[2];

  /* A pidfd per child, and in the pipe fallback a pipe end and a /proc descriptor */
  g_assert_no_errno (getrlimit (RLIMIT_NOFILE, &saved));
  needed = saved;
  needed.rlim_cur = MAX (saved.rlim_cur, MIN (saved.rlim_max, (rlim_t) (2 * n + 256)));
  if (needed.rlim_cur < (rlim_t) (2 * n + 64))
    {
      g_test_skip ("RLIMIT_NOFILE too low for a thousand children");
      g_free (children);
      return;
    }
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &needed));

  g_assert_no_errno (pipe2 (go, O_CLOEXEC));
  many_go_fd = go[0];
  for (int i = 0; i < n; i++)
    children[i] = start_target (target_exit_with_index_on_go, GINT_TO_POINTER (i));

  active = g_process_get_active_children ();
  g_assert_cmpuint (g_list_length (active), ==, n);
  g_list_free_full (active, g_object_unref);

  go_bytes = g_malloc0 (n);
  g_assert_cmpint (write (go[1], go_bytes, n), ==, n);
  g_free (go_bytes);

  for (int i = 0; i < n; i += 2)
    join_ok (children[i]);
  for (int i = 1; i < n; i += 2)
    iterate_until_ended (children[i]);
  for (int i = 0; i < n; i++)
    {
      g_assert_cmpint (g_process_object_get_exit_code (children[i]), ==, i % 100);
      g_assert_cmpint (g_process_object_get_state (children[i]), ==, G_PROCESS_STATE_STOPPED);
      g_object_unref (children[i]);
    }
  g_assert_null (g_process_get_active_children ());
  g_assert_false (has_any_child ());

  g_free (children);
  close (go[0]);
  close (go[1]);
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &saved));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/defects/join-timeout-and-getters-never-wait-for-the-child",
                   test_join_timeout_and_getters_never_wait_for_the_child);
  g_test_add_func ("/gprocess/defects/join-timeout-and-getters-never-wait-for-the-child/sigchld-ignored",
                   test_join_timeout_and_getters_never_wait_for_the_child_sigchld_ignored);
  g_test_add_func ("/gprocess/defects/plain-fork-gets-its-own-reaper",
                   test_plain_fork_gets_its_own_reaper);
  g_test_add_func ("/gprocess/defects/plain-fork-reaper-not-in-applications-epoll-set",
                   test_plain_fork_reaper_not_in_applications_epoll_set);
  g_test_add_func ("/gprocess/defects/join-without-practical-limit",
                   test_join_without_practical_limit);
  g_test_add_func ("/gprocess/defects/set-name-refuses-invalid-utf8",
                   test_set_name_refuses_invalid_utf8);
  g_test_add_func ("/gprocess/defects/to-string-escapes-the-name", test_to_string_escapes_the_name);
  g_test_add_func ("/gprocess/defects/thousand-live-children-reaped",
                   test_thousand_live_children_reaped);

  return g_test_run ();
}
