/* gprocess-pool-async.c: the GAsyncResult of a pool's task
 *
 * GTask would do, but GTask's class initialisation starts GLib's worker thread (its thread
 * pool's manager), and GProcessPool promises that it adds no thread to the process. This is
 * the part of GTask the pool needs: the callback runs in the thread-default main context of
 * the submit, never from inside the submit call itself.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "gprocess-pool-private.h"

struct _GProcessPoolAsync
{
  GObject parent_instance;

  GObject *source_object;
  GAsyncReadyCallback callback;
  gpointer user_data;
  gpointer source_tag;
  GMainContext *context;
  GVariant *value;
  GError *error;
  gboolean returned;
};

static void async_result_iface_init (GAsyncResultIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GProcessPoolAsync, _g_process_pool_async, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_RESULT,
                                                      async_result_iface_init))

static gpointer
get_user_data (GAsyncResult *result)
{
  return G_PROCESS_POOL_ASYNC (result)->user_data;
}

static GObject *
get_source_object (GAsyncResult *result)
{
  GProcessPoolAsync *self = G_PROCESS_POOL_ASYNC (result);

  return self->source_object != NULL ? g_object_ref (self->source_object) : NULL;
}

static gboolean
is_tagged (GAsyncResult *result,
           gpointer      source_tag)
{
  return G_PROCESS_POOL_ASYNC (result)->source_tag == source_tag;
}

static void
async_result_iface_init (GAsyncResultIface *iface)
{
  iface->get_user_data = get_user_data;
  iface->get_source_object = get_source_object;
  iface->is_tagged = is_tagged;
}

static void
_g_process_pool_async_finalize (GObject *object)
{
  GProcessPoolAsync *self = G_PROCESS_POOL_ASYNC (object);

  g_clear_object (&self->source_object);
  g_clear_pointer (&self->value, g_variant_unref);
  g_clear_error (&self->error);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (_g_process_pool_async_parent_class)->finalize (object);
}

static void
_g_process_pool_async_class_init (GProcessPoolAsyncClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = _g_process_pool_async_finalize;
}

static void
_g_process_pool_async_init (GProcessPoolAsync *self)
{
}

GProcessPoolAsync *
_g_process_pool_async_new (gpointer            source_object,
                           GAsyncReadyCallback callback,
                           gpointer            user_data,
                           gpointer            source_tag)
{
  GProcessPoolAsync *self = g_object_new (G_PROCESS_TYPE_POOL_ASYNC, NULL);

  self->source_object = source_object != NULL ? g_object_ref (source_object) : NULL;
  self->callback = callback;
  self->user_data = user_data;
  self->source_tag = source_tag;
  self->context = g_main_context_ref_thread_default ();
  return self;
}

static void
invoke (GProcessPoolAsync *self)
{
  if (self->callback != NULL)
    self->callback (self->source_object, G_ASYNC_RESULT (self), self->user_data);
}

static gboolean
invoke_in_idle (gpointer data)
{
  invoke (data);
  return G_SOURCE_REMOVE;
}

/* Takes @value (full) or @error. With @may_call_now, the callback runs at once when the caller
 * is running the task's context (as GTask does); otherwise from an idle source there. */
void
_g_process_pool_async_return (GProcessPoolAsync *self,
                              GVariant          *value,
                              GError            *error,
                              gboolean           may_call_now)
{
  g_return_if_fail (!self->returned);

  self->returned = TRUE;
  self->value = value;
  self->error = error;
  GMainContext *current = g_main_context_get_thread_default ();

  if (current == NULL)
    current = g_main_context_default ();
  if (may_call_now && current == self->context && g_main_context_is_owner (self->context) &&
      g_main_depth () > 0)
    invoke (self);
  else
    {
      GSource *idle = g_idle_source_new ();

      g_source_set_priority (idle, G_PRIORITY_DEFAULT);
      g_source_set_callback (idle, invoke_in_idle, g_object_ref (self), g_object_unref);
      g_source_attach (idle, self->context);
      g_source_unref (idle);
    }
}

GVariant *
_g_process_pool_async_propagate (GAsyncResult  *result,
                                 gpointer       source_object,
                                 gpointer       source_tag,
                                 GError       **error)
{
  GProcessPoolAsync *self;

  g_return_val_if_fail (G_PROCESS_IS_POOL_ASYNC (result), NULL);
  self = G_PROCESS_POOL_ASYNC (result);
  g_return_val_if_fail (self->source_object == source_object, NULL);
  g_return_val_if_fail (self->returned, NULL);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return NULL;
    }
  return self->value != NULL ? g_variant_ref (self->value) : NULL;
}
