"""The package's layers, as the README's Architecture section draws them (measured by tools/architecture.py)."""

from __future__ import annotations

import architecture


def test_the_package_has_no_import_cycle() -> None:
    assert architecture.cycles(architecture.arrows()) == []


def test_only_the_cli_imports_typer_or_click() -> None:
    assert architecture.framework_users() == []


def test_no_module_below_the_cli_spells_an_option_name() -> None:
    assert architecture.flag_spellers() == []


def test_no_public_function_or_class_name_is_defined_in_two_modules() -> None:
    twice = {name: where for name, where in architecture.public_definitions().items() if len(where) > 1}
    assert twice == {}


def test_the_top_level_holds_the_twenty_two_units_of_the_data_flow() -> None:
    top = sorted({module.name.split(".")[0] for module in architecture.modules()})
    assert top == [
        "__init__",
        "__main__",
        "cache",
        "cli",
        "contract",
        "coverage",
        "curate",
        "datafile",
        "edtf",
        "errors",
        "evidence",
        "exporters",
        "extract",
        "load",
        "model",
        "query",
        "screens",
        "seal",
        "store",
        "text",
        "vocab",
        "web",
    ]


def test_the_core_never_imports_the_cli() -> None:
    assert sorted(source for source, target in architecture.arrows() if target == "cli") == ["__main__"]


def test_the_model_imports_nothing_but_dates_and_the_vocabulary() -> None:
    assert sorted(target for source, target in architecture.arrows() if source == "model") == ["edtf", "vocab"]


def test_the_data_file_package_imports_only_lower_layers() -> None:
    lower = {"errors", "text", "edtf", "vocab", "model"}
    outside = {
        target
        for source, target in architecture.arrows()
        if source.startswith("datafile.") and not target.startswith("datafile.")
    }
    assert outside <= lower


def test_the_units_have_fewer_import_arrows_than_the_88_before_the_regroup() -> None:
    # 25 top-level modules with 88 arrows between them on 48c80ff (python3 tools/architecture.py ../that-checkout)
    # 79 now: extract looks sources up through query (unique prefixes), contract raises UsageError for --fields,
    # the chart exporter reads the query's date window, and screens and contract name article paths (datafile);
    # 82: the SQLite cache indexes each event's search text as query folds it; 83: and keeps its contract JSON;
    # 85: add checks a new event against the cache (curate -> cache) and builds it first if need be (curate -> load);
    # 87: a cold load streams the file into the cache, scanning it for unsafe characters (load -> text) and checking
    # that outcomes point at planned events across all events (load -> vocab);
    # 91: the cache's file (where it lives, whether it is trusted, opening it, the answers kept in it) is a unit of its
    # own, store, below cache and without the model, so that a warm validate is answered without reading the dataset
    # (store -> __init__, datafile, errors; cache, load and cli -> store; cache -> errors and cli -> cache go)
    # 90: one checker for both ways of reading the data file checks related events too (load -> vocab goes)
    # 91: extract refuses to read a web page's text, which is never kept (extract -> errors)
    # 95: coverage (an article read against the data: cited passages, page furniture, coverage) leaves extract for a
    # unit of its own (coverage -> extract, model, text; cli -> coverage)
    # 99: web checks the pages web sources cite (web -> __init__, model, text; cli -> web)
    # 102: the seal that vouches for every byte of a cache database is a unit of its own, below store and cache and
    # importing nothing of the package (store -> seal, cache -> seal), and the cache's damage found late is an
    # error type the CLI maps to an exit without importing the cache (cache -> errors)
    # 103: the cache brings itself in step with a file changed by hand, checking that the links of the events it
    # keeps still point at planned events where they name an outcome (cache -> vocab)
    assert len(architecture.arrows(units=True)) == 103
