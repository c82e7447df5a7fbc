/* test-i18n.c: the library's messages in the user's language
 *
 * Run with LANGUAGE=de|fr|es|zh_CN and a UTF-8 locale for LC_ALL; PO_BUILD_DIR points at the
 * catalogues built in the build tree.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <libintl.h>
#include <locale.h>

#include "test-util.h"

static const struct { const char *language; const char *not_started; } expected[] = {
  { "de", "Nur auf einen gestarteten Prozess kann gewartet werden" },
  { "fr", "Seul un processus démarré peut être attendu" },
  { "es", "Solo se puede esperar a un proceso iniciado" },
  { "zh_CN", "只能等待已启动的进程" },
};

static void
test_library_binds_its_domain (void)
{
  GProcessObject *p = g_process_object_new ();  /* class initialisation binds the domain */

  g_assert_cmpstr (bindtextdomain (GETTEXT_PACKAGE, NULL), ==, LOCALEDIR);
  g_object_unref (p);
}

static void
test_error_message_translated (void)
{
  const char *language = g_getenv ("LANGUAGE");
  GProcessObject *p = g_process_object_new ();
  GError *error = NULL;
  const char *want = NULL;

  /* Point the domain at the catalogues of the build tree */
  bindtextdomain (GETTEXT_PACKAGE, PO_BUILD_DIR);
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    if (g_strcmp0 (language, expected[i].language) == 0)
      want = expected[i].not_started;
  g_assert_nonnull (want);

  g_assert_false (g_process_object_join (p, -1, NULL, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED);
  g_assert_cmpstr (error->message, ==, want);
  g_clear_error (&error);
  g_object_unref (p);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/i18n/binds-its-domain", test_library_binds_its_domain);
  g_test_add_func ("/gprocess/i18n/error-message", test_error_message_translated);

  return g_test_run ();
}
