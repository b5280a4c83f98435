"""Real threads for the PostgreSQL concurrency tests."""

import threading

from django.db import connection


def run_at_once(calls, *, refusals: tuple[type[Exception], ...] = ()):
    """Start every call at the same moment in its own thread (each with its own database
    connection). Returns (results, errors): a call's return value, or the refusal it raised
    if that is one of `refusals`, goes in results; anything else it raises goes in errors,
    for the test to report."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []
    lock = threading.Lock()

    def worker(call):
        try:
            barrier.wait(timeout=30)
            outcome = call()
            with lock:
                results.append(outcome)
        except refusals as refusal:
            with lock:
                results.append(refusal)
        except Exception as error:
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [t for t in threads if t.is_alive()], "a thread did not finish"
    return results, errors
