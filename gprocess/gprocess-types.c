/* gprocess-types.c: error domain and translation set-up
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-private.h"

/**
 * SECTION:gprocess-types
 * @title: Errors and states
 * @short_description: error domain, life-cycle states and constants
 *
 * Errors reported by GProcess belong to %G_PROCESS_ERROR, except timeouts
 * (%G_IO_ERROR_TIMED_OUT) and cancellation (%G_IO_ERROR_CANCELLED). Messages are translated
 * through the `gprocess-1.0` gettext domain, which the library binds itself.
 */

/**
 * g_process_error_quark:
 *
 * The quark of the %G_PROCESS_ERROR domain.
 *
 * Returns: the error domain's quark
 *
 * Since: 0.1
 */
G_STATIC_ASSERT (G_PROCESS_EXIT_CODE_NONE == G_MININT);

G_DEFINE_QUARK (g-process-error-quark, g_process_error)

void
_g_process_init_i18n (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}
