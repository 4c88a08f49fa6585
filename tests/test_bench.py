"""The benchmark script works (on a tiny size); its figures are read by people, not asserted."""

import subprocess
import sys

from conftest import ROOT


def test_the_results_benchmark_runs_and_reports_ratios(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_results.py"),
            "--groups",
            "2",
            "--units",
            "3",
            "--criteria",
            "16",
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "96 criterion scores" in result.stdout
    assert "per 100k criterion scores" in result.stdout
    assert "× the fetch" in result.stdout


def test_the_pages_benchmark_runs_and_reports_queries_and_ratios(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_pages.py"),
            "--criteria",
            "16",
            "--units",
            "3",
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "grid (16 criteria)" in result.stdout and "SQL queries" in result.stdout
    assert "× the baseline" in result.stdout
