/* fork-server.c: children of a threaded program, made by the fork server
 *
 * The server is started first, before any thread. Then a thread takes a lock and keeps it:
 * a fork() child that needed the lock would wait for ever, a fork-server child has it free.
 * Each child gets its data through "args", and is still a child of this process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <unistd.h>

#include <gprocess/gprocess.h>

static GMutex lock;
static int release[2];

static gpointer
hold_lock (gpointer locked)
{
  char c;

  g_mutex_lock (&lock);
  g_mutex_unlock (locked);  /* tell main() */
  while (read (release[0], &c, 1) < 0)
    ;
  g_mutex_unlock (&lock);
  return NULL;
}

static void
square (GProcessObject *process,
        gpointer        user_data)
{
  int n;

  g_variant_get (g_process_object_get_args (process), "(i)", &n);
  g_mutex_lock (&lock);  /* held by a thread of the application: free here */
  g_print ("%s: %d squared is %d, my parent is the application: %s\n",
           g_process_object_get_name (process), n, n * n,
           getppid () == g_process_object_get_parent_pid (process) ? "yes" : "no");
  g_mutex_unlock (&lock);
}

int
main (void)
{
  GProcessObject *workers[3];
  GMutex locked;
  GThread *thread;
  GError *error = NULL;

  /* First of all: the server is a copy of the program as it is now */
  if (!g_process_start_fork_server (&error))
    g_error ("%s", error->message);
  g_process_set_start_method (G_PROCESS_START_METHOD_FORKSERVER, NULL);

  g_mutex_init (&locked);
  g_mutex_lock (&locked);
  if (pipe (release) != 0)
    g_error ("pipe failed");
  thread = g_thread_new ("holder", hold_lock, &locked);
  g_mutex_lock (&locked);  /* the thread now holds the lock */

  for (int i = 0; i < 3; i++)
    {
      workers[i] = g_process_object_new_with_target (square, NULL, NULL);
      g_process_object_set_args (workers[i], g_variant_new ("(i)", i + 2));
      if (!g_process_object_start (workers[i], &error))
        g_error ("%s", error->message);
    }
  for (int i = 0; i < 3; i++)
    {
      if (!g_process_object_join (workers[i], -1, NULL, &error))
        g_error ("%s", error->message);
      g_print ("%s exit code %d\n", g_process_object_get_name (workers[i]),
               g_process_object_get_exit_code (workers[i]));
      g_object_unref (workers[i]);
    }

  close (release[1]);
  g_thread_join (thread);
  g_mutex_unlock (&locked);
  g_mutex_clear (&locked);
  return 0;
}
