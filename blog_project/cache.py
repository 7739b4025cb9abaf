"""The shared cache of the production settings without Redis: the database, atomic counters."""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction

# Django's database cache names its table's model with this app label, which is no
# installed app; the router sends it to CACHE_DATABASE_ALIAS.
CACHE_APP_LABEL = "django_cache"


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache whose incr() and decr() hold across processes.

    Django's own reads the value and writes value + delta: two processes that read the
    same count both write count + 1, so two failed sign-ins count as one. It also
    rewrites the entry with the default timeout, stretching a throttle's window. Here
    the row is locked for the read-modify-write (SELECT ... FOR UPDATE; on SQLite the
    transaction's BEGIN IMMEDIATE) and only its value changes.
    """

    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, cache_key = quote(self._table), quote("cache_key")
        made_key = self.make_and_validate_key(key, version=version)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {cache_key} FROM {table} WHERE {cache_key} = %s{lock}",  # noqa: S608
                [made_key],
            )
            value = self.get(key, self._missing_key, version=version)
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            pickled = pickle.dumps(value, self.pickle_protocol)
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {cache_key} = %s",  # noqa: S608
                [base64.b64encode(pickled).decode("latin1"), made_key],
            )
        return value
