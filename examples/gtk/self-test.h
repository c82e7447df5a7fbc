/* self-test.h: the application drives itself, for the headless tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "prime-window.h"

G_BEGIN_DECLS

typedef enum
{
  SELF_TEST_COMPLETE,    /* run a job to the end; the sum of the results must be right */
  SELF_TEST_CANCEL,      /* cancel a running job; no child, zombie or descriptor may be left */
  SELF_TEST_RESPONSIVE,  /* while the workers burn CPU, the 16 ms timeout keeps firing */
} SelfTestMode;

gboolean self_test_parse_mode (const char   *name,
                               SelfTestMode *mode);
void     self_test_run        (PrimeWindow  *window,
                               SelfTestMode  mode,
                               guint64       limit,
                               guint         n_workers,
                               const char   *screenshot,
                               int          *exit_status);

G_END_DECLS
