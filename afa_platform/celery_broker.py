"""Celery's Redis transport, keeping one client for the commands a channel sends.

kombu's Redis channel builds a new redis.Redis for every command it sends outside the
consumer loop (`conn_or_acquire`), so each task enqueued from a web request paid for one:
about a tenth of a registration's Python time. The client only wraps the channel's
(thread-safe, fork-aware) pool, so one per channel does the same job; it is dropped with
the pool when the channel disconnects. Selected by CELERY_BROKER_TRANSPORT in settings.

It also gives up on a broker that does not answer within seconds: kombu's default is to
wait for ever, so a request publishing a task to a Redis that has stopped answering (but
not closed its connections) would hang until gunicorn killed the worker.
"""

from contextlib import contextmanager

from kombu.transport import redis
from kombu.utils.objects import cached_property


class Channel(redis.Channel):
    # Defaults that CELERY_BROKER_TRANSPORT_OPTIONS can still override. The read timeout is
    # above BRPOP's one-second server-side wait (brpop_timeout), so a consumer reading a
    # BRPOP reply outside the event loop never times out on a live broker.
    socket_connect_timeout = 1
    socket_timeout = 2

    @cached_property
    def _command_client(self):
        return self._create_client()

    @contextmanager
    def conn_or_acquire(self, client=None):
        yield client or self._command_client

    def _disconnect_pools(self):
        self.__dict__.pop("_command_client", None)
        super()._disconnect_pools()


class Transport(redis.Transport):
    Channel = Channel
