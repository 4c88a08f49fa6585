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


def test_the_pages_benchmark_runs_and_reports_queries_and_ratios(tmp_path):
    out = run_bench("bench_pages.py", tmp_path, "--criteria", "16", "--units", "3", "--repeat", "1")
    assert "grid (16 criteria)" in out and "SQL queries" in out
    assert "× the baseline" in out
