"""The benchmark scripts work (on a tiny size); their figures are read by people, not asserted."""

import subprocess
import sys

from conftest import ROOT


def run_bench(script: str, tmp_path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_results_benchmark_runs_and_reports_ratios(tmp_path):
    out = run_bench(
        "bench_results.py",
        tmp_path,
        "--groups",
        "2",
        "--units",
        "3",
        "--criteria",
        "16",
        "--repeat",
        "1",
    )
    assert "96 criterion scores" in out
    assert "per 100k criterion scores" in out
    assert "× the fetch" in out
    # The computation (cache emptied before each run) and a cache hit are reported apart.
    assert "results, cold (cache emptied before each run):" in out
    assert "results, cached (nothing changed):" in out


def test_the_pages_benchmark_runs_and_reports_queries_and_ratios(tmp_path):
    out = run_bench("bench_pages.py", tmp_path, "--criteria", "16", "--units", "3", "--repeat", "1")
    assert "grid (16 criteria)" in out and "SQL queries" in out
    assert "× the baseline" in out


def figure(out: str, label: str) -> int:
    import re

    match = re.search(re.escape(label) + r"\s*(\d+)", out)
    assert match, (label, out)
    return int(match.group(1))


def test_the_load_benchmark_serves_users_without_errors(tmp_path):
    out = run_bench("bench_load.py", tmp_path, "--users", "3", "--think", "0.2", "--duration", "3")
    for kind in ("healthz (baseline)", "grid", "dashboard", "save"):
        assert kind in out, out
    assert "× base" in out and "req/s" in out
    assert figure(out, "errors:") == 0, out
    assert figure(out, '"database is locked" in the server\'s log:') == 0, out
    assert figure(out, "score changes written (audit trail):") > 0, out


def test_the_load_benchmark_writers_mode_saves_without_locking(tmp_path):
    out = run_bench("bench_load.py", tmp_path, "--writers", "4", "--duration", "3")
    assert "4 writers" in out
    assert figure(out, "errors:") == 0, out
    assert figure(out, '"database is locked" in the server\'s log:') == 0, out
    assert figure(out, "score changes written (audit trail):") > 0, out


def test_the_registers_benchmark_runs_and_reports_ratios(tmp_path):
    out = run_bench("bench_registers.py", tmp_path, "--rows", "3000", "--units", "3")
    assert "(a) floor" in out
    assert "× the floor" in out
    assert "(c) indicators of all 3 units for 2025, SQLite: cold" in out
    assert "PostgreSQL" in out


def test_the_what_if_benchmark_runs_and_reports_ratios_and_its_target(tmp_path):
    out = run_bench(
        "bench_whatif.py", tmp_path, "--units", "3", "--criteria", "16", "--repeat", "3"
    )
    assert "3 units × 16 criteria" in out
    for label in (
        "what-if, page call (results in memory):",
        "what-if, cold (results cache emptied):",
        "engine only (whatif.what_if):",
        "what-if page, HTMX request (HTTP):",
    ):
        assert label in out and "× the baseline" in out.split(label)[1].split("\n")[0], out
    assert "[target ≤ 50 ms:" in out and "[target ≤ 100 ms:" in out


def test_the_number_checker_benchmark_reports_precision_and_recall(tmp_path):
    out = run_bench("bench_numbercheck.py", tmp_path)
    assert "precision" in out and "recall" in out and "× the baseline" in out
    overall = next(line for line in out.splitlines() if line.strip().startswith("all "))
    assert overall.split()[-2:] == ["1.00", "1.00"], out  # the corpus is the checker's spec
    assert "numbercheck-heldout.yaml" in out


def test_the_documents_benchmark_runs_and_reports_ratios(tmp_path):
    out = run_bench(
        "bench_documents.py", tmp_path, "--units", "3", "--criteria", "16", "--repeat", "1"
    )
    for kind in ("results-letter", "remediation-plan"):
        assert f"{kind}, cold:" in out and f"{kind}, cached:" in out, out
    assert "× the baseline" in out
