"""Locks and counters in Redis: correct under threads, on fakeredis and on a real Redis."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from coupzii.core import counters
from coupzii.core.errors import Busy
from coupzii.core.locks import redis_lock


def test_a_held_lock_refuses_a_second_holder():
    with (
        redis_lock("cashback-sync:amazon"),
        pytest.raises(Busy),
        redis_lock("cashback-sync:amazon"),
    ):
        pass


def test_a_lock_is_free_again_after_its_block():
    with redis_lock("expiry-sweep"):
        pass
    with redis_lock("expiry-sweep"):
        pass


def test_different_names_do_not_block_each_other():
    with redis_lock("sync:a"), redis_lock("sync:b"):
        pass


def test_a_crashed_holder_blocks_only_until_the_ttl():
    lock_taken = redis_lock("payout-batch", ttl=0.3)
    lock_taken.__enter__()  # a holder that never releases, like a killed worker

    with pytest.raises(Busy), redis_lock("payout-batch"):
        pass
    time.sleep(0.4)
    with redis_lock("payout-batch"):
        pass


def test_waiting_for_a_lock_succeeds_once_the_holder_lets_go():
    release = threading.Event()

    def hold():
        with redis_lock("fulfilment:order-42"):
            release.wait(1)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.05)
    threading.Timer(0.1, release.set).start()

    with redis_lock("fulfilment:order-42", wait=2):
        pass
    holder.join()


def test_only_one_of_many_threads_gets_the_lock_at_once():
    contenders = 8
    barrier = threading.Barrier(contenders)
    refused = []
    all_refused = threading.Event()

    def contend(_):
        barrier.wait()
        try:
            with redis_lock("contended", ttl=5):
                # Hold on until every other thread has tried, however late it was scheduled.
                all_refused.wait(timeout=5)
            return True
        except Busy:
            refused.append(1)
            if len(refused) == contenders - 1:
                all_refused.set()
            return False

    with ThreadPoolExecutor(max_workers=contenders) as pool:
        results = list(pool.map(contend, range(contenders)))

    assert results.count(True) == 1
    assert all_refused.is_set()


def test_counters_add_up_exactly_under_concurrent_increments():
    def bump(_):
        for _ in range(50):
            counters.incr("offer:clicks:1")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(bump, range(8)))

    assert counters.get("offer:clicks:1") == 400


def test_take_reads_and_resets_so_a_flush_never_counts_twice():
    counters.incr("offer:views:9", 5)

    assert counters.take("offer:views:9") == 5
    assert counters.take("offer:views:9") == 0
    assert counters.get("offer:views:9") == 0


def test_counter_window_starts_at_the_first_increment():
    counters.incr("sms:+919876543210", ttl=1)
    time.sleep(0.6)
    counters.incr("sms:+919876543210", ttl=1)  # must not push the expiry out
    time.sleep(0.6)

    assert counters.get("sms:+919876543210") == 0
