/* gprocess-authkey.c: the authentication key of a process object
 *
 * Keys are random by default and inherited by the children a child starts, as in
 * multiprocessing. Their memory is wiped before it is freed, and a replaced key stays alive
 * until finalize because a getter's caller in another thread may still read it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "gprocess.h"
#include "gprocess-object-private.h"

#define AUTHKEY_LENGTH 32
#define get_priv(self) _g_process_object_get_private (self)

/* ---------------------------------------------------------------------------------------- */
/* Authentication keys: never freed without being wiped                                      */

static void
wipe_and_free (gpointer block)
{
  gsize *header = block;

  explicit_bzero (block, sizeof (gsize) + *header);
  g_free (block);
}

/* A GBytes whose memory (ours, not a caller's) is wiped when it is freed */
static GBytes *
authkey_new (const guint8 *data,
             gsize         len)
{
  gsize *block = g_malloc (sizeof (gsize) + MAX (len, 1));

  *block = len;
  if (len > 0)
    memcpy (block + 1, data, len);
  return g_bytes_new_with_free_func (block + 1, len, wipe_and_free, block);
}

static void
fill_random (guint8 *buf,
             gsize   len)
{
  gsize got = 0;

  while (got < len)
    {
      ssize_t r = getrandom (buf + got, len - got, 0);

      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("GProcess: getrandom() failed: %s", g_strerror (errno));
        }
      got += (gsize) r;
    }
}

GBytes *
_g_process_authkey_new_random (void)
{
  guint8 key[AUTHKEY_LENGTH];
  GBytes *bytes;

  fill_random (key, sizeof key);
  bytes = authkey_new (key, sizeof key);
  explicit_bzero (key, sizeof key);
  return bytes;
}


/**
 * g_process_object_get_authkey:
 * @self: a #GProcessObject
 *
 * Gets the authentication key. See #GProcessObject:authkey. The key stays valid as long as
 * @self, even if another thread replaces it meanwhile; g_process_object_dup_authkey() returns
 * a reference.
 *
 * Returns: (transfer none) (nullable): the key; %NULL for g_process_get_parent(), whose key is
 *   not known
 *
 * Since: 0.1
 */
GBytes *
g_process_object_get_authkey (GProcessObject *self)
{
  GBytes *key;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  G_LOCK (process_lock);
  key = get_priv (self)->authkey;
  G_UNLOCK (process_lock);
  return key;
}

/**
 * g_process_object_dup_authkey:
 * @self: a #GProcessObject
 *
 * Gets a reference to the authentication key. See #GProcessObject:authkey.
 *
 * Returns: (transfer full) (nullable): the key; %NULL for g_process_get_parent()
 *
 * Since: 0.2
 */
GBytes *
g_process_object_dup_authkey (GProcessObject *self)
{
  GBytes *key;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  G_LOCK (process_lock);
  key = get_priv (self)->authkey != NULL ? g_bytes_ref (get_priv (self)->authkey) : NULL;
  G_UNLOCK (process_lock);
  return key;
}

/**
 * g_process_object_set_authkey:
 * @self: a #GProcessObject
 * @authkey: (nullable): the new key, or %NULL for a new random one
 *
 * Sets the authentication key. A key set before g_process_object_start() is the child's
 * current key and the default of its children. The object keeps its own copy of the key,
 * which it wipes from memory when it is freed.
 *
 * Since: 0.1
 */
void
g_process_object_set_authkey (GProcessObject *self,
                              GBytes         *authkey)
{
  GProcessObjectPrivate *priv;
  gboolean changed = FALSE;
  GBytes *key;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  priv = get_priv (self);
  if (authkey != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (authkey, &len);

      key = authkey_new (data, len);
    }
  else
    key = _g_process_authkey_new_random ();

  G_LOCK (process_lock);
  if (priv->authkey == NULL || !g_bytes_equal (priv->authkey, key))
    {
      /* Kept until finalize: a get_authkey() caller in another thread may still read it */
      if (priv->authkey != NULL)
        {
          if (priv->old_authkeys == NULL)
            priv->old_authkeys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
          g_ptr_array_add (priv->old_authkeys, priv->authkey);
        }
      priv->authkey = g_steal_pointer (&key);
      changed = TRUE;
    }
  G_UNLOCK (process_lock);

  g_clear_pointer (&key, g_bytes_unref);
  if (changed)
    _g_process_object_notify_by_id (self, PROP_AUTHKEY);
}
