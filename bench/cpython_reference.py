"""Measure the CPython reference timings used by content/06-execution-environment.ipynb.

    python bench/cpython_reference.py [OUT.json]     (default: cpython-reference-timings.json)

The workload and the method are exactly those of the notebook: one warm-up call, then the median
of 7 runs of timeit.repeat(number=1). Copy the output to content/data/ when it is the new reference.
"""

import datetime
import inspect
import json
import os
import platform
import statistics
import sys
import timeit
from pathlib import Path

import numpy as np

N = 1_000_000
REPEAT = 7


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


def main() -> None:
    assert squares_loop(N) == squares_numpy(N), "the two workloads must compute the same sum"
    load_before = os.getloadavg()[0]
    loop_ms, numpy_ms = median_ms(squares_loop), median_ms(squares_numpy)
    data = {
        "what": (
            "Reference timings for the workload of 06-execution-environment.ipynb, measured with "
            "native CPython (not in a browser) on the machine that built this site. A guide, not a benchmark."
        ),
        "machine": machine(load_before),
        "method": {
            "summary": f"one warm-up call, then the median of {REPEAT} runs of timeit.repeat(number=1)",
            "tool": "timeit.repeat",
            "number": 1,
            "repeat": REPEAT,
            "statistic": "median",
            "unit": "ms",
        },
        "workload": {
            "n": N,
            "squares_loop": inspect.getsource(squares_loop),
            "squares_numpy": inspect.getsource(squares_numpy),
        },
        "timings_ms": {"squares_loop": round(loop_ms, 1), "squares_numpy": round(numpy_ms, 1)},
    }
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "cpython-reference-timings.json")
    out.write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(data["timings_ms"]), "load", load_before)


if __name__ == "__main__":
    main()
