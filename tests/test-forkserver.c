/* test-forkserver.c: start methods: the fork server's children are the application's own,
 * what crosses to them, the server's life, the threads and memory stories
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include "test-util.h"

static gboolean under_valgrind;

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                   */

/* The fork server of this process: its child named gprocess-fsrv, or 0 */
static pid_t
find_server (pid_t app)
{
  GDir *dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  pid_t found = 0;

  g_assert_nonnull (dir);
  while (found == 0 && (entry = g_dir_read_name (dir)) != NULL)
    {
      char *path, *contents = NULL, *comm_end;
      int ppid;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", entry);
      if (g_file_get_contents (path, &contents, NULL, NULL) &&
          (comm_end = strrchr (contents, ')')) != NULL &&
          sscanf (comm_end + 2, "%*c %d", &ppid) == 1 && ppid == app &&
          strstr (contents, "(gprocess-fsrv)") != NULL)
        found = atoi (entry);
      g_free (contents);
      g_free (path);
    }
  g_dir_close (dir);
  return found;
}

/* The warm children of this process's server: its children named gprocess-warm */
static int
find_warm (pid_t  app,
           pid_t *pids,
           int    max)
{
  GDir *dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  int n = 0;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      char *path, *contents = NULL, *comm_end;
      int ppid;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", entry);
      if (g_file_get_contents (path, &contents, NULL, NULL) &&
          (comm_end = strrchr (contents, ')')) != NULL &&
          sscanf (comm_end + 2, "%*c %d", &ppid) == 1 && ppid == app &&
          strstr (contents, "(gprocess-warm)") != NULL && n < max)
        pids[n++] = atoi (entry);
      g_free (contents);
      g_free (path);
    }
  g_dir_close (dir);
  return n;
}

/* VmRSS of a process, in KiB */
static long
rss_kib (pid_t pid)
{
  char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  char *contents = NULL;
  const char *line;
  long kib = -1;

  if (g_file_get_contents (path, &contents, NULL, NULL) &&
      (line = strstr (contents, "VmRSS:")) != NULL)
    kib = atol (line + 6);
  g_free (contents);
  g_free (path);
  return kib;
}

static GProcessObject *
new_served (GProcessTargetFunc target,
            gpointer           data)
{
  GProcessObject *p = g_process_object_new_with_target (target, data, NULL);

  g_process_object_set_start_method (p, G_PROCESS_START_METHOD_FORKSERVER);
  return p;
}

static GProcessObject *
start_served (GProcessTargetFunc target,
              gpointer           data)
{
  GProcessObject *p = new_served (target, data);
  GError *error = NULL;

  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  return p;
}

/* A child reports through the first descriptor passed to it (g_process_object_set_fds()) */
static GProcessObject *
start_served_reporting (GProcessTargetFunc target,
                        gpointer           data,
                        Report            *r)
{
  GProcessObject *p = new_served (target, data);
  GError *error = NULL;

  g_process_object_set_fds (p, &r->write_fd, 1);
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  return p;
}

static void G_GNUC_PRINTF (1, 2)
child_report (const char *format,
              ...)
{
  gsize n_fds;
  const int *fds = g_process_object_get_fds (g_process_get_current (), &n_fds);
  va_list args;
  char *line;

  if (n_fds < 1)
    g_process_exit (90);
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  if (write (fds[0], line, strlen (line)) != (ssize_t) strlen (line))
    g_process_exit (91);
  g_free (line);
}

/* ---------------------------------------------------------------------------------------- */
/* The children are the application's                                                        */

static void
target_report_parent (GProcessObject *process,
                      gpointer        user_data)
{
  GProcessObject *parent = g_process_get_parent ();

  child_report ("%d %d %d %s", (int) getppid (), (int) g_process_object_get_pid (parent),
                (int) g_process_object_get_parent_pid (process),
                g_process_object_get_name (process));
  g_process_exit (GPOINTER_TO_INT (user_data));
}

static void
test_children_are_the_applications (void)
{
  GProcessObject *p;
  GList *active;
  char *out, *expected, *name;
  Report r;

  report_open (&r);
  p = start_served_reporting (target_report_parent, GINT_TO_POINTER (7), &r);
  name = g_process_object_dup_name (p);
  g_process_object_set_name (p, "renamed-after-start");  /* the child has the name at start */
  /* Our own child: waitid() sees it, as for a fork child */
  wait_exited_unreaped (g_process_object_get_pid (p));
  g_assert_true (has_child (g_process_object_get_pid (p)));
  active = g_process_get_active_children ();
  g_assert_cmpuint (g_list_length (active), ==, 0);  /* it ended: reaped by the listing */
  g_list_free_full (active, g_object_unref);
  g_assert_false (has_child (g_process_object_get_pid (p)));
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 7);

  out = report_read (&r);
  expected = g_strdup_printf ("%d %d %d %s", (int) getpid (), (int) getpid (), (int) getpid (), name);
  g_assert_cmpstr (out, ==, expected);
  g_free (expected);
  g_free (name);
  g_free (out);
  g_object_unref (p);
  report_close (&r);
}

static void
test_server_is_no_child_object (void)
{
  GProcessObject *p = start_served (target_sleep_forever, NULL);
  GList *active = g_process_get_active_children ();
  pid_t server = find_server (getpid ());

  g_assert_cmpint (server, >, 0);
  g_assert_cmpuint (g_list_length (active), ==, 1);
  g_assert_true (active->data == p);
  g_list_free_full (active, g_object_unref);
  kill_and_join (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, -SIGKILL);
  g_object_unref (p);
}

static void
test_signals_and_sentinel (void)
{
  GProcessObject *p = start_served (target_sleep_forever, NULL);
  struct pollfd pfd = { g_process_object_get_sentinel (p), POLLIN, 0 };

  g_assert_cmpint (pfd.fd, >=, 0);
  g_assert_true (g_process_object_is_alive (p));
  g_assert_cmpint (poll (&pfd, 1, 0), ==, 0);
  g_process_object_terminate (p);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, -SIGTERM);
  g_assert_false (g_process_object_is_alive (p));
  g_object_unref (p);
}

static void
test_child_may_start_children (void)
{
  GProcessObject *p = start_served (target_start_child, NULL);

  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 100);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* What crosses                                                                              */

static GVariant *
make_args (void)
{
  static const guint8 blob[] = { 0, 1, 2, 255 };
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "text", g_variant_new_string ("héllo"));
  g_variant_builder_add (&b, "{sv}", "blob",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, blob, sizeof blob, 1));
  g_variant_builder_add (&b, "{sv}", "nested", g_variant_new ("(ia(sd))", -5, NULL));
  return g_variant_builder_end (&b);
}

static void
target_check_args (GProcessObject *process,
                   gpointer        user_data)
{
  GVariant *expected = g_variant_ref_sink (make_args ());
  GVariant *args = g_process_object_get_args (g_process_get_current ());

  g_process_exit (args != NULL && g_variant_equal (args, expected) ? 0 : 1);
}

static void
test_args_round_trip (void)
{
  for (int method = 0; method < 2; method++)
    {
      GProcessObject *p = g_process_object_new_with_target (target_check_args, NULL, NULL);
      GVariant *args = make_args ();
      GError *error = NULL;

      g_assert_true (g_variant_is_floating (args));
      g_process_object_set_start_method (p, method);
      g_process_object_set_args (p, args);
      g_assert_false (g_variant_is_floating (args));  /* sunk */
      g_assert_true (g_process_object_get_args (p) == args);
      g_assert_true (g_process_object_start (p, &error));
      g_assert_no_error (error);
      join_ok (p);
      g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
      g_object_unref (p);
    }
}

static void
target_big_args (GProcessObject *process,
                 gpointer        user_data)
{
  GVariant *args = g_process_object_get_args (g_process_get_current ());
  gsize len = 0;
  const char *s = args != NULL ? g_variant_get_string (args, &len) : NULL;

  g_process_exit (s != NULL && len == 1000000 && s[0] == 'a' && s[len - 1] == 'z' ? 0 : 1);
}

/* A request larger than one message travels in a memfd */
static void
test_args_large (void)
{
  GProcessObject *p = new_served (target_big_args, NULL);
  char *s = g_malloc (1000001);
  GError *error = NULL;

  memset (s, 'a', 1000000);
  s[999999] = 'z';
  s[1000000] = '\0';
  g_process_object_set_args (p, g_variant_new_take_string (s));
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_object_unref (p);
}

/* A subclass registered before the server started */
typedef struct
{
  GProcessObject parent_instance;
  int count;
  char *label;
  GObject *not_crossing;
  /* One of each kind the payload's table converts */
  GIOErrorEnum kind;
  GFileQueryInfoFlags flags;
  gint8 letter;
  float ratio;
  guint64 big;
} TestWorker;
typedef GProcessObjectClass TestWorkerClass;

GType test_worker_get_type (void);

G_DEFINE_TYPE (TestWorker, test_worker, G_PROCESS_TYPE_OBJECT)

enum { WORKER_PROP_0, WORKER_PROP_COUNT, WORKER_PROP_LABEL, WORKER_PROP_NOT_CROSSING,
       WORKER_PROP_KIND, WORKER_PROP_FLAGS, WORKER_PROP_LETTER, WORKER_PROP_RATIO, WORKER_PROP_BIG };

static void
test_worker_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  TestWorker *self = (TestWorker *) object;

  switch (id)
    {
    case WORKER_PROP_COUNT: g_value_set_int (value, self->count); break;
    case WORKER_PROP_LABEL: g_value_set_string (value, self->label); break;
    case WORKER_PROP_NOT_CROSSING: g_value_set_object (value, self->not_crossing); break;
    case WORKER_PROP_KIND: g_value_set_enum (value, self->kind); break;
    case WORKER_PROP_FLAGS: g_value_set_flags (value, self->flags); break;
    case WORKER_PROP_LETTER: g_value_set_schar (value, self->letter); break;
    case WORKER_PROP_RATIO: g_value_set_float (value, self->ratio); break;
    case WORKER_PROP_BIG: g_value_set_uint64 (value, self->big); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
test_worker_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  TestWorker *self = (TestWorker *) object;

  switch (id)
    {
    case WORKER_PROP_COUNT: self->count = g_value_get_int (value); break;
    case WORKER_PROP_LABEL: g_free (self->label); self->label = g_value_dup_string (value); break;
    case WORKER_PROP_NOT_CROSSING: g_set_object (&self->not_crossing, g_value_get_object (value)); break;
    case WORKER_PROP_KIND: self->kind = g_value_get_enum (value); break;
    case WORKER_PROP_FLAGS: self->flags = g_value_get_flags (value); break;
    case WORKER_PROP_LETTER: self->letter = g_value_get_schar (value); break;
    case WORKER_PROP_RATIO: self->ratio = g_value_get_float (value); break;
    case WORKER_PROP_BIG: self->big = g_value_get_uint64 (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
test_worker_finalize (GObject *object)
{
  TestWorker *self = (TestWorker *) object;

  g_free (self->label);
  g_clear_object (&self->not_crossing);
  G_OBJECT_CLASS (test_worker_parent_class)->finalize (object);
}

static void
test_worker_run (GProcessObject *process)
{
  TestWorker *self = (TestWorker *) process;

  child_report ("%s %d %s %s %d %d %d %c %.2f %" G_GUINT64_FORMAT, G_OBJECT_TYPE_NAME (process),
                self->count, self->label, self->not_crossing == NULL ? "none" : "object",
                (GProcessObject *) self == g_process_get_current (), (int) self->kind,
                (int) self->flags, self->letter, self->ratio, self->big);
}

static void
test_worker_class_init (TestWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_worker_get_property;
  object_class->set_property = test_worker_set_property;
  object_class->finalize = test_worker_finalize;
  klass->run = test_worker_run;
  g_object_class_install_property (object_class, WORKER_PROP_COUNT,
    g_param_spec_int ("count", NULL, NULL, 0, 100, 0, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, WORKER_PROP_LABEL,
    g_param_spec_string ("label", NULL, NULL, "default", G_PARAM_READWRITE));
  g_object_class_install_property (object_class, WORKER_PROP_NOT_CROSSING,
    g_param_spec_object ("not-crossing", NULL, NULL, G_TYPE_OBJECT, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, WORKER_PROP_KIND,
    g_param_spec_enum ("kind", NULL, NULL, G_TYPE_IO_ERROR_ENUM, G_IO_ERROR_FAILED,
                       G_PARAM_READWRITE));
  g_object_class_install_property (object_class, WORKER_PROP_FLAGS,
    g_param_spec_flags ("flags", NULL, NULL, G_TYPE_FILE_QUERY_INFO_FLAGS, 0, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, WORKER_PROP_LETTER,
    g_param_spec_char ("letter", NULL, NULL, G_MININT8, G_MAXINT8, 'a', G_PARAM_READWRITE));
  g_object_class_install_property (object_class, WORKER_PROP_RATIO,
    g_param_spec_float ("ratio", NULL, NULL, -10, 10, 0, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, WORKER_PROP_BIG,
    g_param_spec_uint64 ("big", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READWRITE));
}

static void
test_worker_init (TestWorker *self)
{
  self->label = g_strdup ("default");
  self->kind = G_IO_ERROR_FAILED;
  self->letter = 'a';
}

static void
test_subclass_properties_cross (void)
{
  GProcessObject *p;
  GObject *o = g_object_new (G_TYPE_OBJECT, NULL);
  GError *error = NULL;
  Report r;
  char *out;

  report_open (&r);
  p = g_object_new (test_worker_get_type (), "count", 42, "label", "the label",
                    "not-crossing", o, "kind", G_IO_ERROR_TIMED_OUT,
                    "flags", G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, "letter", 'z', "ratio", 2.5f,
                    "big", G_GUINT64_CONSTANT (18000000000000000000),
                    "start-method", G_PROCESS_START_METHOD_FORKSERVER, NULL);
  g_process_object_set_fds (p, &r.write_fd, 1);
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  out = report_read (&r);
  g_assert_cmpstr (out, ==, "TestWorker 42 the label none 1 24 1 z 2.50 18000000000000000000");
  g_free (out);
  g_object_unref (p);
  g_object_unref (o);
  report_close (&r);
}

/* Open descriptors below the limit: valgrind keeps its own above the limit it reports */
static int
count_usable_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct rlimit limit;
  struct dirent *e;
  int n = 0;

  g_assert_no_errno (getrlimit (RLIMIT_NOFILE, &limit));
  while ((e = readdir (dir)) != NULL)
    if (e->d_name[0] != '.' && atoi (e->d_name) != dirfd (dir) &&
        (rlim_t) atoi (e->d_name) < limit.rlim_cur)
      n++;
  closedir (dir);
  return n;
}

static void
target_count_fds (GProcessObject *process,
                  gpointer        user_data)
{
  struct stat st;
  char c;

  /* stdin is /dev/null; the caller's other descriptors are not here */
  if (fstat (STDIN_FILENO, &st) != 0 || !S_ISCHR (st.st_mode) ||
      major (st.st_rdev) != 1 || minor (st.st_rdev) != 3 || read (STDIN_FILENO, &c, 1) != 0)
    g_process_exit (2);
  child_report ("%d", count_usable_fds ());
}

static void
test_only_passed_fds_cross (void)
{
  int stray = open ("/dev/zero", O_RDONLY);  /* not close-on-exec: a fork child would have it */
  GProcessObject *p;
  Report r;
  char *out;
  int expected;

  g_assert_cmpint (stray, >=, 0);
  report_open (&r);
  p = start_served_reporting (target_count_fds, NULL, &r);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  out = report_read (&r);
  /* 0, 1, 2, the report, the library's socket for the child's result (as a fork child has
   * it); in the pipe fallback also the sentinel's write end */
  expected = g_strcmp0 (g_getenv ("GPROCESS_NO_PIDFD"), "1") == 0 || under_valgrind ? 6 : 5;
  g_assert_cmpint (atoi (out), ==, expected);
  g_free (out);
  g_object_unref (p);
  report_close (&r);
  close (stray);
}

static void
target_print (GProcessObject *process,
              gpointer        user_data)
{
  printf ("from the child\n");
  fprintf (stderr, "child stderr\n");
}

static void
test_stdout_is_the_callers_subprocess (void)
{
  GProcessObject *p = start_served (target_print, NULL);

  join_ok (p);
  g_object_unref (p);
}

static void
test_stdout_is_the_callers (void)
{
  g_test_trap_subprocess ("/gprocess/forkserver/crosses/stdout/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("from the child\n");
  g_test_trap_assert_stderr ("*child stderr\n*");  /* valgrind may add its own lines */
}

/* ---------------------------------------------------------------------------------------- */
/* What does not cross                                                                       */

static void
test_untransferable_target (void)
{
  /* Code that did not exist in the server: an address in the heap (never called) */
  gpointer heap = g_malloc (64);
  GProcessObject *p = new_served ((GProcessTargetFunc) (void (*) (void)) heap, NULL);
  GError *error = NULL;

  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE);
  g_assert_nonnull (strstr (error->message, "target"));
  g_assert_nonnull (strstr (error->message, "args"));
  g_assert_nonnull (strstr (error->message, "fork start method"));
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_INITIAL);
  g_assert_cmpint (g_process_object_get_pid (p), ==, 0);
  g_clear_error (&error);
  g_object_unref (p);
  g_free (heap);
}

/* Sends back the string its user data points to */
static void
target_return_string (GProcessObject *process,
                      gpointer        user_data)
{
  g_process_set_result (g_variant_new_string (user_data));
}

/* Sends back its user data as a number */
static void
target_return_number (GProcessObject *process,
                      gpointer        user_data)
{
  g_process_set_result (g_variant_new_int32 (GPOINTER_TO_INT (user_data)));
}

static GVariant *
served_result (GProcessTargetFunc target,
               gpointer           data)
{
  GProcessObject *p = start_served (target, data);
  GVariant *v;

  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  v = g_process_object_get_result (p, NULL);
  g_assert_nonnull (v);
  g_object_unref (p);
  return v;
}

static void
assert_stale_data_refused (gpointer data)
{
  GProcessObject *p = new_served (target_return_string, data);
  GError *error = NULL;

  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE);
  g_assert_nonnull (strstr (error->message, "user data"));
  g_assert_nonnull (strstr (error->message, "g_process_start_fork_server()"));
  g_assert_nonnull (strstr (error->message, "args"));
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_INITIAL);
  g_clear_error (&error);
  g_object_unref (p);
}

static char changed_later[32] = "as the server has it";

/* In a process of its own, so that the server starts here */
static void
test_untransferable_user_data_subprocess (void)
{
  char *before = g_strdup ("allocated before the server started");
  char *after;
  GVariant *v;

  g_assert_true (g_process_start_fork_server (NULL));
  after = g_strdup ("allocated after the server started");

  /* What the server has crosses: heap data made before it, static data, a number */
  v = served_result (target_return_string, before);
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "allocated before the server started");
  g_variant_unref (v);
  v = served_result (target_return_string, changed_later);
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "as the server has it");
  g_variant_unref (v);
  v = served_result (target_return_number, GINT_TO_POINTER (7));
  g_assert_cmpint (g_variant_get_int32 (v), ==, 7);
  g_variant_unref (v);

  /* What the served child would read as garbage, or as it was: refused at start() */
  assert_stale_data_refused (after);
  g_strlcpy (changed_later, "changed since", sizeof changed_later);
  assert_stale_data_refused (changed_later);

  g_free (after);
  g_free (before);
}

/* The defect (issue 20, item 1): a target's user data that the application allocated (or
 * changed) after the server started was read as garbage by the served child, which exited 0
 * with no result. start() refuses it. */
static void
test_untransferable_user_data (void)
{
  g_test_summary ("start() with the fork server refuses a user data pointer whose memory the "
                  "server does not have as the application has it (allocated or changed after "
                  "the server started), with NOT_TRANSFERABLE; data made before, static data "
                  "and numbers cross");
  g_test_trap_subprocess ("/gprocess/forkserver/refuses/untransferable-user-data/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_untransferable_type (void)
{
  GType late = g_type_register_static_simple (test_worker_get_type (), "TestLateWorker",
                                              sizeof (TestWorkerClass), NULL,
                                              sizeof (TestWorker), NULL, 0);
  GProcessObject *p = g_object_new (late, "start-method", G_PROCESS_START_METHOD_FORKSERVER, NULL);
  GError *error = NULL;

  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE);
  g_assert_nonnull (strstr (error->message, "TestLateWorker"));
  g_assert_nonnull (strstr (error->message, "g_type_ensure"));
  g_clear_error (&error);
  /* With fork it starts */
  g_process_object_set_start_method (p, G_PROCESS_START_METHOD_FORK);
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  join_ok (p);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* The start method                                                                          */

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(int *) user_data)++;
}

static void
test_start_method_default (void)
{
  GProcessObject *before, *after;
  GError *error = NULL;
  int notified = 0;

  g_assert_cmpint (g_process_get_start_method (), ==, G_PROCESS_START_METHOD_FORK);
  before = g_process_object_new ();
  g_assert_true (g_process_set_start_method (G_PROCESS_START_METHOD_FORKSERVER, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_process_get_start_method (), ==, G_PROCESS_START_METHOD_FORKSERVER);
  after = g_process_object_new ();
  g_assert_cmpint (g_process_object_get_start_method (before), ==, G_PROCESS_START_METHOD_FORK);
  g_assert_cmpint (g_process_object_get_start_method (after), ==, G_PROCESS_START_METHOD_FORKSERVER);
  g_assert_true (g_process_set_start_method (G_PROCESS_START_METHOD_FORK, &error));

  g_signal_connect (before, "notify::start-method", G_CALLBACK (count_notify), &notified);
  g_process_object_set_start_method (before, G_PROCESS_START_METHOD_FORK);
  g_assert_cmpint (notified, ==, 0);
  g_object_set (before, "start-method", G_PROCESS_START_METHOD_FORKSERVER, NULL);
  g_assert_cmpint (notified, ==, 1);
  g_assert_true (g_process_object_start (before, &error));
  g_assert_no_error (error);
  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*already started*");
  g_process_object_set_start_method (before, G_PROCESS_START_METHOD_FORK);
  g_test_assert_expected_messages ();
  g_assert_cmpint (g_process_object_get_start_method (before), ==, G_PROCESS_START_METHOD_FORKSERVER);
  join_ok (before);
  g_object_unref (before);
  g_object_unref (after);
}

/* ---------------------------------------------------------------------------------------- */
/* Threads                                                                                   */

static GMutex app_mutex;

typedef struct
{
  int locked_fd;   /* the holder writes a byte once it holds app_mutex */
  int never_fd;    /* it then waits here forever (until the test ends) */
} Holder;

static gpointer
hold_mutex (gpointer data)
{
  Holder *h = data;
  char c;

  g_mutex_lock (&app_mutex);
  g_assert_cmpint (write (h->locked_fd, "l", 1), ==, 1);
  while (read (h->never_fd, &c, 1) < 0 && errno == EINTR)
    ;
  g_mutex_unlock (&app_mutex);
  return NULL;
}

static void
target_take_mutex (GProcessObject *process,
                   gpointer        user_data)
{
  g_mutex_lock (&app_mutex);
  g_mutex_unlock (&app_mutex);
}

static void
test_held_mutex_hangs_fork_not_server (void)
{
  int locked[2], never[2];
  Holder h;
  GThread *thread;
  GProcessObject *forked, *served;
  GError *error = NULL;
  char c;

  g_assert_true (g_process_start_fork_server (&error));  /* before the thread, as advised */
  g_assert_no_errno (pipe (locked));
  g_assert_no_errno (pipe (never));
  h.locked_fd = locked[1];
  h.never_fd = never[0];
  thread = g_thread_new ("holder", hold_mutex, &h);
  g_assert_cmpint (read (locked[0], &c, 1), ==, 1);

  served = start_served (target_take_mutex, NULL);
  join_ok (served);
  g_assert_cmpint (g_process_object_get_exit_code (served), ==, 0);

  /* The fork child copies the held mutex: it hangs. Bounded by a timeout, then killed. */
  forked = start_target (target_take_mutex, NULL);
  g_assert_false (g_process_object_join (forked, 300 * 1000, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_true (g_process_object_is_alive (forked));
  kill_and_join (forked);
  g_assert_cmpint (g_process_object_get_exit_code (forked), ==, -SIGKILL);

  close (never[1]);
  g_thread_join (thread);
  close (never[0]);
  close (locked[0]);
  close (locked[1]);
  g_object_unref (served);
  g_object_unref (forked);
}

/* Setting the default starts the server: a thread started afterwards cannot be copied into it */
static void
test_set_start_method_starts_server_subprocess (void)
{
  int locked[2], never[2];
  GProcessObject *p;
  GThread *thread;
  Holder h;
  char c;

  g_assert_cmpint (find_server (getpid ()), ==, 0);
  g_assert_true (g_process_set_start_method (G_PROCESS_START_METHOD_FORKSERVER, NULL));
  g_assert_cmpint (find_server (getpid ()), >, 0);

  g_assert_no_errno (pipe (locked));
  g_assert_no_errno (pipe (never));
  h.locked_fd = locked[1];
  h.never_fd = never[0];
  thread = g_thread_new ("holder", hold_mutex, &h);
  g_assert_cmpint (read (locked[0], &c, 1), ==, 1);

  p = start_target (target_take_mutex, NULL);  /* the default method: the fork server */
  g_assert_cmpint (g_process_object_get_start_method (p), ==, G_PROCESS_START_METHOD_FORKSERVER);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_object_unref (p);
  close (never[1]);
  g_thread_join (thread);
}

static void
test_set_start_method_starts_server (void)
{
  g_test_trap_subprocess ("/gprocess/forkserver/threads/set-start-method-starts-server/subprocess",
                          0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static gpointer
start_server_in_thread (gpointer data)
{
  GError *error = NULL;

  g_assert_true (g_process_start_fork_server (&error));
  g_assert_no_error (error);
  return GINT_TO_POINTER (find_server (getpid ()));
}

/* PR_SET_PDEATHSIG follows the thread that forked: the server must outlive it */
static void
test_server_outlives_starting_thread_subprocess (void)
{
  pid_t server = GPOINTER_TO_INT (g_thread_join (g_thread_new ("starter", start_server_in_thread, NULL)));
  GProcessObject *p;

  g_assert_cmpint (server, >, 0);
  p = start_served (target_exit_with, GINT_TO_POINTER (3));
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 3);
  g_assert_cmpint (find_server (getpid ()), ==, server);
  g_object_unref (p);
}

static void
test_server_outlives_starting_thread (void)
{
  g_test_trap_subprocess ("/gprocess/forkserver/server/outlives-starting-thread/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---------------------------------------------------------------------------------------- */
/* The server's life                                                                         */

static void
test_server_restarts_after_death (void)
{
  GError *error = NULL;
  GProcessObject *p;
  siginfo_t info;
  pid_t server;

  g_assert_true (g_process_start_fork_server (&error));
  g_assert_true (g_process_start_fork_server (&error));  /* idempotent */
  server = find_server (getpid ());
  g_assert_cmpint (server, >, 0);
  kill (server, SIGKILL);
  memset (&info, 0, sizeof info);
  g_assert_no_errno (waitid (P_PID, server, &info, WEXITED | WNOWAIT));

  p = new_served (target_nothing, NULL);
  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "fork server has exited"));
  g_clear_error (&error);
  g_assert_false (has_child (server));  /* the dead server was reaped */
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_INITIAL);

  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_assert_cmpint (find_server (getpid ()), >, 0);
  g_assert_cmpint (find_server (getpid ()), !=, server);
  g_object_unref (p);
}

/* The defect (issue 19, item 8): without pidfds, the application reaped its dead server by
 * bare pid (waitpid (server_pid)). Once somebody else had reaped the server (the
 * application's own waitpid (-1), or SIGCHLD ignored), the pid could be another child's: the
 * start that found the server dead then waited for that child forever, or took its status.
 * The pids are controlled in a pid namespace of the test's own (root only): the dead
 * server's pid is given to a new child of the application. */
static void
recycled_server_pid_app (gboolean warm_child)
{
  char last_pid[16];
  GError *error = NULL;
  GProcessObject *p;
  siginfo_t info;
  pid_t server, warm = 0, recycled, stranger;
  int go[2], fd, status = 0;
  char byte;

  alarm (under_valgrind ? 120 : 20);  /* the defect waits for the stranger forever */
  g_process_set_fork_server_warm_children (warm_child ? 1 : 0);
  g_assert_true (g_process_start_fork_server (&error));
  g_assert_no_error (error);
  server = find_server (getpid ());
  g_assert_cmpint (server, >, 1);
  if (warm_child)
    {
      g_assert_cmpint (find_warm (getpid (), &warm, 1), ==, 1);
      /* The application reaps the dead warm child itself, as a waitpid (-1) would */
      kill (warm, SIGKILL);
      g_assert_cmpint (waitpid (warm, &status, 0), ==, warm);
    }

  /* The application reaps the dead server itself, as a waitpid (-1) would */
  kill (server, SIGKILL);
  g_assert_cmpint (waitpid (server, &status, 0), ==, server);

  /* A new child of the application gets the pid of the server, or of the warm child */
  recycled = warm_child ? warm : server;
  g_assert_no_errno (pipe2 (go, O_CLOEXEC));
  g_snprintf (last_pid, sizeof last_pid, "%d", (int) recycled - 1);
  fd = open ("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
  g_assert_no_errno (fd);
  g_assert_cmpint (write (fd, last_pid, strlen (last_pid)), ==, (gssize) strlen (last_pid));
  close (fd);
  stranger = fork ();
  g_assert_cmpint (stranger, >=, 0);
  if (stranger == 0)
    {
      close (go[1]);
      _exit (read (go[0], &byte, 1) == 0 ? 42 : 1);
    }
  close (go[0]);
  g_assert_cmpint (stranger, ==, recycled);

  /* The start finds the server gone; the stranger is neither waited for nor reaped */
  p = new_served (target_nothing, NULL);
  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED);
  g_clear_error (&error);
  memset (&info, 0, sizeof info);
  g_assert_no_errno (waitid (P_PID, stranger, &info, WEXITED | WNOHANG | WNOWAIT));
  g_assert_cmpint (info.si_pid, ==, 0);  /* still running, still ours to reap */

  close (go[1]);
  g_assert_cmpint (waitpid (stranger, &status, 0), ==, stranger);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 42);

  /* The next start starts a new server */
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  join_ok (p);
  g_object_unref (p);
}

static void
recycled_pid_in_namespace (gboolean warm_child)
{
  pid_t outer;
  int status = 0;

  /* The namespace is made by a process of its own, which ends with _exit(): after
   * unshare (CLONE_NEWPID) LeakSanitizer's check at exit cannot run */
  outer = fork ();
  g_assert_cmpint (outer, >=, 0);
  if (outer == 0)
    {
      pid_t init;

      if (unshare (CLONE_NEWPID | CLONE_NEWNS) != 0)
        _exit (2);
      init = fork ();
      if (init == 0)
        {
          /* pid 1 of the namespace, with a /proc of the namespace: the library names
           * processes through /proc. The application is its child (pid 1 ignores SIGALRM). */
          pid_t app;

          if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
              mount ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
            _exit (3);
          app = fork ();
          if (app == 0)
            {
              recycled_server_pid_app (warm_child);
              _exit (0);
            }
          if (app < 0 || waitpid (app, &status, 0) != app)
            _exit (4);
          /* 100 + the signal that ended the application: 114 is SIGALRM (it hung) */
          _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 100 + WTERMSIG (status));
        }
      if (init < 0 || waitpid (init, &status, 0) != init)
        _exit (5);
      _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 6);
    }
  g_assert_cmpint (waitpid (outer, &status, 0), ==, outer);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
test_server_not_reaped_by_recycled_pid_subprocess (void)
{
  recycled_pid_in_namespace (FALSE);
}

static void
test_warm_not_reaped_by_recycled_pid_subprocess (void)
{
  recycled_pid_in_namespace (TRUE);
}

/* Whether this test may make a pid namespace of its own (root) */
static gboolean
can_own_pid_namespace (void)
{
  int status = 0;
  pid_t probe;

  probe = fork ();
  g_assert_cmpint (probe, >=, 0);
  if (probe == 0)
    {
      pid_t init;

      if (unshare (CLONE_NEWPID | CLONE_NEWNS) != 0)
        _exit (1);
      init = fork ();
      if (init == 0)
        _exit (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0 &&
               mount ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0 &&
               access ("/proc/sys/kernel/ns_last_pid", W_OK) == 0 ? 0 : 1);
      _exit (init > 0 && waitpid (init, &status, 0) == init && WIFEXITED (status) ?
             WEXITSTATUS (status) : 1);
    }
  g_assert_cmpint (waitpid (probe, &status, 0), ==, probe);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* The same for a warm child that died and was reaped by the application before the server
 * died: the start that finds the server gone reaped the warm children it knew by bare pid. */
static void
test_warm_not_reaped_by_recycled_pid (void)
{
  g_test_summary ("A dead warm child whose pid was given to another child of the application "
                  "is not waited for by that pid when the server is found gone");
  if (!can_own_pid_namespace ())
    {
      g_test_skip ("needs a pid namespace and ns_last_pid (root)");
      return;
    }
  g_test_trap_subprocess ("/gprocess/forkserver/warm/not-reaped-by-recycled-pid/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_server_not_reaped_by_recycled_pid (void)
{
  g_test_summary ("A dead fork server whose pid was given to another child of the application "
                  "is not waited for by that pid: the start fails at once, and the other child "
                  "stays the application's to reap");
  if (!can_own_pid_namespace ())
    {
      g_test_skip ("needs a pid namespace and ns_last_pid (root)");
      return;
    }
  g_test_trap_subprocess ("/gprocess/forkserver/server/not-reaped-by-recycled-pid/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
on_alarm (int signum)
{
}

/* An application (an intermediate process) is SIGKILLed: its server is gone within 1 s. The
 * test process is a subreaper, so that the orphaned server becomes its child and can be
 * waited for with a bounded wait. */
static void
test_server_dies_with_killed_app_subprocess (void)
{
  struct sigaction sa;
  struct itimerval limit = { { 0, 0 }, { under_valgrind ? 10 : 1, 0 } };
  int fds[2];
  pid_t app, server = 0;
  pid_t warm[8];
  int n_warm = 0;
  siginfo_t info;
  int status;

  g_assert_no_errno (prctl (PR_SET_CHILD_SUBREAPER, 1));
  g_assert_no_errno (pipe (fds));
  app = fork ();
  g_assert_cmpint (app, >=, 0);
  if (app == 0)
    {
      GProcessObject *p;

      /* The app's threads do not matter: it starts the server from a thread that lives on */
      g_assert_true (g_process_start_fork_server (NULL));
      server = find_server (getpid ());
      /* The warm children made with the server; the first is used just below */
      n_warm = find_warm (getpid (), warm, G_N_ELEMENTS (warm));
      p = start_served (target_sleep_forever, NULL);  /* a live child, for good measure */
      g_assert_true (g_process_object_is_alive (p));
      for (int i = 0; i < n_warm; i++)
        if (warm[i] == g_process_object_get_pid (p))
          warm[i] = warm[--n_warm];
      if (write (fds[1], &server, sizeof server) != sizeof server ||
          write (fds[1], &n_warm, sizeof n_warm) != sizeof n_warm ||
          write (fds[1], warm, sizeof warm) != sizeof warm)
        _exit (1);
      for (;;)
        pause ();
    }
  close (fds[1]);
  g_assert_cmpint (read (fds[0], &server, sizeof server), ==, sizeof server);
  g_assert_cmpint (server, >, 0);
  g_assert_cmpint (read (fds[0], &n_warm, sizeof n_warm), ==, sizeof n_warm);
  g_assert_cmpint (read (fds[0], warm, sizeof warm), ==, sizeof warm);
  g_assert_cmpint (n_warm, ==, MAX ((int) g_process_get_fork_server_warm_children () - 1, 0));
  kill (app, SIGKILL);
  g_assert_cmpint (waitpid (app, &status, 0), ==, app);

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;  /* no SA_RESTART: the wait below is interrupted */
  sigaction (SIGALRM, &sa, NULL);
  setitimer (ITIMER_REAL, &limit, NULL);
  memset (&info, 0, sizeof info);
  g_assert_no_errno (waitid (P_PID, server, &info, WEXITED));
  g_assert_cmpint (info.si_pid, ==, server);
  /* and its warm children, orphaned too */
  for (int i = 0; i < n_warm; i++)
    {
      memset (&info, 0, sizeof info);
      g_assert_no_errno (waitid (P_PID, warm[i], &info, WEXITED));
      g_assert_cmpint (info.si_pid, ==, warm[i]);
    }
}

static void
test_server_dies_with_killed_app (void)
{
  g_test_trap_subprocess ("/gprocess/forkserver/server/dies-with-killed-app/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static int
count_sockets (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *entry;
  int n = 0;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      char *path = g_strdup_printf ("/proc/self/fd/%s", entry);
      char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:"))
        n++;
      g_free (target);
      g_free (path);
    }
  g_dir_close (dir);
  return n;
}

static void
target_report_ppid (GProcessObject *process,
                    gpointer        user_data)
{
  child_report ("%d", (int) getppid ());
}

/* A plain fork() of the application has no connection to its parent's server: it starts its
 * own, whose children are its children. */
static void
test_plain_fork_has_no_connection (void)
{
  GError *error = NULL;
  int sockets_before;
  pid_t pid;
  int status;

  g_assert_true (g_process_start_fork_server (&error));
  sockets_before = count_sockets ();
  g_assert_cmpint (sockets_before, >=, 1);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      GProcessObject *p;
      Report r;
      char *out;

      /* The server's connection is gone (and any other library socket, such as the
       * channel of results, which the copy makes anew when it needs one) */
      if (count_sockets () > sockets_before - 1)
        _exit (10);
      report_open (&r);
      p = start_served_reporting (target_report_ppid, NULL, &r);
      join_ok (p);
      out = report_read (&r);
      /* (Not its exit code: under valgrind, a third generation reports the first one's
       * children tables, which gprocess-tree.c keeps for one generation only, as lost.) */
      status = atoi (out) == getpid () ? 0 : 11;
      g_free (out);
      g_object_unref (p);
      report_close (&r);
      _exit (status);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Memory                                                                                    */

static void
target_report_rss (GProcessObject *process,
                   gpointer        user_data)
{
  child_report ("%d %ld", (int) getppid (), rss_kib (getpid ()));
}

/* The parent grows to 512 MiB: the server and its children stay small, and the children are
 * still the parent's (structure, not time: the benchmarks time it). */
static void
test_big_parent_small_children (void)
{
  const gsize size = 512 * 1024 * 1024;
  GError *error = NULL;
  GProcessObject *p;
  char *heap, *out;
  long child_rss;
  int ppid;
  Report r;

  if (under_valgrind)
    {
      g_test_skip ("512 MiB touched under valgrind takes minutes and twice the memory");
      return;
    }
  g_assert_true (g_process_start_fork_server (&error));
  heap = g_malloc (size);
  memset (heap, 1, size);
  g_assert_cmpint (rss_kib (getpid ()), >, 512 * 1024);

  report_open (&r);
  p = start_served_reporting (target_report_rss, NULL, &r);
  join_ok (p);
  out = report_read (&r);
  g_assert_cmpint (sscanf (out, "%d %ld", &ppid, &child_rss), ==, 2);
  g_assert_cmpint (ppid, ==, getpid ());
  g_assert_cmpint (child_rss, <, 64 * 1024);
  g_assert_cmpint (rss_kib (find_server (getpid ())), <, 64 * 1024);
  g_free (out);
  g_free (heap);
  g_object_unref (p);
  report_close (&r);
}

/* ---------------------------------------------------------------------------------------- */
/* The lifecycle of a served child: what a fork child has from its object, it has too        */

static void
target_set_result (GProcessObject *process,
                   gpointer        user_data)
{
  g_process_set_result (g_variant_new ("(si)", "served", 42));
}

static void
target_set_error (GProcessObject *process,
                  gpointer        user_data)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "nothing served");

  g_process_set_error (error);
  g_error_free (error);
  g_process_exit (3);
}

static void
target_set_error_and_return (GProcessObject *process,
                             gpointer        user_data)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "returned served");

  g_process_set_error (error);
  g_error_free (error);
}

/* Ignores SIGTERM, says so through the passed descriptor, and waits for a signal */
static void
target_ignore_term_and_wait (GProcessObject *process,
                             gpointer        user_data)
{
  signal (SIGTERM, SIG_IGN);
  child_report ("r");
  for (;;)
    pause ();
}

static void
test_served_child_delivers_result_and_error (void)
{
  GProcessObject *p = start_served (target_set_result, NULL);
  GError *error = NULL;
  GVariant *value;

  join_ok (p);
  value = g_process_object_get_result (p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_assert_cmpstr (g_variant_get_type_string (value), ==, "(si)");
  {
    const char *s;
    int n;

    g_variant_get (value, "(&si)", &s, &n);
    g_assert_cmpstr (s, ==, "served");
    g_assert_cmpint (n, ==, 42);
  }
  g_variant_unref (value);
  g_object_unref (p);

  p = start_served (target_set_error, NULL);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 3);
  g_assert_null (g_process_object_get_result (p, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "nothing served");
  g_clear_error (&error);
  g_object_unref (p);

  /* Returning from run() after an error ends with 1 (issue 20, item 7) */
  p = start_served (target_set_error_and_return, NULL);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 1);
  g_assert_null (g_process_object_get_result (p, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_object_unref (p);
}

/* stop() on a served child that ignores SIGTERM: it is killed after the grace period */
static void
test_served_child_stops (void)
{
  GProcessObject *p = new_served (target_ignore_term_and_wait, NULL);
  GError *error = NULL;
  gint64 user_us, system_us, rss;
  struct pollfd pfd;
  Report r;
  char c;

  report_open (&r);
  g_process_object_set_fds (p, &r.write_fd, 1);
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  pfd.fd = r.read_fd;
  pfd.events = POLLIN;
  g_assert_cmpint (poll (&pfd, 1, -1), ==, 1);   /* SIGTERM is ignored from now on */
  g_assert_cmpint (read (r.read_fd, &c, 1), ==, 1);
  g_assert_true (g_process_object_stop (p, 100 * G_TIME_SPAN_MILLISECOND, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, -SIGKILL);
  g_assert_true (g_process_object_get_usage (p, &user_us, &system_us, &rss));
  g_assert_cmpint (rss, >, 0);
  report_close (&r);
  g_object_unref (p);
}

static void
target_report_pgid (GProcessObject *process,
                    gpointer        user_data)
{
  child_report ("%d %d", (int) getpgid (0), (int) getpid ());
}

static void
test_served_child_leads_its_group (void)
{
  GProcessObject *p = new_served (target_report_pgid, NULL);
  GError *error = NULL;
  Report r;
  char *out;
  int pgid = 0, pid = 0;

  report_open (&r);
  g_process_object_set_process_group (p, TRUE);
  g_process_object_set_fds (p, &r.write_fd, 1);
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  join_ok (p);
  out = report_read (&r);
  g_assert_cmpint (sscanf (out, "%d %d", &pgid, &pid), ==, 2);
  g_assert_cmpint (pid, ==, g_process_object_get_pid (p));
  g_assert_cmpint (pgid, ==, pid);
  g_free (out);
  report_close (&r);
  g_object_unref (p);
}


/* ---------------------------------------------------------------------------------------- */
/* Warm children                                                                             */

static void
target_report_warm (GProcessObject *process,
                    gpointer        user_data)
{
  child_report ("%d %d %d", (int) getpid (), (int) getppid (), (int) getpgid (0));
}

/* The server has its warm children when g_process_start_fork_server() returns; a start takes
 * one of them, and the child is a served child like any other: the application's, leading
 * its group, with its parent-death signal and the descriptors it was passed */
static void
test_warm_start_uses_warm_child_subprocess (void)
{
  pid_t warm[8];
  int n;

  g_process_set_fork_server_warm_children (3);
  g_assert_cmpuint (g_process_get_fork_server_warm_children (), ==, 3);
  g_assert_true (g_process_start_fork_server (NULL));
  n = find_warm (getpid (), warm, G_N_ELEMENTS (warm));
  g_assert_cmpint (n, ==, 3);

  for (int round = 0; round < 2; round++)
    {
      GProcessObject *p = new_served (target_report_warm, NULL);
      GError *error = NULL;
      int pid = 0, ppid = 0, pgid = 0;
      gboolean was_warm = FALSE;
      Report r;
      char *out;

      report_open (&r);
      g_process_object_set_process_group (p, TRUE);
      g_process_object_set_fds (p, &r.write_fd, 1);
      g_assert_true (g_process_object_start (p, &error));
      g_assert_no_error (error);
      join_ok (p);
      g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
      out = report_read (&r);
      g_assert_cmpint (sscanf (out, "%d %d %d", &pid, &ppid, &pgid), ==, 3);
      g_assert_cmpint (pid, ==, g_process_object_get_pid (p));
      for (int i = 0; i < n; i++)
        was_warm |= warm[i] == pid;
      g_assert_true (was_warm);
      g_assert_cmpint (ppid, ==, getpid ());
      g_assert_cmpint (pgid, ==, pid);
      g_assert_false (has_child (pid));
      g_free (out);
      report_close (&r);
      g_object_unref (p);
    }
}

static void
test_warm_start_uses_warm_child (void)
{
  g_test_trap_subprocess ("/gprocess/forkserver/warm/start-uses-a-warm-child/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A warm child with a parent-death signal gets it when the application is killed (the test
 * process is a subreaper: the orphan is its child, waited for with a bounded wait) */
static void
test_warm_parent_death_signal_subprocess (void)
{
  struct sigaction sa;
  struct itimerval limit = { { 0, 0 }, { under_valgrind ? 10 : 2, 0 } };
  pid_t app, warm[8], child = 0;
  siginfo_t info;
  int fds[2], status;

  g_assert_no_errno (prctl (PR_SET_CHILD_SUBREAPER, 1));
  g_assert_no_errno (pipe (fds));
  app = fork ();
  g_assert_cmpint (app, >=, 0);
  if (app == 0)
    {
      GProcessObject *p;
      gboolean was_warm = FALSE;
      int n;

      g_process_set_fork_server_warm_children (2);
      g_assert_true (g_process_start_fork_server (NULL));
      n = find_warm (getpid (), warm, G_N_ELEMENTS (warm));
      p = new_served (target_sleep_forever, NULL);
      g_process_object_set_parent_death_signal (p, SIGTERM);
      g_assert_true (g_process_object_start (p, NULL));
      child = g_process_object_get_pid (p);
      for (int i = 0; i < n; i++)
        was_warm |= warm[i] == child;
      if (!was_warm || write (fds[1], &child, sizeof child) != sizeof child)
        _exit (1);
      for (;;)
        pause ();
    }
  close (fds[1]);
  g_assert_cmpint (read (fds[0], &child, sizeof child), ==, sizeof child);
  g_assert_cmpint (child, >, 0);
  kill (app, SIGKILL);
  g_assert_cmpint (waitpid (app, &status, 0), ==, app);

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;  /* no SA_RESTART: the wait below is interrupted */
  sigaction (SIGALRM, &sa, NULL);
  setitimer (ITIMER_REAL, &limit, NULL);
  memset (&info, 0, sizeof info);
  g_assert_no_errno (waitid (P_PID, child, &info, WEXITED));
  g_assert_cmpint (info.si_code, ==, CLD_KILLED);
  g_assert_cmpint (info.si_status, ==, SIGTERM);
}

static void
test_warm_parent_death_signal (void)
{
  g_test_trap_subprocess ("/gprocess/forkserver/warm/parent-death-signal/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* 0 turns them off */
static void
test_warm_none_when_zero_subprocess (void)
{
  GProcessObject *p;
  pid_t warm[8];

  g_process_set_fork_server_warm_children (0);
  g_assert_cmpuint (g_process_get_fork_server_warm_children (), ==, 0);
  g_assert_true (g_process_start_fork_server (NULL));
  g_assert_cmpint (find_warm (getpid (), warm, G_N_ELEMENTS (warm)), ==, 0);
  p = start_served (target_exit_with, GINT_TO_POINTER (7));
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 7);
  g_object_unref (p);
  g_assert_cmpint (find_warm (getpid (), warm, G_N_ELEMENTS (warm)), ==, 0);
  g_assert_false (has_any_child () && find_server (getpid ()) == 0);
}

static void
test_warm_none_when_zero (void)
{
  g_test_trap_subprocess ("/gprocess/forkserver/warm/none-when-zero/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The server is killed: its warm children end, and the application reaps them (no zombie)
 * when it finds the server gone */
static void
test_warm_die_with_server_subprocess (void)
{
  GError *error = NULL;
  GProcessObject *p;
  pid_t warm[8], server;
  int n;

  g_process_set_fork_server_warm_children (2);
  g_assert_true (g_process_start_fork_server (NULL));
  n = find_warm (getpid (), warm, G_N_ELEMENTS (warm));
  g_assert_cmpint (n, ==, 2);
  server = find_server (getpid ());
  g_assert_cmpint (server, >, 0);
  kill (server, SIGKILL);
  wait_exited_unreaped (server);

  p = new_served (target_nothing, NULL);
  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED);
  g_clear_error (&error);
  for (int i = 0; i < n; i++)
    g_assert_false (has_child (warm[i]));
  g_assert_false (has_any_child ());

  /* A new server, with new warm children */
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  join_ok (p);
  g_object_unref (p);
}

static void
test_warm_die_with_server (void)
{
  g_test_trap_subprocess ("/gprocess/forkserver/warm/die-with-server/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Warm children killed while they wait: the start goes to a new child, and the dead ones are
 * reaped (through the pidfds the application holds) */
static void
test_warm_killed_warm_child_subprocess (void)
{
  GProcessObject *p;
  pid_t warm[8];
  int n;

  g_process_set_fork_server_warm_children (2);
  g_assert_true (g_process_start_fork_server (NULL));
  n = find_warm (getpid (), warm, G_N_ELEMENTS (warm));
  g_assert_cmpint (n, ==, 2);
  for (int i = 0; i < n; i++)
    {
      kill (warm[i], SIGKILL);
      wait_exited_unreaped (warm[i]);
    }

  p = start_served (target_exit_with, GINT_TO_POINTER (3));
  for (int i = 0; i < n; i++)
    g_assert_cmpint (g_process_object_get_pid (p), !=, warm[i]);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 3);
  for (int i = 0; i < n; i++)
    g_assert_false (has_child (warm[i]));
  g_object_unref (p);
}

static void
test_warm_killed_warm_child (void)
{
  g_test_trap_subprocess ("/gprocess/forkserver/warm/killed-warm-child/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}


int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  under_valgrind = g_getenv ("GPROCESS_TEST_VALGRIND") != NULL;

  /* The subclass exists before the server, as the chapter advises */
  g_type_ensure (test_worker_get_type ());

  g_test_add_func ("/gprocess/forkserver/children/are-the-applications", test_children_are_the_applications);
  g_test_add_func ("/gprocess/forkserver/children/server-is-no-child-object", test_server_is_no_child_object);
  g_test_add_func ("/gprocess/forkserver/children/signals-and-sentinel", test_signals_and_sentinel);
  g_test_add_func ("/gprocess/forkserver/children/may-start-children", test_child_may_start_children);
  g_test_add_func ("/gprocess/forkserver/crosses/args-round-trip", test_args_round_trip);
  g_test_add_func ("/gprocess/forkserver/crosses/large-args", test_args_large);
  g_test_add_func ("/gprocess/forkserver/crosses/subclass-properties", test_subclass_properties_cross);
  g_test_add_func ("/gprocess/forkserver/crosses/only-passed-fds", test_only_passed_fds_cross);
  g_test_add_func ("/gprocess/forkserver/crosses/stdout", test_stdout_is_the_callers);
  g_test_add_func ("/gprocess/forkserver/crosses/stdout/subprocess", test_stdout_is_the_callers_subprocess);
  g_test_add_func ("/gprocess/forkserver/refuses/untransferable-target", test_untransferable_target);
  g_test_add_func ("/gprocess/forkserver/refuses/untransferable-type", test_untransferable_type);
  g_test_add_func ("/gprocess/forkserver/refuses/untransferable-user-data", test_untransferable_user_data);
  g_test_add_func ("/gprocess/forkserver/refuses/untransferable-user-data/subprocess", test_untransferable_user_data_subprocess);
  g_test_add_func ("/gprocess/forkserver/method/default-and-property", test_start_method_default);
  g_test_add_func ("/gprocess/forkserver/threads/held-mutex-hangs-fork-not-server", test_held_mutex_hangs_fork_not_server);
  g_test_add_func ("/gprocess/forkserver/threads/set-start-method-starts-server", test_set_start_method_starts_server);
  g_test_add_func ("/gprocess/forkserver/threads/set-start-method-starts-server/subprocess", test_set_start_method_starts_server_subprocess);
  g_test_add_func ("/gprocess/forkserver/server/outlives-starting-thread", test_server_outlives_starting_thread);
  g_test_add_func ("/gprocess/forkserver/server/outlives-starting-thread/subprocess", test_server_outlives_starting_thread_subprocess);
  g_test_add_func ("/gprocess/forkserver/server/restarts-after-death", test_server_restarts_after_death);
  g_test_add_func ("/gprocess/forkserver/server/not-reaped-by-recycled-pid", test_server_not_reaped_by_recycled_pid);
  g_test_add_func ("/gprocess/forkserver/server/not-reaped-by-recycled-pid/subprocess", test_server_not_reaped_by_recycled_pid_subprocess);
  g_test_add_func ("/gprocess/forkserver/warm/not-reaped-by-recycled-pid", test_warm_not_reaped_by_recycled_pid);
  g_test_add_func ("/gprocess/forkserver/warm/not-reaped-by-recycled-pid/subprocess", test_warm_not_reaped_by_recycled_pid_subprocess);
  g_test_add_func ("/gprocess/forkserver/server/dies-with-killed-app", test_server_dies_with_killed_app);
  g_test_add_func ("/gprocess/forkserver/server/dies-with-killed-app/subprocess", test_server_dies_with_killed_app_subprocess);
  g_test_add_func ("/gprocess/forkserver/server/plain-fork-has-no-connection", test_plain_fork_has_no_connection);
  g_test_add_func ("/gprocess/forkserver/memory/big-parent-small-children", test_big_parent_small_children);
  g_test_add_func ("/gprocess/forkserver/lifecycle/result-and-error", test_served_child_delivers_result_and_error);
  g_test_add_func ("/gprocess/forkserver/lifecycle/stop", test_served_child_stops);
  g_test_add_func ("/gprocess/forkserver/lifecycle/process-group", test_served_child_leads_its_group);
  g_test_add_func ("/gprocess/forkserver/warm/start-uses-a-warm-child", test_warm_start_uses_warm_child);
  g_test_add_func ("/gprocess/forkserver/warm/start-uses-a-warm-child/subprocess", test_warm_start_uses_warm_child_subprocess);
  g_test_add_func ("/gprocess/forkserver/warm/parent-death-signal", test_warm_parent_death_signal);
  g_test_add_func ("/gprocess/forkserver/warm/parent-death-signal/subprocess", test_warm_parent_death_signal_subprocess);
  g_test_add_func ("/gprocess/forkserver/warm/none-when-zero", test_warm_none_when_zero);
  g_test_add_func ("/gprocess/forkserver/warm/none-when-zero/subprocess", test_warm_none_when_zero_subprocess);
  g_test_add_func ("/gprocess/forkserver/warm/die-with-server", test_warm_die_with_server);
  g_test_add_func ("/gprocess/forkserver/warm/die-with-server/subprocess", test_warm_die_with_server_subprocess);
  g_test_add_func ("/gprocess/forkserver/warm/killed-warm-child", test_warm_killed_warm_child);
  g_test_add_func ("/gprocess/forkserver/warm/killed-warm-child/subprocess", test_warm_killed_warm_child_subprocess);

  return g_test_run ();
}
