"""The collector tells this raise from earlier raises of the same exception object.

Raising an exception object again puts the new traceback entries in front of
the old ones; the old frames (with their locals) are another occurrence's.
Frames of this raise behind a thread, a task or a generator stay in full.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Callable, Iterator

from paste_exc.collector import CollectedException, ExceptionFrame, collect_exception

EARLIER = "raised before"


def collect(error: BaseException) -> CollectedException:
    return collect_exception(type(error), error, error.__traceback__, collect_locals=True)


def raised(func: Callable[[], object]) -> BaseException:
    try:
        func()
    except BaseException as error:
        return error
    raise AssertionError("did not raise")


def frames_named(data: CollectedException, name: str) -> list[ExceptionFrame]:
    return [frame for frame in data.frames if frame.name == name]


def local_values(frame: ExceptionFrame) -> set[str]:
    return {local.value for local in frame.locals or ()}


def fail(tag: str) -> None:
    marker = f"<{tag}>"  # noqa: F841 - a local the report may show
    raise ValueError("failed")


# -- one raise, whatever carries it ----------------------------------------------------


def test_a_generator_frame_is_this_raise() -> None:
    def gen() -> Iterator[int]:
        yield 1
        fail("in-generator")

    data = collect(raised(lambda: list(gen())))
    assert not [note for note in data.collection_notes if EARLIER in note]
    (frame,) = frames_named(data, "fail")
    assert "'<in-generator>'" in local_values(frame)


def test_a_context_manager_is_this_raise() -> None:
    @contextlib.contextmanager
    def managed() -> Iterator[None]:
        yield
        fail("after-yield")

    def use() -> None:
        with managed():
            pass

    data = collect(raised(use))
    assert not [note for note in data.collection_notes if EARLIER in note]
    assert "'<after-yield>'" in local_values(frames_named(data, "fail")[0])


def test_raise_again_in_the_frame_that_caught_it_is_this_raise() -> None:
    def handler() -> None:
        try:
            fail("re-raised")
        except ValueError as error:
            raise error

    data = collect(raised(handler))
    assert not [note for note in data.collection_notes if EARLIER in note]
    assert "'<re-raised>'" in local_values(frames_named(data, "fail")[0])


def test_a_future_used_once_keeps_the_worker_frames_in_full() -> None:
    def wait() -> None:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(fail, "worker").result()

    data = collect(raised(wait))
    assert not [note for note in data.collection_notes if EARLIER in note]
    assert "'<worker>'" in local_values(frames_named(data, "fail")[0])


def test_an_awaited_task_and_an_executor_keep_their_frames_in_full() -> None:
    async def inner() -> None:
        fail("task")

    async def main() -> None:
        await asyncio.ensure_future(inner())

    async def blocking() -> None:
        await asyncio.get_running_loop().run_in_executor(None, fail, "executor")

    for coroutine, tag in ((main, "task"), (blocking, "executor")):
        data = collect(raised(lambda coroutine=coroutine: asyncio.run(coroutine())))
        assert not [note for note in data.collection_notes if EARLIER in note]
        assert f"'<{tag}>'" in local_values(frames_named(data, "fail")[0])


def test_a_rewritten_traceback_is_this_raise() -> None:
    """``raise error.with_traceback(tb)`` in a helper (six.reraise, Jinja2)."""

    def reraise(error: BaseException) -> None:
        raise error.with_traceback(error.__traceback__)

    def caller() -> None:
        try:
            fail("rewritten")
        except ValueError as error:
            reraise(error)

    data = collect(raised(caller))
    assert not [note for note in data.collection_notes if EARLIER in note]
    assert "'<rewritten>'" in local_values(frames_named(data, "fail")[0])


# -- earlier raises ---------------------------------------------------------------------


SHARED = KeyError("shared")


def raise_shared(tag: str) -> None:
    marker = f"<{tag}>"  # noqa: F841
    raise SHARED


def test_a_shared_exception_raised_again_shows_this_raise_only() -> None:
    for number in range(5):
        data = collect(raised(lambda number=number: raise_shared(f"raise-{number}")))
    try:
        (note,) = [note for note in data.collection_notes if EARLIER in note]
        assert "left out" in note
        raisers = frames_named(data, "raise_shared")
        # This raise in full, the first raise (where it was made) by position only.
        assert "'<raise-4>'" in local_values(raisers[0])
        assert [frame.locals for frame in raisers[1:]] == [None]
        assert "'<raise-0>'" not in str(data.as_json_dict())
        assert "'<raise-3>'" not in str(data.as_json_dict())
        assert raisers[1].lineno == raisers[0].lineno
    finally:
        SHARED.__traceback__ = None


def test_a_shared_exception_keeps_one_identification_code_and_size() -> None:
    try:
        reports = [collect(raised(lambda: raise_shared("x"))) for _ in range(30)]
    finally:
        SHARED.__traceback__ = None
    assert len({report.identification_code for report in reports[1:]}) == 1
    assert len({len(report.frames) for report in reports[1:]}) == 1
    assert len({report.occurrence_id for report in reports}) == 30


class Request:
    """A request supplement, as a middleware's frame names it."""

    def __init__(self, url: str) -> None:
        self.source_url = url


def middleware(url: str, work: Callable[[], object]) -> BaseException:
    __traceback_supplement__ = (Request, url)
    try:
        work()
    except ValueError as error:
        return error
    raise AssertionError("did not raise")


def raise_kept(kept: BaseException) -> None:
    raise kept


def test_earlier_frames_carrying_request_data_are_another_occurrence() -> None:
    secret = "-".join(("secret", "one"))  # not in any source line the report shows
    first = middleware(f"http://x/first?q={secret}", lambda: fail(secret))
    second = middleware("http://x/second", lambda: raise_kept(first))
    assert second is first
    data = collect(second)
    assert data.request_url == "http://x/second"
    assert secret not in str(data.as_json_dict())
    assert any(EARLIER in note for note in data.collection_notes)
    (origin,) = frames_named(data, "fail")  # where it was made, by position only
    assert origin.locals is None


def test_an_earlier_raise_runs_no_magic_of_its_frames() -> None:
    calls: list[str] = []

    def decorator(data: CollectedException) -> CollectedException:
        calls.append("decorated")
        return data

    info = " ".join(("info", "of", "the", "first", "raise"))  # in no source line

    def first() -> None:
        __traceback_info__ = info
        __traceback_decorator__ = decorator  # noqa: F841
        raise_shared("first")

    try:
        raised(first)
        calls.clear()
        data = collect(raised(lambda: raise_shared("second")))
    finally:
        SHARED.__traceback__ = None
    assert calls == []
    assert info not in str(data.as_json_dict())
    assert frames_named(data, "first")  # still listed, by position
