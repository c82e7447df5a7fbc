/* five-children.c: the "whoami" example of Programming Python (multiprocessing), in C
 *
 * A function is called directly, then in one child that is joined, then in five children
 * that are never joined: they may print after "Main process exit.", and GProcess still joins
 * them when main() returns (they are not daemonic), so none is left behind.
 *
 * The lock is a process-shared POSIX mutex in shared memory, as multiprocessing.Lock is a
 * semaphore shared by the processes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gprocess/gprocess.h>

static pthread_mutex_t *lock;

static void
whoami (GProcessObject *process,
        gpointer        label)
{
  pthread_mutex_lock (lock);
  printf ("%s: name:%s, pid:%d\n", (const char *) label,
          g_process_object_get_name (g_process_get_current ()), (int) getpid ());
  fflush (stdout);
  pthread_mutex_unlock (lock);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  pthread_mutexattr_t attr;
  GProcessObject *p;

  lock = mmap (NULL, sizeof *lock, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (lock == MAP_FAILED)
    return 1;
  pthread_mutexattr_init (&attr);
  pthread_mutexattr_setpshared (&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init (lock, &attr);

  whoami (NULL, "function call");

  p = g_process_object_new_with_target (whoami, "spawned child", NULL);
  if (!g_process_object_start (p, &error) || !g_process_object_join (p, -1, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_object_unref (p);

  for (int i = 0; i < 5; i++)
    {
      p = g_process_object_new_with_target (whoami, g_strdup_printf ("run process %d", i), g_free);
      if (!g_process_object_start (p, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_object_unref (p);  /* never joined by us */
    }

  pthread_mutex_lock (lock);
  printf ("Main process exit.\n");
  fflush (stdout);
  pthread_mutex_unlock (lock);
  return 0;
}
