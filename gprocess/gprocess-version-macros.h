/* gprocess-version-macros.h: symbol visibility and availability
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (GPROCESS_INSIDE) && !defined (GPROCESS_COMPILATION)
# error "Only <gprocess/gprocess.h> can be included directly."
#endif

#include <glib.h>

#if defined (_WIN32) && !defined (GPROCESS_STATIC_COMPILATION)
# ifdef GPROCESS_COMPILATION
#  define _GPROCESS_EXTERN __declspec(dllexport) extern
# else
#  define _GPROCESS_EXTERN __declspec(dllimport) extern
# endif
#elif defined (__GNUC__)
# define _GPROCESS_EXTERN __attribute__((visibility ("default"))) extern
#else
# define _GPROCESS_EXTERN extern
#endif

/* Every public symbol carries one of these so that only the API leaves the shared object. */
#define GPROCESS_AVAILABLE_IN_ALL _GPROCESS_EXTERN
#define GPROCESS_AVAILABLE_IN_0_1 _GPROCESS_EXTERN
#define GPROCESS_AVAILABLE_IN_0_2 _GPROCESS_EXTERN
#define GPROCESS_AVAILABLE_IN_0_3 _GPROCESS_EXTERN
