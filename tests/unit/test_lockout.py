"""The failure ledger: a moving window per counter, atomic across processes,
in an SQLite file (the embedded default) or in Redis."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.lockout import Counter, FailureLedger, RedisLedger, SqliteLedger
from service.settings import ConfigurationError, Settings
from tests.support.brokers import redis_broker


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.integration)])
def ledger(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock,
           ) -> Iterator[FailureLedger]:
    if request.param == "sqlite":
        found: FailureLedger = SqliteLedger(tmp_path / "failures.sqlite3", clock)
        yield found
        found.close()
        return
    with redis_broker() as broker:
        found = RedisLedger(broker.url, clock)
        yield found
        found.close()


def test_failures_fill_the_window_then_leave_it(ledger: FailureLedger, clock: Clock) -> None:
    counter = Counter("a", allowed=2, window=60.0)
    assert not ledger.reserve([counter]).refused
    clock.now += 10
    assert not ledger.reserve([counter]).refused
    clock.now += 10
    refused = ledger.reserve([counter])
    assert refused.refused and refused.refused_by == counter
    assert refused.wait == pytest.approx(40.0)  # until the oldest failure leaves
    assert refused.retry_after == 40
    clock.now += 39.5
    assert ledger.reserve([counter]).refused  # refusals are not counted, but it is still full
    clock.now += 1
    assert not ledger.reserve([counter]).refused
    assert not ledger.reserve([Counter("b", 2, 60.0)]).refused  # another key: its own count


def test_a_success_taken_back_leaves_no_failure(ledger: FailureLedger) -> None:
    counter = Counter("a", allowed=1, window=60.0)
    attempt = ledger.reserve([counter])
    ledger.take_back(attempt)
    failed = ledger.reserve([counter])
    assert not failed.refused
    assert ledger.reserve([counter]).refused
    ledger.take_back(ledger.reserve([counter]))  # a refusal has nothing to take back
    assert ledger.reserve([counter]).refused


def test_one_full_counter_refuses_and_counts_nothing_anywhere(ledger: FailureLedger,
                                                              clock: Clock) -> None:
    narrow, wide = Counter("address", 1, 60.0), Counter("account", 3, 300.0)
    assert not ledger.reserve([narrow, wide]).refused
    refused = ledger.reserve([narrow, wide])
    assert refused.refused_by == narrow
    # The refused attempt was not counted under the account: two more fit.
    assert not ledger.reserve([Counter("elsewhere", 5, 60.0), wide]).refused
    assert not ledger.reserve([Counter("elsewhere", 5, 60.0), wide]).refused
    clock.now += 61
    refused = ledger.reserve([narrow, wide])
    assert refused.refused_by == wide and refused.wait == pytest.approx(239.0)


KEYS, TRIES = 100, 3


def _reserve_many(path: str, start: multiprocessing.synchronize.Event,
                  results: multiprocessing.Queue[int]) -> None:
    ledger = SqliteLedger(Path(path))
    start.wait()
    results.put(sum(not ledger.reserve([Counter(f"k{key}", 5, 60.0)]).refused
                    for key in range(KEYS) for _ in range(TRIES)))


def test_processes_racing_on_the_sqlite_file_count_exactly(tmp_path: Path) -> None:
    """Four processes try every key three times at once (twelve tries for
    five places): exactly five are counted under each."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    path = str(tmp_path / "failures.sqlite3")
    SqliteLedger(Path(path)).reserve([])  # the file and its table, before the race
    workers = [context.Process(target=_reserve_many, args=(path, start, results))
               for _ in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    counted = sum(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert counted == 5 * KEYS


def test_an_unreachable_store_fails_open() -> None:
    ledger = RedisLedger("redis://127.0.0.1:1/0")  # nothing listens on port 1
    counter = Counter("a", 1, 60.0)
    assert not ledger.reserve([counter]).refused
    assert not ledger.reserve([counter]).refused
    ledger.close()


def test_the_store_is_the_redis_broker_or_a_file_in_the_data_folder(tmp_path: Path) -> None:
    data = {"COMMITMENTS_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(data).failure_store_url == (
        f"sqlite:///{tmp_path.resolve() / 'failures.sqlite3'}")
    redis = {**data, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3"}
    assert Settings.from_env(redis).failure_store_url == "redis://127.0.0.1:6379/3"
    amqp = {**data, "CELERY_BROKER_URL": "amqp://guest@127.0.0.1//",
            "RATE_LIMIT_STORAGE_URL": "redis://10.0.0.2:6379/1"}
    assert Settings.from_env(amqp).failure_store_url == "redis://10.0.0.2:6379/1"
    with pytest.raises(ConfigurationError, match="RATE_LIMIT_STORAGE_URL"):
        Settings.from_env({**data, "RATE_LIMIT_STORAGE_URL": "memcached://x"})
    with pytest.raises(ConfigurationError, match="SIGN_IN_FAILURES_ALLOWED"):
        Settings.from_env({**data, "SIGN_IN_FAILURES_ALLOWED": "0"})
