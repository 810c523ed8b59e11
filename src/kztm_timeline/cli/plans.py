"""Plans: what became of each planned event."""

import dataclasses
from typing import TYPE_CHECKING

from ..vocab import Status
from .app import app, guarded
from .options import (
    AsOfOpt,
    DataOpt,
    as_of_day,
    filter_options,
    global_options,
    record_output,
)
from .output import (
    OutputChoice,
    emit,
)
from .reading import read_dataset

if TYPE_CHECKING:
    from ..query import Query


@app.command()
@guarded
@global_options
@record_output
@filter_options("year", "since", "until", "overlapping", "kind", "actor", "topic", "place", "search", "corpus")
def plans(query: "Query", out: OutputChoice, as_of: AsOfOpt = None, data: DataOpt = None) -> None:
    """Planned events and what became of them: open, fulfilled, cancelled, postponed or overdue."""
    from ..contract import plan_json
    from ..query import plan_states, select
    from ..screens import render_plans

    dataset = read_dataset(data, query.corpus)
    found = plan_states(dataset, select(dataset, dataclasses.replace(query, statuses=(Status.PLANNED,))), as_of_day(as_of))
    emit(
        out,
        dataset,
        "plans",
        lambda: [plan_json(plan) for plan in found],
        lambda color, width: render_plans(found, color=color, width=width),
    )
