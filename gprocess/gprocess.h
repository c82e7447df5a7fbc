/* gprocess.h: the one header to include
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define GPROCESS_INSIDE
# include "gprocess-version.h"
# include "gprocess-version-macros.h"
# include "gprocess-types.h"
# include "gprocess-enums.h"
# include "gprocess-object.h"
# include "gprocess-lifecycle.h"
# include "gprocess-introspect.h"
# include "gprocess-start-method.h"
# include "gprocess-pool.h"
#undef GPROCESS_INSIDE
