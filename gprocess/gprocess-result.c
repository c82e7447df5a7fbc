/* gprocess-result.c: a result or an error sent back by a child to its parent
 *
 * In the child, g_process_set_result() and g_process_set_error() only record (the last call
 * wins). When the child ends through g_process_exit() (returning from run() does) or libc
 * exit() (an atexit() handler), the recorded value is written into a sealed memfd, which is
 * passed to the parent with SCM_RIGHTS over the parent's result socket. A child that ends
 * otherwise (killed, crashed, _exit()) delivers nothing, even if it had set a result: a
 * result is only ever the word of a child that finished normally. A child that returns from
 * run() with an error recorded exits with 1 (gprocess-child.c).
 *
 * The parent holds one SOCK_DGRAM socketpair for all its children (created at the first
 * start(), both ends close-on-exec and registered): children inherit the sending end, the
 * parent reads the other. So a running child costs the parent no descriptor for this, whether
 * it sends a result or not. The datagram is queued before the child exits, so when the
 * parent observes an end (_g_process_reap_locked()) it drains the socket: the kernel stamps
 * each datagram with the sender's real pid (SO_PASSCRED), which names the child the message
 * belongs to. The memfd is mapped (or, if the child did not seal it, copied) and closed at
 * once: the parent keeps only the bytes, until the object is finalized.
 *
 * The bytes are untrusted input: g_process_object_get_result() checks the header and the
 * type, and hands out the normal form of the value (g_variant_get_normal_form()), or an error
 * whose domain, code and message come from a "(sis)" tuple.
 *
 * Layout of the memfd: ResultHeader, the type string, padding to 8 bytes, the serialised
 * GVariant.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-result-private.h"
#include "gprocess-wait-private.h"

#define get_priv _g_process_object_get_private

#define RESULT_MAGIC "GPRSLT1"   /* 8 bytes with its nul: the datagram and the memfd start so */

enum
{
  RESULT_KIND_VALUE = 1,
  RESULT_KIND_ERROR = 2,
};

typedef struct
{
  char magic[8];
  guint32 kind;
  guint32 type_len;     /* bytes of the type string that follows (no nul) */
  guint64 data_size;    /* bytes of serialised data, at the next multiple of 8 */
} ResultHeader;

/* In the parent */
static int recv_fd = -1;          /* (lock process_lock) */
static int send_fd = -1;          /* (lock process_lock) what the children inherit */
static GHashTable *received;      /* (lock process_lock) pid → GBytes: messages of children
                                   * whose end is not observed yet */
static GHashTable *volatile inherited_received;  /* a child's copy, kept reachable */

/* In a child of start() */
static int kept_send_fd = -1;     /* between the fork and the bootstrap */
static int child_send_fd = -1;    /* the parent's socket; set before any user code runs */

/* What the child recorded: swapped atomically, so that a child that records nothing takes no
 * lock at its end (g_mutex_lock()'s code page would be one more page fault in every child) */
typedef struct
{
  GVariant *value;
  GError *error;
} ChildRecord;

static ChildRecord *child_record;  /* (atomic) (owned) */
static ChildRecord *volatile inherited_record;  /* a new process's copy of its parent's record,
                                                 * kept reachable, never sent */
static int child_error_recorded;   /* (atomic) the last call recorded an error: returning from
                                    * run() then ends the child with 1 */

/* ---------------------------------------------------------------------------------------- */
/* In the parent                                                                             */

gboolean
_g_process_result_prepare_locked (GError **error)
{
  int fds[2];
  int on = 1;

  if (recv_fd >= 0)
    return TRUE;
  if (socketpair (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int saved_errno = errno;

      _g_process_set_start_error (error, NULL, saved_errno);
      return FALSE;
    }
  _g_process_fds_add_locked (fds[0]);
  _g_process_fds_add_locked (fds[1]);
  /* The kernel stamps every datagram with the sender's pid: a child cannot pose as another */
  setsockopt (fds[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  shutdown (fds[0], SHUT_WR);
  recv_fd = fds[0];
  send_fd = fds[1];
  return TRUE;
}

typedef struct
{
  gpointer addr;
  gsize size;
} Mapping;

static void
mapping_free (gpointer data)
{
  Mapping *m = data;

  munmap (m->addr, m->size);
  g_free (m);
}

/* The bytes of a memfd a child sent: mapped when the child sealed it against writing and
 * shrinking (so the mapping cannot change or fault), copied otherwise. */
static GBytes *
read_message_fd (int fd)
{
  struct stat st;
  int seals;
  const int needed = F_SEAL_WRITE | F_SEAL_SHRINK;

  if (fstat (fd, &st) != 0 || st.st_size < (off_t) sizeof (ResultHeader))
    return NULL;
  seals = fcntl (fd, F_GET_SEALS);
  if (seals >= 0 && (seals & needed) == needed)
    {
      Mapping *m = g_new (Mapping, 1);

      m->size = (gsize) st.st_size;
      m->addr = mmap (NULL, m->size, PROT_READ, MAP_SHARED, fd, 0);
      if (m->addr != MAP_FAILED)
        return g_bytes_new_with_free_func (m->addr, m->size, mapping_free, m);
      g_free (m);
    }
  else
    {
      gsize size = (gsize) st.st_size;
      guint8 *buf = g_try_malloc (size);
      gsize done = 0;

      while (buf != NULL && done < size)
        {
          ssize_t n = pread (fd, buf + done, size - done, (off_t) done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          done += (gsize) n;
        }
      if (buf != NULL && done == size)
        return g_bytes_new_take (buf, size);
      g_free (buf);
    }
  return NULL;
}

/* Reads every datagram waiting on the socket into the table of received messages. */
static void
drain_locked (void)
{
  for (;;)
    {
      char payload[sizeof RESULT_MAGIC];
      union
      {
        struct cmsghdr align;
        char buf[CMSG_SPACE (sizeof (struct ucred)) + CMSG_SPACE (4 * sizeof (int))];
      } control;
      struct iovec iov = { payload, sizeof payload };
      struct msghdr msg;
      pid_t pid = 0;
      int fd = -1;
      gboolean extra = FALSE;
      ssize_t n;

      memset (&msg, 0, sizeof msg);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;
      n = recvmsg (recv_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return;

      for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
        {
          if (c->cmsg_level != SOL_SOCKET)
            continue;
          if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN (sizeof (struct ucred)))
            {
              struct ucred cred;

              memcpy (&cred, CMSG_DATA (c), sizeof cred);
              pid = cred.pid;
            }
          else if (c->cmsg_type == SCM_RIGHTS)
            {
              gsize n_fds = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);

              for (gsize i = 0; i < n_fds; i++)
                {
                  int f;

                  memcpy (&f, CMSG_DATA (c) + i * sizeof (int), sizeof f);
                  if (fd < 0)
                    fd = f;
                  else
                    {
                      extra = TRUE;
                      close (f);
                    }
                }
            }
        }

      if (n == sizeof payload && memcmp (payload, RESULT_MAGIC, sizeof payload) == 0 &&
          pid > 0 && fd >= 0 && !extra && (msg.msg_flags & MSG_CTRUNC) == 0)
        {
          GBytes *bytes = read_message_fd (fd);

          if (bytes != NULL)
            {
              if (received == NULL)
                received = g_hash_table_new_full (NULL, NULL, NULL,
                                                  (GDestroyNotify) g_bytes_unref);
              g_hash_table_replace (received, GINT_TO_POINTER (pid), bytes);
            }
        }
      if (fd >= 0)
        close (fd);
    }
}

/* When the end of @self is observed, before its pid may be recycled: its message, if any,
 * moves into the object. */
void
_g_process_result_collect_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);
  gpointer message;

  if (recv_fd < 0)
    return;
  drain_locked ();
  if (received != NULL &&
      g_hash_table_steal_extended (received, GINT_TO_POINTER (priv->pid), NULL, &message))
    {
      g_clear_pointer (&priv->result.message, g_bytes_unref);
      priv->result.message = message;
    }
}

void
_g_process_result_slot_clear (GProcessResultSlot *slot)
{
  g_clear_pointer (&slot->message, g_bytes_unref);
  g_clear_pointer (&slot->value, g_variant_unref);
  g_clear_error (&slot->error);
}

/* Outside the lock: the value or the error in a message, validated. Returns the value, or
 * NULL with @error set (the child's error, or why the message is refused). */
static GVariant *
parse_message (GBytes      *message,
               const char  *name,
               GError     **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (message, &size);
  ResultHeader header;
  gsize data_offset;
  char *type_string = NULL;
  GVariant *value = NULL;

  memcpy (&header, data, sizeof header);
  if (memcmp (header.magic, RESULT_MAGIC, sizeof header.magic) != 0 ||
      (header.kind != RESULT_KIND_VALUE && header.kind != RESULT_KIND_ERROR) ||
      header.type_len == 0 || header.type_len > size - sizeof header)
    goto invalid;
  data_offset = (sizeof header + header.type_len + 7) & ~(gsize) 7;
  if (data_offset > size || header.data_size != size - data_offset)
    goto invalid;
  type_string = g_strndup ((const char *) data + sizeof header, header.type_len);
  if (strlen (type_string) != header.type_len || !g_variant_type_string_is_valid (type_string) ||
      !g_variant_type_is_definite (G_VARIANT_TYPE (type_string)))
    goto invalid;
  if (header.kind == RESULT_KIND_ERROR && strcmp (type_string, "(sis)") != 0)
    goto invalid;

  {
    GBytes *slice = g_bytes_new_from_bytes (message, data_offset, (gsize) header.data_size);
    GVariant *untrusted = g_variant_new_from_bytes (G_VARIANT_TYPE (type_string), slice, FALSE);

    /* A copy in normal form unless it already is (then this checks it): never the child's
     * bytes as they were */
    value = g_variant_ref_sink (g_variant_get_normal_form (untrusted));
    g_variant_unref (untrusted);
    g_bytes_unref (slice);
  }
  g_free (type_string);

  if (header.kind == RESULT_KIND_ERROR)
    {
      const char *domain, *text;
      gint32 code;

      g_variant_get (value, "(&si&s)", &domain, &code, &text);
      if (domain[0] == '\0')
        {
          g_variant_unref (value);
          goto invalid;
        }
      g_set_error_literal (error, g_quark_from_string (domain), code, text);
      g_variant_unref (value);
      return NULL;
    }
  return value;

invalid:
  g_free (type_string);
  _g_process_record_errno (0);
  g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
               _("Process “%s” sent a result that is not valid"), name);
  return NULL;
}

/**
 * g_process_object_get_result:
 * @self: a #GProcessObject that was started and has ended
 * @error: return location for a #GError
 *
 * Gets what the child recorded with g_process_set_result() or g_process_set_error(), once the
 * child has ended (it checks, without blocking, whether it has: call it after
 * g_process_object_join()). It may be called again and gives the same answer.
 *
 * A child delivers its result when it ends through g_process_exit() (returning from
 * #GProcessObjectClass.run does) or libc exit(): a child that is killed, crashes or calls
 * _exit(), even after it set a result, delivers none, and this returns %NULL without an
 * error: the exit code tells what happened.
 *
 * The value comes from another process: it is checked and returned in normal form
 * (g_variant_get_normal_form()), and a message that is not valid is reported as
 * %G_PROCESS_ERROR_FAILED.
 *
 * Errors: the child's own error, with its domain, code and message (the domain is looked up by
 * name, so it is the same quark in this process); %G_PROCESS_ERROR_NOT_STARTED before
 * g_process_object_start(); %G_PROCESS_ERROR_STILL_RUNNING while the child runs;
 * %G_PROCESS_ERROR_NOT_CHILD for an object this process did not start;
 * %G_PROCESS_ERROR_FAILED for a message that is not valid.
 *
 * Returns: (transfer full) (nullable): the value the child set; %NULL with @error set (the
 *   child's error, or one of the errors above); %NULL without an error when the child set
 *   nothing or did not end normally
 *
 * Since: 0.2
 */
GVariant *
g_process_object_get_result (GProcessObject  *self,
                             GError         **error)
{
  GProcessObjectPrivate *priv;
  GBytes *message = NULL;
  GVariant *value = NULL;
  GError *parsed_error = NULL;
  gboolean own, started;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  priv = get_priv (self);
  G_LOCK (process_lock);
  own = _g_process_object_is_own_child (self);
  started = priv->pid != 0 && !priv->starting;
  G_UNLOCK (process_lock);
  if (!own)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                   _("Only the process that started “%s” can get its result"),
                   g_process_object_get_name (self));
      return NULL;
    }
  if (!started)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED,
                   _("Process “%s” has not been started"), g_process_object_get_name (self));
      return NULL;
    }
  if (!_g_process_try_reap (self))
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STILL_RUNNING,
                   _("Process “%s” is still running"), g_process_object_get_name (self));
      return NULL;
    }

  G_LOCK (process_lock);
  if (priv->result.value == NULL && priv->result.error == NULL && priv->result.message != NULL)
    message = g_bytes_ref (priv->result.message);
  G_UNLOCK (process_lock);

  if (message != NULL)
    {
      /* Parsed outside the lock (it may be large); the first thread to finish keeps its copy */
      value = parse_message (message, g_process_object_get_name (self), &parsed_error);
      g_bytes_unref (message);
      G_LOCK (process_lock);
      if (priv->result.value == NULL && priv->result.error == NULL)
        {
          priv->result.value = g_steal_pointer (&value);
          priv->result.error = g_steal_pointer (&parsed_error);
          g_clear_pointer (&priv->result.message, g_bytes_unref);
        }
      G_UNLOCK (process_lock);
      g_clear_pointer (&value, g_variant_unref);
      g_clear_error (&parsed_error);
    }

  G_LOCK (process_lock);
  if (priv->result.value != NULL)
    value = g_variant_ref (priv->result.value);
  else if (priv->result.error != NULL)
    parsed_error = g_error_copy (priv->result.error);
  G_UNLOCK (process_lock);

  if (parsed_error != NULL)
    g_propagate_error (error, parsed_error);
  return value;
}

/* ---------------------------------------------------------------------------------------- */
/* In the child                                                                              */

/* Child code (see gprocess-child.c): before the library's descriptors are closed */
/* The socket children send their results on (for the fork server's requests), or -1 */
int
_g_process_result_send_fd_locked (void)
{
  return send_fd;
}

/* Child code, in a child of the fork server: the application's socket came with the request,
 * in place of the one a fork child inherits. */
void
_g_process_result_adopt_in_child (int fd)
{
  kept_send_fd = fd;
}

void
_g_process_result_keep_in_child (void)
{
  if (send_fd >= 0)
    {
      _g_process_fds_remove_locked (send_fd);
      kept_send_fd = send_fd;
    }
}

/* Child code, in every new process: the socket was the parent's (closed now, but a kept
 * sending end), and so are the messages it received. */
void
_g_process_result_reset_in_child (void)
{
  if (received != NULL)
    {
      inherited_received = received;
      received = NULL;
    }
  if (recv_fd >= 0)
    recv_fd = send_fd = -1;
  if (child_send_fd >= 0)
    child_send_fd = -1;
  /* What the parent recorded is the parent's word, not this process's */
  if (child_record != NULL)
    {
      inherited_record = child_record;
      child_record = NULL;
    }
  if (child_error_recorded)   /* written only then: a write would cost every child a page
                               * fault */
    child_error_recorded = FALSE;
}

/* Child code, in a child of start(), after the library's descriptors were closed */
void
_g_process_result_bootstrap_child (void)
{
  if (kept_send_fd < 0)
    return;
  child_send_fd = kept_send_fd;
  kept_send_fd = -1;
  _g_process_fds_add_locked (child_send_fd);  /* hidden from the child's own children */
}

static void
child_record_free (ChildRecord *record)
{
  if (record == NULL)
    return;
  g_clear_pointer (&record->value, g_variant_unref);
  g_clear_error (&record->error);
  g_free (record);
}

static void
send_at_exit (void)
{
  _g_process_result_send_in_child ();
}

/* Takes @value or @error; the last call wins. The first call in a child also registers an
 * atexit() handler, so that a child that ends with libc exit() instead of g_process_exit()
 * delivers what it recorded too. (Inherited by the child's own children, where it sends what
 * they record, if they record anything.) */
static void
child_record_replace (GVariant *value,
                      GError   *error)
{
  static gsize exit_hook = 0;
  ChildRecord *record = g_new0 (ChildRecord, 1);

  if (g_once_init_enter (&exit_hook))
    {
      atexit (send_at_exit);
      g_once_init_leave (&exit_hook, 1);
    }
  record->value = value;
  record->error = error;
  g_atomic_int_set (&child_error_recorded, error != NULL);
  child_record_free (g_atomic_pointer_exchange (&child_record, record));
}

/* In a child, when run() has returned: whether the last call recorded an error */
gboolean
_g_process_result_error_recorded (void)
{
  return g_atomic_int_get (&child_error_recorded);
}

static gboolean
write_all (int         fd,
           const void *data,
           gsize       size)
{
  const guint8 *p = data;

  while (size > 0)
    {
      ssize_t n = write (fd, p, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      size -= (gsize) n;
    }
  return TRUE;
}

/* Writes @payload into a new sealed memfd; returns it, or -1 */
static int
write_message (int       kind,
               GVariant *payload)
{
  static const guint8 zeros[8] = { 0 };
  const char *type_string = g_variant_get_type_string (payload);
  gsize size = g_variant_get_size (payload);
  gconstpointer data = g_variant_get_data (payload);
  ResultHeader header;
  gsize padding;
  int fd;

  memset (&header, 0, sizeof header);
  memcpy (header.magic, RESULT_MAGIC, sizeof header.magic);
  header.kind = (guint32) kind;
  header.type_len = (guint32) strlen (type_string);
  header.data_size = size;
  padding = ((sizeof header + header.type_len + 7) & ~(gsize) 7) - (sizeof header + header.type_len);

  fd = memfd_create ("gprocess-result", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return -1;
  if (!write_all (fd, &header, sizeof header) ||
      !write_all (fd, type_string, header.type_len) ||
      !write_all (fd, zeros, padding) ||
      (size > 0 && !write_all (fd, data, size)) ||
      fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* In a child, at its normal end (g_process_exit(), or libc exit() through send_at_exit()):
 * sends what was recorded, if anything, once. */
void
_g_process_result_send_in_child (void)
{
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct iovec iov = { (void *) RESULT_MAGIC, sizeof RESULT_MAGIC };
  struct msghdr msg;
  struct cmsghdr *c;
  ChildRecord *record;
  GVariant *payload;
  int fd, kind;

  if (g_atomic_pointer_get (&child_record) == NULL)
    return;
  record = g_atomic_pointer_exchange (&child_record, NULL);
  if (record == NULL)
    return;
  if (child_send_fd < 0)
    {
      child_record_free (record);
      return;
    }

  if (record->error != NULL)
    {
      kind = RESULT_KIND_ERROR;
      payload = g_variant_ref_sink (g_variant_new ("(sis)", g_quark_to_string (record->error->domain),
                                                   (gint32) record->error->code,
                                                   record->error->message != NULL ?
                                                   record->error->message : ""));
    }
  else
    {
      kind = RESULT_KIND_VALUE;
      payload = g_variant_get_normal_form (record->value);
    }
  child_record_free (record);

  fd = write_message (kind, payload);
  g_variant_unref (payload);
  if (fd < 0)
    {
      g_warning ("Could not send the result of process “%s”: %s",
                 g_process_object_get_name (g_process_get_current ()), g_strerror (errno));
      return;
    }

  memset (&msg, 0, sizeof msg);
  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  while (sendmsg (child_send_fd, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
  close (fd);
}

static gboolean
check_in_child (const char *function)
{
  GProcessObject *current = g_process_get_current ();

  if (get_priv (current)->kind == PROCESS_KIND_CHILD)
    return TRUE;
  g_critical ("%s: not called in a child started by g_process_object_start()", function);
  return FALSE;
}

/**
 * g_process_set_result:
 * @value: the result; a floating reference is sunk
 *
 * In a child started by g_process_object_start(), records @value as the result of the process:
 * once the child has ended, its parent gets it with g_process_object_get_result(). The last
 * call of g_process_set_result() or g_process_set_error() wins; the child goes on and ends as
 * it would. The value is sent when the child ends through g_process_exit() (returning from
 * #GProcessObjectClass.run does) or libc exit(): a child that is killed, crashes or calls
 * _exit() delivers nothing. Values of any size that fits in memory work (they travel in a
 * sealed memfd).
 *
 * Outside such a child it does nothing but emit a critical warning.
 *
 * Since: 0.2
 */
void
g_process_set_result (GVariant *value)
{
  g_return_if_fail (value != NULL);

  g_variant_ref_sink (value);
  if (!check_in_child ("g_process_set_result"))
    {
      g_variant_unref (value);
      return;
    }
  child_record_replace (value, NULL);
}

/**
 * g_process_set_error:
 * @error: the error; it is copied
 *
 * Like g_process_set_result(), for an error: the parent's g_process_object_get_result() fails
 * with an error of the same domain, code and message.
 *
 * A child that returns from #GProcessObjectClass.run while an error is its last recorded
 * word exits with status 1, as an uncaught exception ends a Python child; a later
 * g_process_set_result() clears that, and an explicit g_process_exit() keeps the status it
 * is given.
 *
 * Since: 0.2
 */
void
g_process_set_error (const GError *error)
{
  g_return_if_fail (error != NULL);

  if (!check_in_child ("g_process_set_error"))
    return;
  child_record_replace (NULL, g_error_copy (error));
}
