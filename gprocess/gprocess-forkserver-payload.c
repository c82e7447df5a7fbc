/* gprocess-forkserver-payload.c: what crosses to a fork-server child, and the object rebuilt
 * from it there
 *
 * The application serializes, with the lock held, one block (PayloadHeader): the object's
 * name, identity (the counters that name its children), daemon flag, authentication key,
 * args, the start method, and the subclass properties that cross (readable and writable,
 * of a fundamental type, a string, a GVariant, a GStrv or a GBytes; read before the lock is
 * taken, since their getters are user code). The child makes a new object of the same type
 * from it, with the target's address and data that travelled in the request's header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-forkserver-private.h"

#define get_priv _g_process_object_get_private


/* ---------------------------------------------------------------------------------------- */
/* Subclass properties: the values that cross                                               */

/* The scalar types that cross, each as the GValue type it travels as (GLib transforms both
 * ways between the two) and that type's GVariant: one table for both directions */
static const struct
{
  GType fundamental;
  GType wire;
} scalars[] = {
  { G_TYPE_BOOLEAN, G_TYPE_BOOLEAN },
  { G_TYPE_CHAR, G_TYPE_INT }, { G_TYPE_INT, G_TYPE_INT }, { G_TYPE_ENUM, G_TYPE_INT },
  { G_TYPE_UCHAR, G_TYPE_UINT }, { G_TYPE_UINT, G_TYPE_UINT }, { G_TYPE_FLAGS, G_TYPE_UINT },
  { G_TYPE_LONG, G_TYPE_INT64 }, { G_TYPE_INT64, G_TYPE_INT64 },
  { G_TYPE_ULONG, G_TYPE_UINT64 }, { G_TYPE_UINT64, G_TYPE_UINT64 },
  { G_TYPE_FLOAT, G_TYPE_DOUBLE }, { G_TYPE_DOUBLE, G_TYPE_DOUBLE },
};

/* The wire type of a scalar @type, or 0 */
static GType
scalar_wire (GType type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (scalars); i++)
    if (scalars[i].fundamental == G_TYPE_FUNDAMENTAL (type))
      return scalars[i].wire;
  return 0;
}

/* A wire value as a (floating) GVariant */
static GVariant *
wire_to_variant (const GValue *wire)
{
  switch (G_VALUE_TYPE (wire))
    {
    case G_TYPE_BOOLEAN: return g_variant_new_boolean (g_value_get_boolean (wire));
    case G_TYPE_INT:     return g_variant_new_int32 (g_value_get_int (wire));
    case G_TYPE_UINT:    return g_variant_new_uint32 (g_value_get_uint (wire));
    case G_TYPE_INT64:   return g_variant_new_int64 (g_value_get_int64 (wire));
    case G_TYPE_UINT64:  return g_variant_new_uint64 (g_value_get_uint64 (wire));
    default:             return g_variant_new_double (g_value_get_double (wire));
    }
}

/* A property's value as it crosses, or NULL for a type that does not */
static GVariant *
value_to_variant (const GValue *value)
{
  GType type = G_VALUE_TYPE (value);
  GType wire_type = scalar_wire (type);

  if (wire_type != 0)
    {
      GValue wire = G_VALUE_INIT;
      GVariant *v;

      g_value_init (&wire, wire_type);
      g_value_transform (value, &wire);
      v = wire_to_variant (&wire);
      g_value_unset (&wire);
      return v;
    }
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_STRING:
      {
        const char *s = g_value_get_string (value);

        if (s != NULL && !g_utf8_validate (s, -1, NULL))
          return NULL;
        return g_variant_new_maybe (G_VARIANT_TYPE_STRING, s ? g_variant_new_string (s) : NULL);
      }
    case G_TYPE_VARIANT:
      {
        GVariant *v = g_value_get_variant (value);

        return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, v ? g_variant_new_variant (v) : NULL);
      }
    case G_TYPE_BOXED:
      if (type == G_TYPE_STRV)
        {
          const char * const *strv = g_value_get_boxed (value);

          return g_variant_new_maybe (G_VARIANT_TYPE_STRING_ARRAY,
                                      strv ? g_variant_new_strv (strv, -1) : NULL);
        }
      if (type == G_TYPE_BYTES)
        {
          GBytes *bytes = g_value_get_boxed (value);

          return g_variant_new_maybe (G_VARIANT_TYPE_BYTESTRING,
                                      bytes ? g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING,
                                                                        bytes, TRUE) : NULL);
        }
      return NULL;
    default:
      return NULL;
    }
}

/* The reverse, in the child: FALSE if @v does not fit @pspec */
static gboolean
variant_to_value (GVariant   *v,
                  GParamSpec *pspec,
                  GValue     *value)
{
  GType type = pspec->value_type;
  GType wire_type = scalar_wire (type);
  GVariant *inner;

  g_value_init (value, type);
  if (wire_type != 0)
    {
      GValue wire = G_VALUE_INIT;
      GVariant *expected;
      gboolean fits;

      g_value_init (&wire, wire_type);
      expected = g_variant_ref_sink (wire_to_variant (&wire));   /* its type: the wire's */
      fits = g_variant_is_of_type (v, g_variant_get_type (expected));
      g_variant_unref (expected);
      if (fits)
        {
          switch (wire_type)
            {
            case G_TYPE_BOOLEAN: g_value_set_boolean (&wire, g_variant_get_boolean (v)); break;
            case G_TYPE_INT:     g_value_set_int (&wire, g_variant_get_int32 (v)); break;
            case G_TYPE_UINT:    g_value_set_uint (&wire, g_variant_get_uint32 (v)); break;
            case G_TYPE_INT64:   g_value_set_int64 (&wire, g_variant_get_int64 (v)); break;
            case G_TYPE_UINT64:  g_value_set_uint64 (&wire, g_variant_get_uint64 (v)); break;
            default:             g_value_set_double (&wire, g_variant_get_double (v)); break;
            }
          g_value_transform (&wire, value);
        }
      g_value_unset (&wire);
      return fits;
    }

  if (!g_variant_is_of_type (v, G_VARIANT_TYPE_MAYBE))
    return FALSE;
  inner = g_variant_get_maybe (v);
  if (type == G_TYPE_STRING && g_variant_is_of_type (v, G_VARIANT_TYPE ("ms")))
    g_value_set_string (value, inner ? g_variant_get_string (inner, NULL) : NULL);
  else if (type == G_TYPE_VARIANT && g_variant_is_of_type (v, G_VARIANT_TYPE ("mv")))
    g_value_take_variant (value, inner ? g_variant_get_variant (inner) : NULL);
  else if (type == G_TYPE_STRV && g_variant_is_of_type (v, G_VARIANT_TYPE ("mas")))
    g_value_take_boxed (value, inner ? g_variant_dup_strv (inner, NULL) : NULL);
  else if (type == G_TYPE_BYTES && g_variant_is_of_type (v, G_VARIANT_TYPE ("may")))
    g_value_take_boxed (value, inner ? g_variant_get_data_as_bytes (inner) : NULL);
  else
    {
      g_clear_pointer (&inner, g_variant_unref);
      return FALSE;
    }
  g_clear_pointer (&inner, g_variant_unref);
  return TRUE;
}

/* Outside the lock (the getters are user code): the readable and writable properties that
 * subclasses added, of the types that cross; NULL for a plain GProcessObject */
GVariant *
_g_process_forkserver_collect (GProcessObject *self)
{
  GVariantBuilder builder;
  GParamSpec **pspecs;
  guint n_pspecs;

  if (G_OBJECT_TYPE (self) == G_PROCESS_TYPE_OBJECT)
    return NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];
      GValue value = G_VALUE_INIT;
      GVariant *v;

      if (g_type_is_a (G_PROCESS_TYPE_OBJECT, pspec->owner_type) ||
          (pspec->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE)
        continue;
      g_value_init (&value, pspec->value_type);
      g_object_get_property (G_OBJECT (self), pspec->name, &value);
      v = value_to_variant (&value);
      if (v != NULL)
        g_variant_builder_add (&builder, "{sv}", pspec->name, v);
      g_value_unset (&value);
    }
  g_free (pspecs);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* The payload: this header, then the name and the identity (each with its NUL), the key,
 * the args' type string (with its NUL), then at 8-byte aligned offsets the serialized args
 * and the serialized properties (a{sv}). A plain layout rather than one GVariant: the child
 * of a plain object then runs no GVariant code at all (each code page a child touches first
 * is one more page fault). */
typedef struct
{
  guint32 name_len;
  guint32 identity_len;
  guint32 authkey_len;
  guint32 args_type_len;   /* 0: no args */
  guint32 daemon;
  gint32 start_method;
  guint64 args_size;
  guint64 properties_size; /* 0: none */
} PayloadHeader;

#define ALIGN8(n) (((gsize) (n) + 7) & ~(gsize) 7)

/* With the lock held: everything of @self that crosses, besides the target, in one block */
guint8 *
_g_process_forkserver_payload_new_locked (GProcessObject *self,
                                          GVariant       *properties,
                                          gsize          *size)
{
  GProcessObjectPrivate *priv = get_priv (self);
  PayloadHeader h = { 0 };
  const char *args_type = priv->args != NULL ? g_variant_get_type_string (priv->args) : "";
  gsize key_len = 0;
  const guint8 *key = g_bytes_get_data (priv->authkey, &key_len);
  gsize strings, args_at, properties_at;
  guint8 *block, *p;

  h.name_len = strlen (priv->name);
  h.identity_len = strlen (priv->identity);
  h.authkey_len = key_len;
  h.args_type_len = strlen (args_type);
  h.daemon = priv->daemon;
  h.start_method = priv->start_method;
  h.args_size = priv->args != NULL ? g_variant_get_size (priv->args) : 0;
  h.properties_size = properties != NULL ? g_variant_get_size (properties) : 0;

  strings = sizeof h + h.name_len + 1 + h.identity_len + 1 + key_len + h.args_type_len + 1;
  args_at = ALIGN8 (strings);
  properties_at = ALIGN8 (args_at + h.args_size);
  *size = properties_at + h.properties_size;
  block = g_malloc0 (*size);

  p = block;
  memcpy (p, &h, sizeof h), p += sizeof h;
  memcpy (p, priv->name, h.name_len + 1), p += h.name_len + 1;
  memcpy (p, priv->identity, h.identity_len + 1), p += h.identity_len + 1;
  if (key_len > 0)
    memcpy (p, key, key_len), p += key_len;
  memcpy (p, args_type, h.args_type_len + 1);
  if (priv->args != NULL)
    g_variant_store (priv->args, block + args_at);
  if (properties != NULL)
    g_variant_store (properties, block + properties_at);
  return block;
}

static guint8 *payload_copy;  /* in a child: the memfd's copy, kept for good */

/* Child code: the payload, in the request, or read from its memfd into memory that the
 * args may point into for the rest of the child's life */
static const guint8 *
child_payload (const GProcessForkServerChild *child)
{
  guint8 *data;
  gsize got = 0;

  if (child->payload_fd < 0)
    return child->payload;

  data = g_malloc (MAX (child->payload_size, 1));
  while (got < child->payload_size)
    {
      ssize_t n = pread (child->payload_fd, data + got, child->payload_size - got, got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit (127);  /* the application's request is gone: nothing ran yet */
      got += n;
    }
  close (child->payload_fd);
  payload_copy = data;
  return data;
}

/* Child code: the subclass properties, for g_object_new_with_properties() */
static guint
child_properties (GType        type,
                  GVariant    *properties,
                  const char **names,
                  GValue      *values)
{
  GObjectClass *klass = g_type_class_ref (type);
  GVariantIter iter;
  const char *name;
  GVariant *v;
  guint n = 0;

  g_variant_iter_init (&iter, properties);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &v))
    {
      GParamSpec *pspec = g_object_class_find_property (klass, name);

      if (pspec != NULL && variant_to_value (v, pspec, &values[n]))
        names[n++] = pspec->name;
      else if (G_IS_VALUE (&values[n]))
        g_value_unset (&values[n]);
      g_variant_unref (v);
    }
  g_type_class_unref (klass);
  return n;
}

/* Child code: the payload's fields, while the object is being rebuilt */
typedef struct
{
  PayloadHeader h;
  pid_t app_pid;
  const char *name;
  const char *identity;
  const guint8 *key;
} Rebuild;

static const Rebuild *rebuilding;  /* only ever set in a fork-server child, which has one
                                    * thread when it rebuilds */

/* Child code: a serialized GVariant inside the payload */
static GVariant *
child_variant (const guint8 *data,
               const char   *type,
               gsize         size)
{
  return g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (type), data, size, TRUE,
                                                      NULL, NULL));
}

/* Child code: GProcessObject's init for the object being rebuilt: the name, identity, daemon
 * flag and creator of the request, without computing the defaults first. The key is the
 * current process's, as for any new object; _g_process_forkserver_rebuild() replaces it if
 * the request's differs. */
gboolean
_g_process_forkserver_init_rebuilt (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);
  GProcessObjectPrivate *cpriv;

  if (rebuilding == NULL)
    return FALSE;
  cpriv = get_priv (_g_process_tree_current ());
  priv->creator_pid = rebuilding->app_pid;
  priv->identity = g_strdup (rebuilding->identity);
  priv->name = g_strdup (rebuilding->name);
  priv->daemon = rebuilding->h.daemon;
  priv->start_method = (GProcessStartMethod) rebuilding->h.start_method;
  priv->authkey = cpriv->authkey != NULL ? g_bytes_ref (cpriv->authkey) : NULL;
  return TRUE;
}

/* Child code: the properties' values, for g_object_new_with_properties() */
static GProcessObject *
child_new_object (GType     type,
                  GVariant *properties)
{
  gsize n_children = properties != NULL ? g_variant_n_children (properties) : 0;
  const char **names = g_newa (const char *, n_children + 1);
  GValue *values = g_newa (GValue, n_children + 1);
  GProcessObject *self;
  guint n = 0;

  memset (values, 0, (n_children + 1) * sizeof (GValue));
  if (properties != NULL)
    n = child_properties (type, properties, names, values);
  self = G_PROCESS_OBJECT (g_object_new_with_properties (type, n, names, values));
  for (guint i = 0; i < n; i++)
    g_value_unset (&values[i]);
  return self;
}

/* A plain GProcessObject that the server made when it started: its children take it over
 * rather than construct one, since a child pays a page fault for each page of code it runs
 * first, and constructing an object runs a lot of GObject. */
static GProcessObject *spare;

/* In the server, once */
void
_g_process_forkserver_make_spare (void)
{
  spare = g_object_new (G_PROCESS_TYPE_OBJECT, NULL);   /* as g_process_object_new () */
}

/* Child code: the spare object, with the request's fields, as GProcessObject's init would
 * have set them (see _g_process_forkserver_init_rebuilt()) */
static GProcessObject *
reuse_spare (const Rebuild *r)
{
  GProcessObjectPrivate *priv = get_priv (spare);
  GProcessObject *self = g_steal_pointer (&spare);

  G_LOCK (process_lock);
  priv->creator_pid = r->app_pid;
  /* The spare's default identity and name may sit in its inline buffers (gprocess-tree.c) */
  if (priv->identity != priv->identity_inline)
    g_free (priv->identity);
  priv->identity = g_strdup (r->identity);
  if (priv->name != priv->name_inline)
    g_free (priv->name);
  priv->name = g_strdup (r->name);
  priv->daemon = r->h.daemon;
  priv->start_method = (GProcessStartMethod) r->h.start_method;
  G_UNLOCK (process_lock);
  return self;
}

/* Child code, after the gate: the object, as the application had it at start() */
GProcessObject *
_g_process_forkserver_rebuild (const GProcessForkServerChild *child)
{
  const guint8 *data = child_payload (child);
  GVariant *properties = NULL;
  GProcessObjectPrivate *priv;
  GProcessObject *self;
  const char *args_type;
  gsize args_at;
  Rebuild r;

  memcpy (&r.h, data, sizeof r.h);
  r.app_pid = child->app_pid;
  r.name = (const char *) data + sizeof r.h;
  r.identity = r.name + r.h.name_len + 1;
  r.key = (const guint8 *) r.identity + r.h.identity_len + 1;
  args_type = (const char *) r.key + r.h.authkey_len;
  args_at = ALIGN8 ((const guint8 *) args_type + r.h.args_type_len + 1 - data);
  if (r.h.properties_size > 0)
    properties = child_variant (data + ALIGN8 (args_at + r.h.args_size), "a{sv}",
                                r.h.properties_size);

  if (spare != NULL && child->type == G_PROCESS_TYPE_OBJECT && properties == NULL)
    self = reuse_spare (&r);
  else
    {
      rebuilding = &r;
      self = child_new_object (child->type, properties);
      rebuilding = NULL;
    }
  g_clear_pointer (&properties, g_variant_unref);

  priv = get_priv (self);
  if (priv->authkey == NULL || g_bytes_get_size (priv->authkey) != r.h.authkey_len ||
      memcmp (g_bytes_get_data (priv->authkey, NULL), r.key, r.h.authkey_len) != 0)
    {
      GBytes *authkey = g_bytes_new_static (r.key, r.h.authkey_len);

      g_process_object_set_authkey (self, authkey);
      g_bytes_unref (authkey);
    }

  G_LOCK (process_lock);
  /* The payload (the request's buffer, or the memfd's copy) is never freed in the child */
  if (r.h.args_type_len > 0)
    priv->args = child_variant (data + args_at, args_type, r.h.args_size);
  priv->target = (GProcessTargetFunc) child->target;
  priv->target_data = child->target_data;
  if (child->n_fds > 0)
    {
      priv->fds = g_memdup2 (child->fds, child->n_fds * sizeof (int));
      priv->n_fds = child->n_fds;
    }
  G_UNLOCK (process_lock);
  return self;
}
