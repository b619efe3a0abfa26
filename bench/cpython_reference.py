"""Measure the CPython reference timings used by content/06-execution-environment.ipynb.

    python bench/cpython_reference.py [OUT.json]     (default: cpython-reference-timings.json)

The workload and the method are exactly those of the notebook: one warm-up call, then the median
of 7 runs of timeit.repeat(number=1). The script runs SESSIONS sessions, each in a fresh
interpreter (the same Python, `sys.executable`), PAUSE_S seconds apart, and reports the session
whose loop time is the median, with every session's numbers and load average beside it. Run it
with the Python to compare against (e.g. ~/.pyenv/versions/3.13.0/bin/python with numpy==2.4.3
installed) and copy the output to content/data/ when it is the new reference.
"""

import datetime
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

import numpy as np

N = 1_000_000
REPEAT = 7
SESSIONS = 5
PAUSE_S = 20


def squares_loop(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def squares_numpy(n):
    values = np.arange(n, dtype=np.int64)
    return int(values @ values)  # the dot product of values with itself


def median_ms(func, repeat=REPEAT):
    func(N)  # warm-up call, not timed
    return statistics.median(timeit.repeat(lambda: func(N), number=1, repeat=repeat)) * 1000


def first_value(path: str, key: str, separator: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(key):
            return line.split(separator, 1)[1].strip().strip('"')
    return "unknown"


def machine(load_before: float) -> dict:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "cpu_model": first_value("/proc/cpuinfo", "model name", ":"),
        "cores": os.cpu_count(),
        "os": f"{first_value('/etc/os-release', 'PRETTY_NAME', '=')}, {platform.machine()}",
        "date": datetime.date.today().isoformat(),
        "load_average_1min_before": round(load_before, 2),
    }


def one_session() -> dict:
    load_before = os.getloadavg()[0]
    loop_ms, numpy_ms = median_ms(squares_loop), median_ms(squares_numpy)
    timings = {"squares_loop": round(loop_ms, 1), "squares_numpy": round(numpy_ms, 1)}
    return {"timings_ms": timings, "load_average_1min_before": round(load_before, 2)}


def sessions() -> list:
    runs = []
    for i in range(SESSIONS):
        if i:
            time.sleep(PAUSE_S)
        out = subprocess.run([sys.executable, __file__, "--one-session"], capture_output=True, text=True)
        out.check_returncode()
        runs.append(json.loads(out.stdout))
        print(json.dumps(runs[-1]), file=sys.stderr)
    return runs


def main() -> None:
    assert squares_loop(N) == squares_numpy(N), "the two workloads must compute the same sum"
    runs = sessions()
    middle = sorted(runs, key=lambda r: r["timings_ms"]["squares_loop"])[len(runs) // 2]
    data = {
        "what": (
            "Reference timings for the workload of 06-execution-environment.ipynb, measured with "
            "native CPython (not in a browser) on the machine that built this site, a virtual machine "
            "shared with other jobs: a guide, not a benchmark. 'sessions' shows the spread between sessions."
        ),
        "machine": machine(middle["load_average_1min_before"]),
        "method": {
            "summary": (
                f"one warm-up call, then the median of {REPEAT} runs of timeit.repeat(number=1); "
                f"{SESSIONS} sessions, the median one reported"
            ),
            "tool": "timeit.repeat",
            "number": 1,
            "repeat": REPEAT,
            "statistic": "median",
            "unit": "ms",
            "sessions": f"{SESSIONS}, {PAUSE_S} s apart, each a fresh interpreter",
            "interpreter": f"CPython {platform.python_version()} with NumPy {np.__version__} (PyPI wheel)",
        },
        "workload": {
            "n": N,
            "squares_loop": inspect.getsource(squares_loop),
            "squares_numpy": inspect.getsource(squares_numpy),
        },
        "timings_ms": middle["timings_ms"],
        "sessions": runs,
    }
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "cpython-reference-timings.json")
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(data["timings_ms"]))


if __name__ == "__main__":
    if sys.argv[1:] == ["--one-session"]:
        print(json.dumps(one_session()))
    else:
        main()
