/* test-lifecycle.c: parent-death signal, process groups, stop(), resource usage, results
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#include "test-util.h"

#ifndef PIDFD_THREAD
# define PIDFD_THREAD O_EXCL
#endif

/* Waits (poll, no sleep) until every writer of @fd has gone; FALSE after @timeout_ms */
static gboolean
wait_hangup (int fd,
             int timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      int left = (int) MAX ((deadline - g_get_monotonic_time ()) / 1000, 0);
      char buf[64];
      int r = poll (&pfd, 1, left);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return FALSE;
      if (pfd.revents & POLLHUP && !(pfd.revents & POLLIN))
        return TRUE;
      if (read (fd, buf, sizeof buf) == 0)
        return TRUE;
    }
}

/* Reads exactly @size bytes (blocking) */
static void
read_exactly (int    fd,
              void  *buf,
              gsize  size)
{
  guint8 *p = buf;

  while (size > 0)
    {
      ssize_t n = read (fd, p, size);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      p += n;
      size -= (gsize) n;
    }
}

static void
write_byte (int  fd,
            char c)
{
  g_assert_cmpint (write (fd, &c, 1), ==, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* parent-death-signal                                                                       */

static void
test_parent_death_signal_default (void)
{
  GProcessObject *p = g_process_object_new ();
  int n_notify = 0;

  g_signal_connect_swapped (p, "notify::parent-death-signal", G_CALLBACK (g_atomic_int_inc), &n_notify);
  g_assert_cmpint (g_process_object_get_parent_death_signal (p), ==, 0);
  g_process_object_set_daemon (p, TRUE);
  g_assert_cmpint (g_process_object_get_parent_death_signal (p), ==, SIGTERM);
  g_assert_cmpint (n_notify, ==, 1);
  g_process_object_set_parent_death_signal (p, SIGTERM);   /* same value in effect */
  g_assert_cmpint (n_notify, ==, 1);
  g_process_object_set_daemon (p, FALSE);                  /* now set explicitly: it stays */
  g_assert_cmpint (g_process_object_get_parent_death_signal (p), ==, SIGTERM);
  g_assert_cmpint (n_notify, ==, 1);
  g_process_object_set_parent_death_signal (p, 0);
  g_assert_cmpint (n_notify, ==, 2);
  g_process_object_set_daemon (p, TRUE);                   /* an explicit 0 wins too */
  g_assert_cmpint (g_process_object_get_parent_death_signal (p), ==, 0);
  g_object_set (p, "parent-death-signal", SIGUSR1, NULL);
  g_assert_cmpint (g_process_object_get_parent_death_signal (p), ==, SIGUSR1);
  g_assert_cmpint (n_notify, ==, 3);
  g_object_unref (p);

  /* After start: a critical, and no effect */
  {
    int fds[2];

    g_assert_no_errno (pipe (fds));
    p = start_target (target_wait_for_go, GINT_TO_POINTER (fds[0]));
    g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*has already started*");
    g_process_object_set_parent_death_signal (p, SIGKILL);
    g_test_assert_expected_messages ();
    g_assert_cmpint (g_process_object_get_parent_death_signal (p), ==, 0);
    write_byte (fds[1], 'g');
    join_ok (p);
    close (fds[1]);
    close (fds[0]);
    g_object_unref (p);
  }
}

typedef struct
{
  int ping_read, pong_write;
} PingPong;

/* The daemonic child: answers pings until the ping pipe closes */
static void
target_pong (GProcessObject *process,
             gpointer        user_data)
{
  PingPong *pp = user_data;
  char c;

  while (read (pp->ping_read, &c, 1) == 1)
    write_byte (pp->pong_write, c);
  g_process_exit (0);
}

typedef struct
{
  PingPong pp;
  int thread_pidfd;
} WorkerData;

static gpointer
worker_start_daemon (gpointer data)
{
  WorkerData *wd = data;

  /* Opened here so that the main thread can wait until this thread has fully exited */
  wd->thread_pidfd = (int) syscall (SYS_pidfd_open, (pid_t) syscall (SYS_gettid), PIDFD_THREAD);
  /* Two siblings: each must get its own signal (the registration is not shared) */
  for (int i = 0; i < 2; i++)
    {
      GProcessObject *p = g_process_object_new_with_target (target_pong, &wd->pp, NULL);

      g_process_object_set_daemon (p, TRUE);
      g_assert_true (g_process_object_start (p, NULL));
      g_object_unref (p);   /* the children list keeps it */
    }
  return NULL;
}

/* Daemonic children started from a worker thread that then exits keep running while their
 * parent process lives; when the parent is killed with SIGKILL both end within 1 s. */
static void
test_parent_death_worker_thread_then_sigkill (void)
{
  int ping[2], pong[2], alive[2], report[2];
  pid_t parent;
  char c = 0;
  gint64 killed_at;

  g_assert_no_errno (pipe (ping));
  g_assert_no_errno (pipe (pong));
  g_assert_no_errno (pipe (alive));
  g_assert_no_errno (pipe (report));

  parent = fork ();
  g_assert_cmpint (parent, >=, 0);
  if (parent == 0)
    {
      /* The parent of the daemonic child: it holds `alive`'s write end only until the child
       * is started, so that the child alone keeps it */
      WorkerData wd = { { ping[0], pong[1] }, -1 };
      GThread *worker;

      worker = g_thread_new ("starter", worker_start_daemon, &wd);
      g_thread_join (worker);
      if (wd.thread_pidfd >= 0)
        {
          struct pollfd pfd = { wd.thread_pidfd, POLLIN, 0 };

          while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
            ;
        }
      close (alive[1]);
      write_byte (report[1], 'T');
      for (;;)
        pause ();
    }

  close (alive[1]);
  close (ping[0]);
  close (pong[1]);
  close (report[1]);

  /* The starting thread has exited; the children still answer */
  read_exactly (report[0], &c, 1);
  g_assert_cmpint (c, ==, 'T');
  for (int i = 0; i < 2; i++)
    {
      write_byte (ping[1], 'p');
      read_exactly (pong[0], &c, 1);
      g_assert_cmpint (c, ==, 'p');
    }
  g_assert_false (wait_hangup (alive[0], 0));

  g_assert_no_errno (kill (parent, SIGKILL));
  killed_at = g_get_monotonic_time ();
  g_assert_cmpint (waitpid (parent, NULL, 0), ==, parent);
  /* Within 1 s; valgrind keeps a dying child's descriptors open through its leak check */
  g_assert_true (wait_hangup (alive[0], g_getenv ("GPROCESS_TEST_VALGRIND") != NULL ? 30000 : 1000));
  g_test_message ("the children ended %" G_GINT64_FORMAT " us after their parent was killed",
                  g_get_monotonic_time () - killed_at);

  close (alive[0]);
  close (ping[1]);
  close (pong[0]);
  close (report[0]);
}

/* For the next test: the fork handler that runs, in a new child, before the library's, and
 * waits there until the parent has died (the end of the pipe that only the parent holds). */
static int wait_for_parent_death_fd = -1;
static int parent_death_write_fd = -1;

static void
atfork_child_wait_for_parent (void)
{
  char c;

  if (wait_for_parent_death_fd < 0)
    return;
  close (parent_death_write_fd);
  while (read (wait_for_parent_death_fd, &c, 1) < 0 && errno == EINTR)
    ;
}

static void
target_say_ran (GProcessObject *process,
                gpointer        user_data)
{
  write_byte (GPOINTER_TO_INT (user_data), 'r');
}

/* A parent that is already dead when its child arms the signal: the child gets it at once and
 * never runs its target. */
static void
test_parent_death_before_arming (void)
{
  int alive[2], gate[2];
  pid_t parent;
  char buf[8];

  g_assert_no_errno (pipe (alive));
  g_assert_no_errno (pipe (gate));
  parent = fork ();
  g_assert_cmpint (parent, >=, 0);
  if (parent == 0)
    {
      GProcessObject *p = g_process_object_new_with_target (target_say_ran,
                                                            GINT_TO_POINTER (alive[1]), NULL);

      close (alive[0]);
      g_process_object_set_parent_death_signal (p, SIGKILL);
      wait_for_parent_death_fd = gate[0];
      parent_death_write_fd = gate[1];
      /* The child's fork handler blocks until this process is gone */
      if (!g_process_object_start (p, NULL))
        _exit (1);
      _exit (0);
    }
  close (alive[1]);
  close (gate[0]);
  close (gate[1]);
  g_assert_cmpint (waitpid (parent, NULL, 0), ==, parent);
  g_assert_true (wait_hangup (alive[0], 10000));
  g_assert_cmpint (read (alive[0], buf, sizeof buf), ==, 0);   /* it never ran */
  close (alive[0]);
}

/* ---------------------------------------------------------------------------------------- */
/* process-group                                                                             */

typedef struct
{
  int report_fd;        /* the grandchildren's pids */
  int n_grandchildren;
  gboolean leader_exits;
  gboolean ignore_term;  /* the grandchildren ignore SIGTERM */
} GroupSpec;

/* Forks grandchildren that sleep; reports one byte per grandchild once they are in place */
static void
target_group_leader (GProcessObject *process,
                     gpointer        user_data)
{
  GroupSpec *spec = user_data;

  for (int i = 0; i < spec->n_grandchildren; i++)
    {
      int ready[2];
      char c;
      pid_t pid;

      g_assert_no_errno (pipe (ready));
      pid = fork ();
      if (pid == 0)
        {
          if (spec->ignore_term)
            signal (SIGTERM, SIG_IGN);
          write_byte (ready[1], 'g');
          for (;;)
            pause ();
        }
      read_exactly (ready[0], &c, 1);
      close (ready[0]);
      close (ready[1]);
    }
  write_byte (spec->report_fd, 'L');
  if (spec->leader_exits)
    g_process_exit (0);
  for (;;)
    pause ();
}

static void
test_process_group_property (void)
{
  GProcessObject *p = g_process_object_new ();
  int n_notify = 0;
  int fds[2];

  g_signal_connect_swapped (p, "notify::process-group", G_CALLBACK (g_atomic_int_inc), &n_notify);
  g_assert_false (g_process_object_get_process_group (p));
  g_process_object_set_process_group (p, FALSE);
  g_assert_cmpint (n_notify, ==, 0);
  g_object_set (p, "process-group", TRUE, NULL);
  g_assert_true (g_process_object_get_process_group (p));
  g_assert_cmpint (n_notify, ==, 1);
  g_object_unref (p);

  /* The child leads its own group; after start the property is fixed */
  g_assert_no_errno (pipe (fds));
  p = g_process_object_new_with_target (target_wait_for_go, GINT_TO_POINTER (fds[0]), NULL);
  g_process_object_set_process_group (p, TRUE);
  g_assert_true (g_process_object_start (p, NULL));
  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*has already started*");
  g_process_object_set_process_group (p, FALSE);
  g_test_assert_expected_messages ();
  g_assert_true (g_process_object_get_process_group (p));
  write_byte (fds[1], 'g');
  join_ok (p);
  close (fds[1]);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  close (fds[0]);
  g_object_unref (p);
}

/* Starts a group leader with grandchildren; @alive's write end is held by all of them */
static GProcessObject *
start_group (GroupSpec *spec,
             int        alive[2])
{
  int report[2];
  GProcessObject *p;
  char c;

  g_assert_no_errno (pipe (report));
  g_assert_no_errno (pipe (alive));
  spec->report_fd = report[1];
  p = g_process_object_new_with_target (target_group_leader, spec, NULL);
  g_process_object_set_process_group (p, TRUE);
  g_assert_true (g_process_object_start (p, NULL));
  close (alive[1]);
  close (report[1]);
  read_exactly (report[0], &c, 1);
  close (report[0]);
  return p;
}

static void
test_process_group_terminate_kills_grandchildren (void)
{
  GroupSpec spec = { -1, 3, FALSE, FALSE };
  int alive[2];
  GProcessObject *p = start_group (&spec, alive);

  g_assert_false (wait_hangup (alive[0], 0));
  g_process_object_terminate (p);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, -SIGTERM);
  g_assert_true (wait_hangup (alive[0], 10000));   /* every grandchild is gone */
  close (alive[0]);
  g_object_unref (p);
}

static void
test_process_group_kill_after_leader_ended (void)
{
  GroupSpec spec = { -1, 2, TRUE, FALSE };
  int alive[2];
  GProcessObject *p = start_group (&spec, alive);

  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_assert_false (wait_hangup (alive[0], 0));      /* the grandchildren remain */
  g_process_object_kill (p);
  g_assert_true (wait_hangup (alive[0], 10000));
  close (alive[0]);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* stop()                                                                                    */

typedef struct
{
  int ready_fd;
  gboolean ignore_term;
} StopSpec;

static void
target_stoppable (GProcessObject *process,
                  gpointer        user_data)
{
  StopSpec *spec = user_data;

  if (spec->ignore_term)
    signal (SIGTERM, SIG_IGN);
  write_byte (spec->ready_fd, 'r');
  for (;;)
    pause ();
}

static GProcessObject *
start_stoppable (gboolean ignore_term)
{
  int ready[2];
  StopSpec spec;
  GProcessObject *p;
  char c;

  g_assert_no_errno (pipe (ready));
  spec.ready_fd = ready[1];
  spec.ignore_term = ignore_term;
  p = start_target (target_stoppable, &spec);
  read_exactly (ready[0], &c, 1);
  close (ready[0]);
  close (ready[1]);
  return p;
}

static void
test_stop_ignoring_sigterm_is_killed_after_grace (void)
{
  GProcessObject *p = start_stoppable (TRUE);
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (g_process_object_stop (p, 300000, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300000);
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_STOPPED);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, -SIGKILL);
  g_object_unref (p);
}

static void
test_stop_honouring_sigterm_ends_early (void)
{
  GProcessObject *p = start_stoppable (FALSE);
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (g_process_object_stop (p, 20 * G_USEC_PER_SEC, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, -SIGTERM);
  g_object_unref (p);
}

static void
test_stop_states (void)
{
  GProcessObject *p = g_process_object_new ();
  GError *error = NULL;

  g_assert_false (g_process_object_stop (p, 0, NULL, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED);
  g_clear_error (&error);
  g_object_unref (p);

  /* Already ended: nothing to do, success, the exit code unchanged */
  p = start_target (target_exit_with, GINT_TO_POINTER (3));
  join_ok (p);
  g_assert_true (g_process_object_stop (p, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 3);
  g_assert_true (g_process_object_close (p, NULL));
  g_assert_false (g_process_object_stop (p, 0, NULL, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_clear_error (&error);
  g_object_unref (p);

  /* Ended but not yet observed: stop() observes it */
  p = start_target (target_exit_with, GINT_TO_POINTER (4));
  wait_exited_unreaped (g_process_object_get_pid (p));
  g_assert_true (g_process_object_stop (p, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 4);
  g_object_unref (p);
}

static void
test_stop_cancelled_keeps_signal (void)
{
  GProcessObject *p = start_stoppable (TRUE);
  GCancellable *cancellable = g_cancellable_new ();
  GError *error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (g_process_object_stop (p, -1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (g_process_object_is_alive (p));   /* it ignores the SIGTERM it got */
  kill_and_join (p);
  g_object_unref (cancellable);
  g_object_unref (p);
}

/* The leader ends at once; a grandchild that ignores SIGTERM is killed after the grace */
static void
test_stop_group_waits_for_members (void)
{
  GroupSpec spec = { -1, 2, TRUE, TRUE };
  int alive[2];
  GProcessObject *p = start_group (&spec, alive);
  GError *error = NULL;
  gint64 start;

  join_ok (p);
  g_assert_false (wait_hangup (alive[0], 0));
  start = g_get_monotonic_time ();
  g_assert_true (g_process_object_stop (p, 200000, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200000);
  g_assert_true (wait_hangup (alive[0], 0));   /* stop() returned after they were gone */
  close (alive[0]);
  g_object_unref (p);
}

typedef struct
{
  GMainLoop *loop;
  gboolean ok;
  GError *error;
} AsyncStop;

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncStop *as = user_data;

  as->ok = g_process_object_stop_finish (G_PROCESS_OBJECT (source), result, &as->error);
  g_main_loop_quit (as->loop);
}

static void
run_stop_async (GProcessObject *p,
                gint64          grace_us,
                GCancellable   *cancellable,
                AsyncStop      *as)
{
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  as->loop = g_main_loop_new (context, FALSE);
  as->ok = FALSE;
  as->error = NULL;
  g_process_object_stop_async (p, grace_us, cancellable, on_stopped, as);
  g_main_loop_run (as->loop);
  g_main_loop_unref (as->loop);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

static void
test_stop_async (void)
{
  GProcessObject *p = start_stoppable (TRUE);
  AsyncStop as;
  gint64 start = g_get_monotonic_time ();

  run_stop_async (p, 200000, NULL, &as);
  g_assert_no_error (as.error);
  g_assert_true (as.ok);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200000);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, -SIGKILL);
  g_object_unref (p);

  p = start_stoppable (FALSE);
  run_stop_async (p, 20 * G_USEC_PER_SEC, NULL, &as);
  g_assert_no_error (as.error);
  g_assert_true (as.ok);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, -SIGTERM);

  /* Already ended */
  run_stop_async (p, 0, NULL, &as);
  g_assert_true (as.ok);
  g_object_unref (p);

  /* Before start */
  p = g_process_object_new ();
  run_stop_async (p, 0, NULL, &as);
  g_assert_false (as.ok);
  g_assert_error (as.error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED);
  g_clear_error (&as.error);
  g_object_unref (p);

  /* Cancelled: the child keeps its SIGTERM, which it ignores */
  {
    GCancellable *cancellable = g_cancellable_new ();

    p = start_stoppable (TRUE);
    g_cancellable_cancel (cancellable);
    run_stop_async (p, -1, cancellable, &as);
    g_assert_false (as.ok);
    g_assert_error (as.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&as.error);
    g_assert_true (g_process_object_is_alive (p));
    kill_and_join (p);
    g_object_unref (p);
    g_object_unref (cancellable);
  }

  /* A group whose members outlive the leader */
  {
    GroupSpec spec = { -1, 2, TRUE, TRUE };
    int alive[2];

    p = start_group (&spec, alive);
    run_stop_async (p, 100000, NULL, &as);
    g_assert_no_error (as.error);
    g_assert_true (as.ok);
    g_assert_true (wait_hangup (alive[0], 0));
    close (alive[0]);
    g_object_unref (p);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* get_usage()                                                                               */

static gint64
process_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
target_burn_cpu (GProcessObject *process,
                 gpointer        user_data)
{
  gint64 until = process_cpu_us () + GPOINTER_TO_INT (user_data);
  volatile guint64 x = 0;

  while (process_cpu_us () < until)
    for (int i = 0; i < 10000; i++)
      x += (guint64) i * i;
}

static void
target_touch_memory (GProcessObject *process,
                     gpointer        user_data)
{
  gsize size = (gsize) GPOINTER_TO_INT (user_data) * 1024 * 1024;
  volatile guint8 *mem = g_malloc (size);

  for (gsize i = 0; i < size; i += 4096)
    mem[i] = 1;
  g_free ((gpointer) mem);
}

static void
test_usage_cpu_time (void)
{
  GProcessObject *p = g_process_object_new_with_target (target_burn_cpu, GINT_TO_POINTER (300000), NULL);
  gint64 user = -1, sys = -1, rss = -1;

  g_assert_false (g_process_object_get_usage (p, &user, &sys, &rss));
  g_assert_cmpint (user, ==, 0);
  g_assert_cmpint (sys, ==, 0);
  g_assert_cmpint (rss, ==, 0);
  g_assert_true (g_process_object_start (p, NULL));
  join_ok (p);
  g_assert_true (g_process_object_get_usage (p, &user, &sys, &rss));
  g_test_message ("user %" G_GINT64_FORMAT " us, system %" G_GINT64_FORMAT " us, max RSS %"
                  G_GINT64_FORMAT " bytes", user, sys, rss);
  g_assert_cmpint (user, >=, 200000);
  g_assert_cmpint (user + sys, >=, 290000);
  g_assert_cmpint (rss, >, 0);
  g_assert_true (g_process_object_get_usage (p, NULL, NULL, NULL));
  g_object_unref (p);
}

static void
test_usage_max_rss (void)
{
  GProcessObject *p = start_target (target_touch_memory, GINT_TO_POINTER (128));
  gint64 rss = 0;

  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_assert_true (g_process_object_get_usage (p, NULL, NULL, &rss));
  g_test_message ("max RSS %" G_GINT64_FORMAT " bytes", rss);
  g_assert_cmpint (rss, >, 100 * 1024 * 1024);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* Results                                                                                   */

static void
target_set_result (GProcessObject *process,
                   gpointer        user_data)
{
  g_process_set_result (g_variant_new_parsed ((const char *) user_data));
}

static GVariant *
result_of (GProcessTargetFunc target,
           gpointer           data,
           int                expected_exit_code,
           GError           **error)
{
  GProcessObject *p = start_target (target, data);
  GVariant *v;

  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, expected_exit_code);
  v = g_process_object_get_result (p, error);
  g_object_unref (p);
  return v;
}

static void
test_result_values (void)
{
  const char *values[] = {
    "int64 42", "'héllo'", "{'a': <1>, 'b': <['x', 'y']>}", "(true, 2.5, [byte 0x01, 0x02])",
    "()", "@ms nothing",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      GError *error = NULL;
      GVariant *expected = g_variant_ref_sink (g_variant_new_parsed (values[i], NULL));
      GVariant *v = result_of (target_set_result, (gpointer) values[i], 0, &error);

      g_assert_no_error (error);
      g_assert_nonnull (v);
      g_assert_true (g_variant_equal (v, expected));
      g_assert_true (g_variant_is_normal_form (v));
      g_variant_unref (v);
      g_variant_unref (expected);
    }
}

static void
test_result_repeatable_and_states (void)
{
  GProcessObject *p = g_process_object_new_with_target (target_set_result, (gpointer) "uint32 7", NULL);
  GError *error = NULL;
  GVariant *v1, *v2;
  int fds[2];

  g_assert_null (g_process_object_get_result (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED);
  g_clear_error (&error);
  g_assert_true (g_process_object_start (p, NULL));
  join_ok (p);
  v1 = g_process_object_get_result (p, &error);
  g_assert_no_error (error);
  v2 = g_process_object_get_result (p, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint32 (v1), ==, 7);
  g_assert_true (g_variant_equal (v1, v2));
  g_variant_unref (v1);
  g_variant_unref (v2);
  g_assert_true (g_process_object_close (p, NULL));
  v1 = g_process_object_get_result (p, &error);   /* still there after close */
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint32 (v1), ==, 7);
  g_variant_unref (v1);
  g_object_unref (p);

  g_assert_no_errno (pipe (fds));
  p = start_target (target_wait_for_go, GINT_TO_POINTER (fds[0]));
  g_assert_null (g_process_object_get_result (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STILL_RUNNING);
  g_clear_error (&error);
  write_byte (fds[1], 'g');
  join_ok (p);
  close (fds[1]);
  g_assert_null (g_process_object_get_result (p, &error));   /* set nothing */
  g_assert_no_error (error);
  close (fds[0]);
  g_object_unref (p);
}

static void
target_large_result (GProcessObject *process,
                     gpointer        user_data)
{
  gsize size = GPOINTER_TO_SIZE (user_data);
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + (i >> 12));
  g_process_set_result (g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data, size, TRUE,
                                                 g_free, data));
}

static void
check_large_result (gsize size)
{
  GError *error = NULL;
  GVariant *v = result_of (target_large_result, GSIZE_TO_POINTER (size), 0, &error);
  const guint8 *data;
  gsize n;

  g_assert_no_error (error);
  g_assert_nonnull (v);
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "ay");
  data = g_variant_get_fixed_array (v, &n, 1);
  g_assert_cmpuint (n, ==, size);
  for (gsize i = 0; i < size; i++)
    if (data[i] != (guint8) (i * 31 + (i >> 12)))
      g_assert_cmpuint (i, ==, G_MAXSIZE);   /* report the first difference */
  g_variant_unref (v);
}

static void
test_result_10_mib (void)
{
  check_large_result (10 * 1024 * 1024);
}

static void
test_result_64_mib (void)
{
  if (g_getenv ("GPROCESS_TEST_VALGRIND") != NULL)
    {
      g_test_skip ("64 MiB under valgrind takes minutes; the 10 MiB test takes the same path");
      return;
    }
  check_large_result (64 * 1024 * 1024 + 1);
}

static void
target_set_error (GProcessObject *process,
                  gpointer        user_data)
{
  GError *error = g_error_new_literal (GPOINTER_TO_UINT (user_data), 17, "it failed: ü\nsecond line");

  g_process_set_result (g_variant_new_int32 (1));   /* the last call wins */
  g_process_set_error (error);
  g_error_free (error);
  g_process_exit (2);
}

static void
test_result_error_round_trip (void)
{
  GQuark domains[] = { G_IO_ERROR, g_quark_from_static_string ("gprocess-test-custom-error") };

  for (gsize i = 0; i < G_N_ELEMENTS (domains); i++)
    {
      GError *error = NULL;
      GVariant *v = result_of (target_set_error, GUINT_TO_POINTER (domains[i]), 2, &error);

      g_assert_null (v);
      g_assert_error (error, domains[i], 17);
      g_assert_cmpstr (error->message, ==, "it failed: ü\nsecond line");
      g_clear_error (&error);
    }
}

static void
target_error_then_result (GProcessObject *process,
                          gpointer        user_data)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "not this");

  g_process_set_error (error);
  g_error_free (error);
  g_process_set_result (g_variant_new_string ("this"));
}

static void
target_set_then_die (GProcessObject *process,
                     gpointer        user_data)
{
  g_process_set_result (g_variant_new_string ("lost"));
  raise (GPOINTER_TO_INT (user_data));
}

static void
test_result_last_call_wins_and_crash (void)
{
  GError *error = NULL;
  GVariant *v = result_of (target_error_then_result, NULL, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "this");
  g_variant_unref (v);

  /* A child that is killed (or crashes) after setting a result delivers none */
  v = result_of (target_set_then_die, GINT_TO_POINTER (SIGKILL), -SIGKILL, &error);
  g_assert_no_error (error);
  g_assert_null (v);
}

/* Records an error and returns from run() */
static void
target_set_error_and_return (GProcessObject *process,
                             gpointer        user_data)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "returned with an error");

  g_process_set_error (error);
  g_error_free (error);
}

/* The defect (issue 20, item 7): a child that returned from run() with an error recorded
 * exited 0, as if it had succeeded. It exits 1, as an uncaught exception does in Python; an
 * explicit g_process_exit (n) keeps n (test_result_error_round_trip: 2), and a result set
 * after the error (the last call wins) ends with 0 (test_result_last_call_wins_and_crash). */
static void
test_result_error_then_return_exits_1 (void)
{
  GError *error = NULL;
  GVariant *v;

  g_test_summary ("A child that returns from run() after g_process_set_error() exits with 1, "
                  "and its error is delivered");
  v = result_of (target_set_error_and_return, NULL, 1, &error);
  g_assert_null (v);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "returned with an error");
  g_clear_error (&error);
}

/* Records a result or an error, then ends with libc exit() */
static void
target_set_then_libc_exit (GProcessObject *process,
                           gpointer        user_data)
{
  if (user_data != NULL)
    {
      GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY, "error before exit()");

      g_process_set_error (error);
      g_error_free (error);
      exit (0);
    }
  g_process_set_result (g_variant_new_string ("set before exit()"));
  exit (5);
}

/* The defect (issue 20, item 7): a result set before the child called libc exit() was lost
 * (only g_process_exit() sent it). exit() delivers it too, and keeps its status. */
static void
test_result_delivered_through_libc_exit (void)
{
  GError *error = NULL;
  GVariant *v;

  g_test_summary ("A result or an error set before the child calls libc exit() is delivered, "
                  "and exit()'s status is the exit code");
  v = result_of (target_set_then_libc_exit, NULL, 5, &error);
  g_assert_no_error (error);
  g_assert_nonnull (v);
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "set before exit()");
  g_variant_unref (v);

  v = result_of (target_set_then_libc_exit, GINT_TO_POINTER (1), 0, &error);
  g_assert_null (v);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
}

/* Records a result, then starts a child that records nothing and returns: that child's
 * result must be none (it sends its own word, not a copy of its parent's), its exit code 0
 * (the parent's recorded error is not its own). Sets what it found as its own result. */
static void
target_record_then_start_silent_child (GProcessObject *process,
                                       gpointer        user_data)
{
  GProcessObject *silent = g_process_object_new_with_target (target_nothing, NULL, NULL);
  GError *error = NULL;
  GVariant *inherited;
  int code;

  if (user_data != NULL)
    {
      GError *recorded = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "the parent's");

      g_process_set_error (recorded);
      g_error_free (recorded);
    }
  else
    g_process_set_result (g_variant_new_string ("the parent's"));
  if (!g_process_object_start (silent, NULL) || !g_process_object_join (silent, -1, NULL, NULL))
    {
      g_object_unref (silent);
      g_process_exit (10);
    }
  code = g_process_object_get_exit_code (silent);
  inherited = g_process_object_get_result (silent, &error);
  g_process_set_result (g_variant_new ("(bbi)", inherited != NULL, error != NULL, code));
  g_clear_pointer (&inherited, g_variant_unref);
  g_clear_error (&error);
  g_object_unref (silent);
  g_process_exit (0);
}

/* The defect (found with issue 20, item 7): a child's own child inherited the copy of what its
 * parent had recorded, and sent it as its own result. */
static void
test_result_not_inherited_by_grandchild (void)
{
  g_test_summary ("A child started by a child that had recorded a result or an error sends "
                  "nothing of it, and exits 0");
  for (int with_error = 0; with_error < 2; with_error++)
    {
      GError *error = NULL;
      GVariant *v = result_of (target_record_then_start_silent_child,
                               GINT_TO_POINTER (with_error), 0, &error);
      gboolean got_value, got_error;
      int code;

      g_assert_no_error (error);
      g_assert_nonnull (v);
      g_variant_get (v, "(bbi)", &got_value, &got_error, &code);
      g_assert_false (got_value);
      g_assert_false (got_error);
      g_assert_cmpint (code, ==, 0);
      g_variant_unref (v);
    }
}

static void
test_result_outside_child (void)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");

  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*not called in a child*");
  g_process_set_result (g_variant_new_int32 (1));   /* the floating value is sunk and freed */
  g_test_assert_expected_messages ();
  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*not called in a child*");
  g_process_set_error (error);
  g_test_assert_expected_messages ();
  g_error_free (error);
}

/* Results cost no descriptor per running child: only the pidfd (or the fallback's pipe) */
static void
test_result_fd_budget (void)
{
  GProcessObject *children[20];
  int fds[2];
  int before, per_child;

  {
    GVariant *v = result_of (target_set_result, (gpointer) "1", 0, NULL);   /* warm-up */

    g_variant_unref (v);
  }
  g_assert_no_errno (pipe (fds));
  before = count_open_fds ();
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      children[i] = g_process_object_new_with_target (target_wait_for_go, GINT_TO_POINTER (fds[0]), NULL);
      g_process_object_set_daemon (children[i], TRUE);   /* a parent-death signal too */
      g_assert_true (g_process_object_start (children[i], NULL));
    }
  /* Per child the pidfd; in the pipe fallback the pipe's read end and the /proc/<pid>
   * descriptor that keeps the pid bound to the child. +2 once: the death pipe of this process */
  {
    /* The library falls back to pipes when told so, or when the kernel (or valgrind) has no
     * pidfd_open() */
    int pidfd = (int) syscall (SYS_pidfd_open, getpid (), 0);

    per_child = g_getenv ("GPROCESS_NO_PIDFD") != NULL || pidfd < 0 ? 2 : 1;
    if (pidfd >= 0)
      close (pidfd);
  }
  g_assert_cmpint (count_open_fds (), <=, before + per_child * (int) G_N_ELEMENTS (children) + 2);
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    write_byte (fds[1], 'g');
  close (fds[1]);
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      join_ok (children[i]);
      g_object_unref (children[i]);
    }
  close (fds[0]);
}

int
main (int    argc,
      char **argv)
{
  /* Before the library registers its own: see test_parent_death_before_arming() */
  pthread_atfork (NULL, NULL, atfork_child_wait_for_parent);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/lifecycle/parent-death-signal/default", test_parent_death_signal_default);
  g_test_add_func ("/gprocess/lifecycle/parent-death-signal/worker-thread-then-sigkill",
                   test_parent_death_worker_thread_then_sigkill);
  g_test_add_func ("/gprocess/lifecycle/parent-death-signal/parent-dead-before-arming",
                   test_parent_death_before_arming);
  g_test_add_func ("/gprocess/lifecycle/process-group/property", test_process_group_property);
  g_test_add_func ("/gprocess/lifecycle/process-group/terminate-kills-grandchildren",
                   test_process_group_terminate_kills_grandchildren);
  g_test_add_func ("/gprocess/lifecycle/process-group/kill-after-leader-ended",
                   test_process_group_kill_after_leader_ended);
  g_test_add_func ("/gprocess/lifecycle/stop/ignoring-sigterm-killed-after-grace",
                   test_stop_ignoring_sigterm_is_killed_after_grace);
  g_test_add_func ("/gprocess/lifecycle/stop/honouring-sigterm-ends-early",
                   test_stop_honouring_sigterm_ends_early);
  g_test_add_func ("/gprocess/lifecycle/stop/states", test_stop_states);
  g_test_add_func ("/gprocess/lifecycle/stop/cancelled-keeps-signal", test_stop_cancelled_keeps_signal);
  g_test_add_func ("/gprocess/lifecycle/stop/group-waits-for-members", test_stop_group_waits_for_members);
  g_test_add_func ("/gprocess/lifecycle/stop/async", test_stop_async);
  g_test_add_func ("/gprocess/lifecycle/usage/cpu-time", test_usage_cpu_time);
  g_test_add_func ("/gprocess/lifecycle/usage/max-rss", test_usage_max_rss);
  g_test_add_func ("/gprocess/lifecycle/result/values", test_result_values);
  g_test_add_func ("/gprocess/lifecycle/result/repeatable-and-states", test_result_repeatable_and_states);
  g_test_add_func ("/gprocess/lifecycle/result/10-mib-exact", test_result_10_mib);
  g_test_add_func ("/gprocess/lifecycle/result/64-mib", test_result_64_mib);
  g_test_add_func ("/gprocess/lifecycle/result/error-round-trip", test_result_error_round_trip);
  g_test_add_func ("/gprocess/lifecycle/result/last-call-wins-and-killed-delivers-none",
                   test_result_last_call_wins_and_crash);
  g_test_add_func ("/gprocess/lifecycle/result/error-then-return-exits-1",
                   test_result_error_then_return_exits_1);
  g_test_add_func ("/gprocess/lifecycle/result/delivered-through-libc-exit",
                   test_result_delivered_through_libc_exit);
  g_test_add_func ("/gprocess/lifecycle/result/not-inherited-by-grandchild",
                   test_result_not_inherited_by_grandchild);
  g_test_add_func ("/gprocess/lifecycle/result/outside-child", test_result_outside_child);
  g_test_add_func ("/gprocess/lifecycle/result/fd-budget", test_result_fd_budget);

  return g_test_run ();
}
