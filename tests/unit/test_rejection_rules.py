"""When an output fails (docs/kernel-contract.md 5.7): the message's sentences, which outputs
move to `out/rejected/<n>/`, and the `outputs_rejected` event."""

from __future__ import annotations

from state_runner.domain.errors import OutputRejected
from state_runner.domain.rejection import reject
from support.fakes import FakeIterationFiles

OUTPUTS = {"planner.json": "{}", "writer.md": "# One\n", "critic.json": "{}"}


def iteration() -> FakeIterationFiles:
    return FakeIterationFiles("io/01/iter_01", outputs=dict(OUTPUTS))


def test_a_person_written_output_stays_and_the_message_names_the_file_to_fix() -> None:
    files = iteration()
    error = reject(files, OutputRejected("Writer changed headings", "writer"), [], False)
    assert error.message == "Writer changed headings. Fix io/01/iter_01/out/writer.md and re-run."
    assert files.outputs == OUTPUTS
    assert files.rejected == []
    assert files.events == [("outputs_rejected", {"role": "writer", "moved": []})]


def test_a_message_that_ends_in_a_full_stop_gets_no_second_one() -> None:
    error = reject(iteration(), OutputRejected("Bad plan.", "planner"), [], False)
    assert error.message == "Bad plan. Fix io/01/iter_01/out/planner.json and re-run."


def test_one_generated_output_is_moved_with_the_singular_noun() -> None:
    files = iteration()
    error = reject(files, OutputRejected("critic.decision is bad", "critic"), ["critic"], True)
    assert error.message == (
        "critic.decision is bad. Moved the LLM's critic output to io/01/iter_01/out/rejected/1/; "
        "the next run asks the model again."
    )
    assert files.rejected == [{"critic.json": "{}"}]
    assert files.events == [("outputs_rejected", {"role": "critic", "moved": ["critic"]})]


def test_all_generated_outputs_move_in_role_order_with_the_plural_noun() -> None:
    files = iteration()
    exc = OutputRejected("critic.tradeoff_presence must be a boolean", "critic")
    error = reject(files, exc, ["critic", "writer", "planner"], True)
    assert error.message == (
        "critic.tradeoff_presence must be a boolean. Moved the LLM's planner, writer, critic "
        "outputs to io/01/iter_01/out/rejected/1/; the next run asks the model again."
    )
    assert files.outputs == {}
    assert files.events[-1] == (
        "outputs_rejected",
        {"role": "critic", "moved": ["planner", "writer", "critic"]},
    )


def test_a_person_output_that_fails_beside_generated_ones_is_named_before_the_move() -> None:
    files = iteration()
    error = reject(files, OutputRejected("Bad plan", "planner"), ["writer", "critic"], True)
    assert error.message == (
        "Bad plan. Fix io/01/iter_01/out/planner.json and re-run. Moved the LLM's writer, critic "
        "outputs to io/01/iter_01/out/rejected/1/; the next run asks the model again."
    )
    assert files.outputs == {"planner.json": "{}"}


def test_in_llm_mode_an_output_with_an_earlier_response_trace_counts_as_the_models() -> None:
    files = iteration()
    files.traces["writer"] = ("prompt", "reply")
    error = reject(files, OutputRejected("Writer changed headings", "writer"), [], True)
    assert error.message == (
        "Writer changed headings. Moved the LLM's writer output to "
        "io/01/iter_01/out/rejected/1/; the next run asks the model again."
    )
    assert files.traces == {}


def test_in_file_mode_a_response_trace_does_not_make_an_output_the_models() -> None:
    files = iteration()
    files.traces["writer"] = ("prompt", "reply")
    error = reject(files, OutputRejected("Writer changed headings", "writer"), [], False)
    assert error.message == "Writer changed headings. Fix io/01/iter_01/out/writer.md and re-run."
    assert files.traces == {"writer": ("prompt", "reply")}
