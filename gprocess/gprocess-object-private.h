/* gprocess-object-private.h: the private structure of GProcessObject, shared by the files
 * that each own one part of it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/resource.h>

#include "gprocess-object.h"
#include "gprocess-start-method.h"
#include "gprocess-private.h"
#include "gprocess-fds-private.h"
#include "gprocess-reaper-private.h"
#include "gprocess-tree-private.h"
#include "gprocess-lifecycle-private.h"
#include "gprocess-result-private.h"

G_BEGIN_DECLS

/* The properties of GProcessObject; the files that own a part of the object notify theirs with
 * _g_process_object_notify_by_id() */
typedef enum
{
  PROP_0,
  PROP_NAME,
  PROP_DAEMON,
  PROP_PID,
  PROP_EXIT_CODE,
  PROP_AUTHKEY,
  PROP_SENTINEL,
  PROP_STATE,
  PROP_PARENT_DEATH_SIGNAL,
  PROP_PROCESS_GROUP,
  PROP_START_METHOD,
  PROP_ARGS,
  N_PROPS
} GProcessObjectProp;

/* The state machine of an ordinary (PROCESS_KIND_CHILD) object:
 *
 *   INITIAL --start()--> STARTED --end observed (reaped)--> STOPPED --close()--> CLOSED
 *      `------------------------------------ close() ------------------------------^
 *
 * While start() runs, `starting` is TRUE and the state is still INITIAL: a second start(),
 * close(), set_daemon() and set_target() are refused meanwhile.
 *
 * Invariants, in the process that created the object (asserted in finalize where they can be):
 *  - pid != 0 once start() succeeded, and stays after the end;
 *  - exit_code != G_PROCESS_EXIT_CODE_NONE <=> the end was observed, exactly once (the code is
 *    G_PROCESS_EXIT_CODE_UNKNOWN when somebody else collected the status and the kernel kept
 *    none);
 *  - link.listed (on the children list, which owns a reference) <=> started (or starting) and
 *    its end not yet observed;
 *  - reaper.serial != 0 once started: the key of the start in the children table and in the
 *    start()-context's reaper;
 *  - sentinel.fd is open from start() until close() or finalize, and only in the process
 *    recorded in sentinel.owner: a forked child's copy of the object does not own it.
 *
 * MAIN and PARENT objects stand for the current process and, in a child, for the process that
 * started it; they are never started.
 */
typedef enum
{
  PROCESS_KIND_CHILD,   /* an ordinary object: a child of the process that created it */
  PROCESS_KIND_MAIN,    /* "MainProcess": the current process when it is not a GProcess child */
  PROCESS_KIND_PARENT,  /* in a child: stands for the process that started it */
} ProcessKind;

typedef struct
{
  /* Fixed at construction */
  ProcessKind kind;
  pid_t creator_pid;               /* 0 for MAIN and PARENT objects */
  char *identity;                  /* "3:1": the counters that name it */

  GProcessTargetFunc target;       /* (lock process_lock) */
  gpointer target_data;            /* (lock process_lock) */
  GDestroyNotify target_destroy;   /* (lock process_lock) */
  char *name;                      /* (lock process_lock) valid UTF-8 */
  GBytes *authkey;                 /* (lock process_lock) wiped when freed */
  GPtrArray *old_names;            /* (lock process_lock) names and keys replaced while a */
  GPtrArray *old_authkeys;         /* getter's caller may still read them: freed at finalize */
  gboolean daemon;                 /* (lock process_lock) */
  GProcessState state;             /* (lock process_lock) */
  gboolean starting;               /* (lock process_lock) */
  GPid pid;                        /* (lock process_lock) */
  int exit_code;                   /* (lock process_lock) */
  struct rusage usage;             /* (lock process_lock) collected with the status */

  GProcessSentinel sentinel;       /* owned by gprocess-fds.c */
  GProcessReaperEntry reaper;      /* owned by gprocess-reaper.c */
  GProcessTreeLink link;           /* owned by gprocess-tree.c */
  GProcessLifecycle lifecycle;     /* owned by gprocess-lifecycle.c */
  GProcessResultSlot result;       /* owned by gprocess-result.c */

  /* Start methods (gprocess-forkserver.c) */
  GProcessStartMethod start_method; /* (lock process_lock) */
  GVariant *args;                  /* (lock process_lock) */
  GPtrArray *old_args;             /* (lock process_lock) replaced while a getter's caller may
                                    * still read them: freed at finalize */
  int *fds;                        /* (lock process_lock) descriptors passed to the child */
  GPtrArray *old_fds;              /* (lock process_lock) arrays get_fds() may have handed out
                                    * before set_fds() replaced them: freed at finalize */
  gsize n_fds;                     /* (lock process_lock) */

  /* Handed from the thread that observed the end to its notification step */
  GProcessObject *next_ended;

  /* A child's identity and default name when they fit: no allocation per object (each one is
   * a fault after a fork; see gprocess-tree.c) */
  char identity_inline[24];
  char name_inline[40];
  /* The creator's key, borrowed without a reference (it lives as long as the current process
   * object, i.e. for good): a reference is one more page written per object */
  GBytes *authkey_borrowed;
} GProcessObjectPrivate;

/* GProcessObject's base, in gprocess-core.c: every file reaches the object through these,
 * not through the class's file (which uses every file). The type is registered when the
 * library is loaded, so that these are set before any object exists. */
G_GNUC_INTERNAL extern GType _g_process_object_type;
G_GNUC_INTERNAL extern gint _g_process_object_private_offset;
G_GNUC_INTERNAL extern GParamSpec *_g_process_object_pspecs[N_PROPS];
/* Set while the library constructs a MAIN or PARENT object in this thread
 * (_g_process_object_new_for_kind()) */
G_GNUC_INTERNAL extern __thread ProcessKind _g_process_constructing_kind
  __attribute__ ((tls_model ("initial-exec")));

#undef G_PROCESS_TYPE_OBJECT
#define G_PROCESS_TYPE_OBJECT (_g_process_object_type)
#define G_PROCESS_OBJECT(ptr) \
  (G_TYPE_CHECK_INSTANCE_CAST ((ptr), _g_process_object_type, GProcessObject))
#define G_PROCESS_IS_OBJECT(ptr) (G_TYPE_CHECK_INSTANCE_TYPE ((ptr), _g_process_object_type))
#define G_PROCESS_OBJECT_GET_CLASS(ptr) \
  (G_TYPE_INSTANCE_GET_CLASS ((ptr), _g_process_object_type, GProcessObjectClass))

/* The collector (gprocess-wait.c), for the files below it */
typedef gboolean (* GProcessTryReapFunc) (GProcessObject *self);
G_GNUC_INTERNAL void     _g_process_set_collector (GProcessTryReapFunc try_reap);
G_GNUC_INTERNAL gboolean _g_process_try_reap      (GProcessObject *self);

static inline GProcessObjectPrivate *
_g_process_object_get_private (GProcessObject *self)
{
  return G_STRUCT_MEMBER_P (self, _g_process_object_private_offset);
}

G_GNUC_INTERNAL GProcessObject *_g_process_object_new_for_kind      (ProcessKind kind);
G_GNUC_INTERNAL gboolean _g_process_object_is_own_child             (GProcessObject *self);
G_GNUC_INTERNAL gboolean _g_process_object_configurable_locked      (GProcessObject *self);
G_GNUC_INTERNAL void     _g_process_object_notify_ended             (GProcessObject *ended);
G_GNUC_INTERNAL void     _g_process_object_notify_state             (GProcessObject *self);
G_GNUC_INTERNAL void     _g_process_object_notify_started           (GProcessObject *self);
G_GNUC_INTERNAL char    *_g_process_escape_name                     (const char *name);
G_GNUC_INTERNAL char    *_g_process_exit_code_to_string             (int         code);
G_GNUC_INTERNAL const char *_g_process_object_status_word_locked    (GProcessObject *self,
                                                                     gboolean        current);
G_GNUC_INTERNAL void     _g_process_object_notify_by_id             (GProcessObject    *self,
                                                                     GProcessObjectProp prop);
G_GNUC_INTERNAL GBytes  *_g_process_authkey_new_random              (void);
G_GNUC_INTERNAL gboolean _g_process_start_check_locked              (GProcessObject  *self,
                                                                     GError         **error);
G_GNUC_INTERNAL void     _g_process_tree_name_new_child             (GProcessObjectPrivate *priv,
                                                                     const char *creator_identity,
                                                                     int         count);

G_END_DECLS
