"""`LLMPortContract`: the properties, as test methods; the hooks a subclass fills in."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, TypeAlias

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from state_runner import ChatMessage, ErrorKind, LLMClientError, LLMPort, LLMResponse
from state_runner.domain.usage_checks import is_plausible_count

RawUsage: TypeAlias = tuple[object, object] | None
"""What the backend reports as (prompt, completion) tokens, as raw JSON values (None, huge or
negative ints, strings...); None: it reports no usage at all."""

EXACT_BELOW = 2**53  # ints the backend reports in [0, 2**53) must arrive exactly
PROCESS_EXIT_S = 5.0

_counts = st.one_of(
    st.none(),
    st.integers(min_value=-(2**31), max_value=2**31),
    st.integers(min_value=2**40, max_value=2**70),
    st.just(0),
    st.text(max_size=4),
)
_usages = st.one_of(st.none(), st.tuples(_counts, _counts))
_replies = st.text(min_size=1, max_size=400).filter(lambda s: s.strip() != "")
_malformed = st.one_of(
    st.just([]),
    st.none(),
    st.text(max_size=5),
    st.integers(),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["robot", "", "USER", "tool"]), "content": st.text()}
        ),
        min_size=1,
        max_size=3,
    ),
    st.lists(
        st.fixed_dictionaries(
            {"role": st.just("user"), "content": st.none() | st.integers() | st.lists(st.text())}
        ),
        min_size=1,
        max_size=3,
    ),
    st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["system", "assistant"]), "content": st.text()}
        ),
        min_size=1,
        max_size=3,
    ),
)
# Each subclass runs the same inherited @given methods: tell hypothesis that is intended.
_CHECKS_OFF = [HealthCheck.function_scoped_fixture, HealthCheck.differing_executors]
_examples = settings(max_examples=25, deadline=None, suppress_health_check=_CHECKS_OFF)


def usage_holds(
    reported: tuple[int, int], sent: RawUsage, backend_reports: bool, self_counted: bool = False
) -> bool:
    """Counts are ints >= 0; unless the adapter counts them itself, exact where the backend
    sent an exact int and 0 where it sent none."""
    for value, raw in zip(reported, sent or (None, None), strict=True):
        if type(value) is not int or value < 0:
            return False
        if self_counted:
            continue
        exact = raw if type(raw) is int and 0 <= raw < EXACT_BELOW else None
        if not backend_reports or sent is None:
            exact = 0
        if exact is not None and value != exact:
            return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _all_gone(pids: set[int]) -> bool:
    deadline = time.monotonic() + PROCESS_EXIT_S
    while any(_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class LLMPortContract:
    """Subclass as `Test...`; fill in `make_adapter` and `next_reply` (and, where they apply,
    the other hooks). Every `test_*` method is one property of the contract."""

    backend_reports_usage: ClassVar[bool] = True
    """False when the backend never reports token usage: the adapter must then report 0, 0."""

    counts_usage_itself: ClassVar[bool] = False
    """True when the adapter computes the counts itself: only "two ints >= 0" is checked."""

    # ------------------------------------------------------------------ hooks
    def make_adapter(self) -> LLMPort:
        """A new adapter under test (one is shared by the property tests of a class)."""
        raise NotImplementedError("LLMPortContract subclasses implement make_adapter()")

    def next_reply(self, adapter: LLMPort, content: str, usage: RawUsage) -> Sequence[ChatMessage]:
        """Make the backend answer `adapter`'s next call with `content`, reporting `usage`
        (ignore it when `backend_reports_usage` is False); return the messages to send."""
        raise NotImplementedError("LLMPortContract subclasses implement next_reply()")

    def expected_content(self, content: str) -> str:
        """The reply text the adapter returns for a backend answer of `content`."""
        return content

    def arrange_failure(self, adapter: LLMPort) -> Sequence[ChatMessage] | None:
        """Make the backend fail `adapter`'s next call and return its messages; None when the
        backend cannot fail on demand (that property is then skipped, saying so)."""
        return None

    def processes(self, adapter: LLMPort) -> set[int]:
        """PIDs of the OS processes the adapter started and runs (none by default)."""
        return set()

    # --------------------------------------------------------------- fixture
    @pytest.fixture(scope="class")
    @classmethod
    def contract_adapter(cls) -> Iterator[LLMPort]:
        """One adapter for the property tests of the class, closed after them."""
        adapter = cls().make_adapter()
        try:
            yield adapter
        finally:
            adapter.close()

    # ------------------------------------------------------------ properties
    @_examples
    @given(usage=_usages)
    def test_usage_is_two_non_negative_ints(
        self, contract_adapter: LLMPort, usage: RawUsage
    ) -> None:
        messages = self.next_reply(contract_adapter, "usage probe", usage)
        try:
            response = contract_adapter.chat(messages)
        except LLMClientError as exc:  # allowed only for a count no real call reaches
            implausible = usage is not None and not all(map(is_plausible_count, usage))
            assert implausible and exc.kind is ErrorKind.BAD_RESPONSE, (
                f"{exc.kind}: {exc.message} for a backend reporting {usage!r}: an adapter may"
                " refuse only an implausible count, as a BAD_RESPONSE error"
            )
            return
        assert isinstance(response, LLMResponse)
        counts = (response.usage.prompt_tokens, response.usage.completion_tokens)
        assert usage_holds(counts, usage, self.backend_reports_usage, self.counts_usage_itself), (
            f"usage {counts} for a backend reporting {usage!r}: expected two ints >= 0, equal to "
            f"the reported ints in [0, 2**53), and 0, 0 when nothing is reported (set "
            f"backend_reports_usage = False or counts_usage_itself = True if that is not your "
            f"adapter's case)"
        )

    @_examples
    @given(content=_replies)
    def test_any_unicode_reply_round_trips(self, contract_adapter: LLMPort, content: str) -> None:
        messages = self.next_reply(contract_adapter, content, None)
        assert contract_adapter.chat(messages).content == self.expected_content(content)

    @settings(max_examples=60, deadline=None, suppress_health_check=_CHECKS_OFF)
    @given(messages=_malformed)
    def test_malformed_messages_are_bad_requests(
        self, contract_adapter: LLMPort, messages: Any
    ) -> None:
        with pytest.raises(LLMClientError) as info:
            contract_adapter.chat(messages)
        assert info.value.kind is ErrorKind.BAD_REQUEST

    def test_a_backend_failure_is_an_llm_client_error(self, contract_adapter: LLMPort) -> None:
        messages = self.arrange_failure(contract_adapter)
        if messages is None:
            pytest.skip("arrange_failure() is not implemented: no backend failure to check")
        with pytest.raises(LLMClientError) as info:
            contract_adapter.chat(messages)
        assert isinstance(info.value.kind, ErrorKind) and info.value.message.strip()
        after = self.next_reply(contract_adapter, "after a failure", None)
        assert contract_adapter.chat(after).content == self.expected_content("after a failure")

    def test_close_is_idempotent_and_a_closed_adapter_refuses(self) -> None:
        adapter = self.make_adapter()
        try:
            messages = self.next_reply(adapter, "before close", None)
            assert adapter.chat(messages).content == self.expected_content("before close")
            started = self.processes(adapter)
        finally:
            adapter.close()
        adapter.close()
        assert _all_gone(started), f"processes still running after close(): {started}"
        with pytest.raises(LLMClientError):
            adapter.chat(messages)
