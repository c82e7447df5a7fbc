/* gprocess-private.h: library-internal declarations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL void _g_process_init_i18n (void);

G_END_DECLS
