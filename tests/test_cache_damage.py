"""A damaged cache is never believed (issue 27): flipping bits of the cache database made `stats`, `sources` and
`actors` print text the data file never held, with exit 0, and `list` stop halfway with exit 70, run after run.

The seal beside each database (``kztm_timeline.seal``) vouches for every byte of it; a database it does not
vouch for is set aside and the answer comes from the data file itself. Damage found only once output has begun
stops the run with exit 1, and the next run reads the data file afresh."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline import seal
from kztm_timeline.cli import app
from kztm_timeline.errors import CacheDamaged
from kztm_timeline.load import load_dataset
from kztm_timeline.store import cache_file

from .conftest import ROOT

runner = CliRunner()

COMMANDS = (
    ["list", "--json"],
    ["list", "-f", "csv"],
    ["search", "turkmenistan", "--json"],
    ["stats", "--json"],
    ["sources", "--json"],
    ["actors", "--json"],
    ["validate", "--as-of", "2024-12-31"],
    ["show", "2017-04-18-border", "--json"],  # (a unique prefix in the shipped data)
    ["list", "--year", "2024", "--kind", "summit", "-f", "jsonl"],
    ["plans", "--as-of", "2024-12-31", "--json"],
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path / "data" / "events.yaml"


def database_of(folder: Path, data: Path) -> Path:
    return Path(cache_file(str(folder), str(data)))


def run(command: list[str], data: Path, *, cache: bool = True) -> tuple[int, str, str]:
    result = runner.invoke(app, [*([] if cache else ["--no-cache"]), *command, "--data", str(data)])
    return result.exit_code, result.stdout, result.stderr


def flip_bits(database: Path, rng: random.Random, bits: int) -> list[tuple[int, int]]:
    """Flip ``bits`` random bits of the file, each in a random page, writing in place (the same inode)."""
    raw = bytearray(database.read_bytes())
    page_size = int.from_bytes(raw[16:18], "big") or 65536
    flipped = []
    for _ in range(bits):
        page = rng.randrange(len(raw) // page_size)
        offset = page * page_size + rng.randrange(page_size)
        bit = rng.randrange(8)
        raw[offset] ^= 1 << bit
        flipped.append((offset, bit))
    with open(database, "r+b") as handle:
        handle.write(raw)
    return flipped


# ---------------------------------------------------------------- the seal


def test_a_cache_database_is_sealed_as_it_is_written(data: Path, private_cache: Path) -> None:
    load_dataset(str(data), cache=str(private_cache))
    database = database_of(private_cache, data)
    found = seal.read_seal(str(database))
    assert found is not None
    assert found.status == seal.status_of(database.stat())
    assert found.crcs == seal.file_crcs(os.open(database, os.O_RDONLY))


def test_a_warm_run_reads_no_byte_of_the_database_to_believe_it(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(["list"], data)
    read: list[int] = []

    def crcs(descriptor: int, chunks: object = None) -> dict[int, int]:  # noqa: ARG001 - descriptor_crcs's signature
        read.append(descriptor)
        return {}

    monkeypatch.setattr(seal, "descriptor_crcs", crcs)
    assert run(["list", "--json"], data)[0] == 0
    assert read == []


def test_a_touched_database_is_read_once_and_believed_when_its_bytes_are_the_same(data: Path, private_cache: Path) -> None:
    run(["list"], data)
    database = database_of(private_cache, data)
    os.utime(database, ns=(1, 1))
    code, _, stderr = run(["list", "--json"], data)
    assert (code, stderr) == (0, "")
    renewed = seal.read_seal(str(database))
    assert renewed is not None
    assert renewed.status == seal.status_of(database.stat())
    assert not Path(f"{database}.damaged").exists()


def test_a_damaged_database_is_set_aside_and_the_answer_comes_from_the_data_file(data: Path, private_cache: Path) -> None:
    fresh = run(["stats", "--json"], data, cache=False)
    run(["list"], data)
    database = database_of(private_cache, data)
    flip_bits(database, random.Random(1), 5)
    code, stdout, stderr = run(["stats", "--json"], data)
    assert (code, stdout) == (0, fresh[1])
    aside = Path(f"{database}.damaged")
    assert stderr == (
        f"timeline: the parse cache {database} was damaged (its bytes are not those it was written with); "
        f"it is kept as {aside} for inspection, and the data file was read afresh\n"
    )
    assert aside.is_file()
    assert seal.read_seal(str(database)) is not None  # a new cache, sealed, took its place
    assert run(["stats", "--json"], data) == (0, fresh[1], "")


def test_only_the_last_damaged_database_is_kept(data: Path, private_cache: Path) -> None:
    run(["list"], data)
    database = database_of(private_cache, data)
    for seed in (1, 2):
        flip_bits(database, random.Random(seed), 3)
        assert run(["list", "--json"], data)[0] == 0
    names = sorted(path.name for path in private_cache.iterdir() if not path.name.endswith(".seal"))
    assert names == [database.name, f"{database.name}.damaged"]


def test_damage_hidden_by_restoring_the_modification_time_is_found(data: Path, private_cache: Path) -> None:
    fresh = run(["sources", "--json"], data, cache=False)
    run(["list"], data)
    database = database_of(private_cache, data)
    before = database.stat()
    flip_bits(database, random.Random(3), 5)
    os.utime(database, ns=(before.st_atime_ns, before.st_mtime_ns))  # (the change time cannot be set back)
    assert run(["sources", "--json"], data)[:2] == fresh[:2]
    assert Path(f"{database}.damaged").exists()


def test_a_database_without_its_seal_is_not_believed(data: Path, private_cache: Path) -> None:
    run(["list"], data)
    database = database_of(private_cache, data)
    Path(seal.seal_path(str(database))).unlink()
    result = runner.invoke(app, ["--verbose", "list", "--json", "--data", str(data)])
    assert result.exit_code == 0
    assert f"timeline: cache ignored: {database} has no seal of its own" in result.stderr
    assert seal.read_seal(str(database)) is not None  # the run wrote a new cache, sealed


def test_a_seal_that_fails_its_own_crc_is_no_seal(data: Path, private_cache: Path) -> None:
    run(["list"], data)
    database = database_of(private_cache, data)
    sealed = Path(seal.seal_path(str(database)))
    sealed.write_bytes(sealed.read_bytes().replace(b'"crcs":', b'"crcs": '))
    assert seal.read_seal(str(database)) is None
    assert run(["list", "--json"], data)[0] == 0


def test_a_seal_another_user_could_write_is_no_seal(data: Path, private_cache: Path) -> None:
    run(["list"], data)
    database = database_of(private_cache, data)
    os.chmod(seal.seal_path(str(database)), 0o666)
    assert seal.read_seal(str(database)) is None


def test_answers_worked_out_later_are_kept_in_the_seal_and_the_database_is_never_changed(data: Path, private_cache: Path) -> None:
    run(["list"], data)
    database = database_of(private_cache, data)
    before = (database.read_bytes(), seal.status_of(database.stat()))
    for _ in range(2):
        assert run(["validate", "--as-of", "2031-01-01"], data)[0] == 0
    assert (database.read_bytes(), seal.status_of(database.stat())) == before
    kept = seal.read_seal(str(database))
    assert kept is not None
    assert any(key.startswith("memo:overdue:") for key in kept.memos)


# ---------------------------------------------------------------- fuzz: random bits in random pages


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_random_bits_flipped_in_random_pages_never_give_another_answer(
    data: Path, private_cache: Path, command: list[str]
) -> None:
    """Each run either equals a fresh parse (exit 0) or refuses cleanly (exit 1, saying so); never another answer
    with exit 0, never exit 70."""
    fresh = run(command, data, cache=False)
    load_dataset(str(data), cache=str(private_cache))
    database = database_of(private_cache, data)
    pristine = database.read_bytes()
    rng = random.Random(" ".join(command))
    for _ in range(6):
        _restore_sealed(database, pristine)
        flip_bits(database, rng, rng.randint(1, 5))
        code, stdout, stderr = run(command, data)
        assert "internal error" not in stderr
        if code == 0:
            assert stdout == fresh[1]
            assert "was damaged" in stderr
        else:
            assert code == 1
            assert "turned out damaged" in stderr
        assert run(command, data)[:2] == fresh[:2]  # and the next run answers from a good cache


def _restore_sealed(database: Path, pristine: bytes) -> None:
    """The pristine database in place again, sealed, whatever the last run did with the file there."""
    database.unlink(missing_ok=True)
    database.write_bytes(pristine)
    database.chmod(0o600)
    assert seal.renew(str(database))


# ---------------------------------------------------------------- damage found late


@pytest.fixture
def damaged_after(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Make the cache's rows fail after ``count`` of them were read, as SQLite failing on a damaged page would."""
    from kztm_timeline import cache

    def arm(count: int) -> None:
        real = cache.CachedEvents._checked_lines

        def checked(self: cache.CachedEvents, rows: object, dataset: object) -> Iterator[str]:
            for number, line in enumerate(real(self, rows, dataset)):  # type: ignore[arg-type]  # passed through as given
                if number == count:
                    raise CacheDamaged("the cache could not be read to the end")
                yield line

        monkeypatch.setattr(cache.CachedEvents, "_checked_lines", checked)

    return arm


def test_damage_found_before_the_first_byte_is_answered_from_the_data_file(
    data: Path, private_cache: Path, damaged_after: Callable[[int], None]
) -> None:
    fresh = run(["list", "--json"], data, cache=False)
    run(["list"], data)
    damaged_after(0)
    assert run(["list", "--json"], data)[:2] == fresh[:2]
    assert Path(f"{database_of(private_cache, data)}.damaged").exists()


def test_damage_found_once_output_has_begun_stops_with_exit_1_and_the_next_run_is_right(
    data: Path, private_cache: Path, damaged_after: Callable[[int], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kztm_timeline import cache
    from kztm_timeline.cli import output

    originals = (output.write_pieces, cache.CachedEvents._checked_lines)
    monkeypatch.setattr(output, "write_pieces", _piece_by_piece(output.write_stdout))
    fresh = run(["list", "--json"], data, cache=False)
    run(["list"], data)
    database = database_of(private_cache, data)
    damaged_after(3)
    code, stdout, stderr = run(["list", "--json"], data)
    assert code == 1
    assert fresh[1].startswith(stdout)
    assert stdout != fresh[1]
    assert stderr == (
        "timeline: the parse cache turned out damaged while the answer was being written (the cache could not be read "
        f"to the end), so the output above is incomplete; it is kept as {database}.damaged for inspection. Run the "
        "command again: it reads the data file afresh\n"
    )
    monkeypatch.setattr(output, "write_pieces", originals[0])  # (not undo(): that would drop the private cache too)
    monkeypatch.setattr(cache.CachedEvents, "_checked_lines", originals[1])
    assert run(["list", "--json"], data)[:2] == fresh[:2]


def _piece_by_piece(write: Callable[..., None]) -> Callable[..., None]:
    """write_pieces writing each piece at once (the real one gathers 64 KiB first, more than this dataset holds)."""

    def pieces(parts: object, *, color: bool, **_options: object) -> None:
        for part in parts:  # type: ignore[attr-defined]  # an iterable of str
            write(part, color=color)

    return pieces


def test_an_answer_too_large_for_a_seal_is_not_kept_and_the_seal_still_vouches(data: Path, private_cache: Path) -> None:
    run(["list"], data)
    database = str(database_of(private_cache, data))
    seal.keep(database, {"memo:small": "1"})
    seal.keep(database, {"memo:huge": "x" * (2 << 20)})  # (a strict verdict of many thousand events, say)
    assert seal.kept(database, "memo:huge") is None
    assert seal.kept(database, "memo:small") == "1"
    assert seal.judge(database, os.stat(database)) == seal.SEALED
