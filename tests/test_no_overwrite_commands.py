"""Every command that writes a file checks it before working: an output path that names one
of the command's inputs is refused (the input is left as it was), and one that cannot be
written (a directory, a file for a folder) fails at once instead of after a long run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout import cli
from tapeout.errors import InputFileError
from tapeout.fileio import check_output

AUX = "RowBasedPlacement : top.nodes top.nets top.pl top.scl\n"


def _inputs(tmp_path: Path) -> dict[str, Path]:
    files = {
        "rtl": "module top(input a, output b); assign b = a; endmodule\n",
        "sdc": "create_clock -period 5 [get_ports clk]\n",
        "def": "VERSION 5.8 ;\nDESIGN top ;\nEND DESIGN\n",
        "lib": "library (x) {\n}\n",
        "aux": AUX,
        "nodes": "UCLA nodes 1.0\nNumNodes : 0\nNumTerminals : 0\n",
    }
    names = {"rtl": "top.v", "sdc": "top.sdc", "def": "top.def", "lib": "x.lib"}
    names |= {"aux": "bs/top.aux", "nodes": "bs/top.nodes"}
    paths = {}
    for key, text in files.items():
        path = tmp_path / names[key]
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        paths[key] = path
    return paths


# (command line with {rtl}, {sdc}, ... for the input files, the input it would replace)
OVER_AN_INPUT = {
    "synth -o": ("synth {rtl} --top top -o {rtl}", "rtl"),
    "synth --report-file": ("synth {rtl} --top top --sdc {sdc} --report-file {sdc}", "sdc"),
    "place": ("place {def} --sdc {sdc} -o {def}", "def"),
    "place --bookshelf": ("place --bookshelf {aux} -o {aux_dir}", "nodes"),
    "floorplan": ("floorplan {rtl} -o {rtl}", "rtl"),
    "sta --slack-file": ("sta --netlist {rtl} --liberty {lib} --sdc x --slack-file {rtl}", "rtl"),
    "characterize --grid-from": ("characterize --grid-from {lib} -o {lib}", "lib"),
}


@pytest.mark.parametrize("command", list(OVER_AN_INPUT))
def test_an_output_over_an_input_is_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = _inputs(tmp_path)
    line, replaced = OVER_AN_INPUT[command]
    names = {key: str(path) for key, path in paths.items()} | {"aux_dir": str(tmp_path / "bs")}
    before = {path: path.read_bytes() for path in paths.values()}
    assert cli.main(line.format(**names).split()) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and len(error.splitlines()) == 1, error
    assert "refusing to write over an input file" in error and str(paths[replaced]) in error
    assert {path: path.read_bytes() for path in paths.values()} == before
    assert sorted(tmp_path.rglob("*")) == sorted({*paths.values(), tmp_path / "bs"})


def test_synth_report_file_and_netlist_must_differ(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _inputs(tmp_path)
    netlist = tmp_path / "out.v"
    args = ["synth", str(paths["rtl"]), "--top", "top", "-o", str(netlist)]
    assert cli.main([*args, "--report-file", str(tmp_path / "." / "out.v")]) == 1
    error = capsys.readouterr().err
    assert "--report-file and the netlist are the same file" in error
    assert not netlist.exists()


@pytest.mark.parametrize("where", ["a directory", "below a file"])
def test_characterize_checks_its_output_before_simulating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """Fails at once, before the download and hours of simulation that would end in the
    error (the cache given does not exist: reaching the fetch would fail differently)."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("mine")
    output = tmp_path if where == "a directory" else blocker / "out.lib"
    cache = tmp_path / "no-cache"
    assert cli.main(["characterize", "--cache", str(cache), "-o", str(output)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: {output}: cannot write") and len(error.splitlines()) == 1
    assert blocker.read_text() == "mine" and not cache.exists()


def test_check_output_accepts_new_paths_and_creates_nothing(tmp_path: Path) -> None:
    check_output(tmp_path / "new" / "deeper" / "out.lib", [tmp_path / "in.lib"])
    (tmp_path / "old.lib").write_text("replaced when the work is done")
    check_output(tmp_path / "old.lib")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["old.lib"]
    with pytest.raises(InputFileError, match="not a directory"):
        check_output(tmp_path / "old.lib" / "out.lib")
    for too_long in (tmp_path / ("a" * 300) / "out.lib", tmp_path / ("a" * 300 + ".lib")):
        with pytest.raises(InputFileError, match="cannot write: File name too long"):
            check_output(too_long)
