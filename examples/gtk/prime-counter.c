/* prime-counter.c: a GTK 4 application whose workers are GProcess children
 *
 * The user picks how far to count primes and how many workers share the work; the workers are
 * those of a GProcessPool, each task running prime_pool_task(), a function of this program.
 * The window shows each task's progress, state and result, and a Cancel button cancels them.
 *
 * Run it:           prime-counter
 * Test it headless: xvfb-run -a prime-counter --self-test=complete   (see meson.build)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "prime-window.h"
#include "prime-worker.h"
#include "self-test.h"

#include <gprocess/gprocess.h>
#include <stdio.h>

typedef struct
{
  char    *self_test;
  char    *screenshot;
  char    *start_method;
  gint64   limit;
  int      workers;
  int      exit_status;
} Options;

static void
on_activate (GtkApplication *app,
             Options        *options)
{
  PrimeWindow *window = prime_window_new (app);
  SelfTestMode mode;

  if (options->self_test != NULL && self_test_parse_mode (options->self_test, &mode))
    self_test_run (window, mode, options->limit, options->workers, options->screenshot,
                   &options->exit_status);
  else
    prime_window_set_job (window, options->limit, options->workers);
  gtk_window_present (GTK_WINDOW (window));
}

static gboolean
parse_options (Options  *options,
               int      *argc,
               char   ***argv,
               GError  **error)
{
  const GOptionEntry entries[] = {
    { "limit", 'n', 0, G_OPTION_ARG_INT64, &options->limit,
      "Count the primes below N (default 10000000)", "N" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &options->workers,
      "Number of worker processes (default 4)", "W" },
    { "start-method", 0, 0, G_OPTION_ARG_STRING, &options->start_method,
      "How workers are started: forkserver (default) or fork", "METHOD" },
    { "self-test", 0, 0, G_OPTION_ARG_STRING, &options->self_test,
      "Drive the window and check: complete, cancel or responsive", "MODE" },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &options->screenshot,
      "With --self-test: render the window into this PNG file", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— count primes in worker processes");
  SelfTestMode mode;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (options->self_test != NULL && !self_test_parse_mode (options->self_test, &mode))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Unknown self-test “%s”", options->self_test);
      return FALSE;
    }
  if (options->start_method == NULL)
    options->start_method = g_strdup ("forkserver");
  if (g_strcmp0 (options->start_method, "fork") != 0 &&
      g_strcmp0 (options->start_method, "forkserver") != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Unknown start method “%s”", options->start_method);
      return FALSE;
    }
  options->workers = CLAMP (options->workers, 1, 16);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  Options options = { .limit = 10000000, .workers = 4 };
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  if (!parse_options (&options, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }

  /* First, before GTK exists: the fork server. It is forked now, while this process has one
   * thread and a small heap, and every worker is then made by it. A worker is still our own
   * child (its pidfd, exit code and notifications are ours), but it is a copy of this early,
   * single-threaded process, not of the GTK application with its threads and their locks. */
  if (g_strcmp0 (options.start_method, "forkserver") == 0 &&
      (!g_process_start_fork_server (&error) ||
       !g_process_set_start_method (G_PROCESS_START_METHOD_FORKSERVER, &error)))
    {
      fprintf (stderr, "Cannot start the fork server: %s\n", error->message);
      return 1;
    }

  /* Then GTK: gtk_init() runs in GApplication::startup, inside g_application_run(). */
  app = gtk_application_new ("org.gprocess.PrimeCounter", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), &options);
  g_application_run (G_APPLICATION (app), 1, argv);

  g_free (options.self_test);
  g_free (options.screenshot);
  g_free (options.start_method);
  return options.exit_status;
}
