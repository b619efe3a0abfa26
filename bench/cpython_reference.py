"""Measure the CPython reference timings used by content/06-execution-environment.ipynb.

The workload and the method are exactly those of the notebook: one warm-up call, then the median of
7 runs of timeit.repeat(number=1). Writes content/data/cpython-reference-timings.json.
"""
import datetime, inspect, json, os, platform, statistics, sys, timeit
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

assert squares_loop(N) == squares_numpy(N)
load_before = os.getloadavg()[0]
loop_ms, numpy_ms = median_ms(squares_loop), median_ms(squares_numpy)
cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
osname = next(l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME"))
data = {
    "what": ("Reference timings for the workload of 06-execution-environment.ipynb, measured with "
             "native CPython (not in a browser) on the machine that built this site. A guide, not a benchmark."),
    "machine": {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "os": f"{osname}, {platform.machine()}",
        "date": datetime.date.today().isoformat(),
        "load_average_1min_before": round(load_before, 2),
    },
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
out = sys.argv[1] if len(sys.argv) > 1 else "cpython-reference-timings.json"
with open(out, "w") as f:
    json.dump(data, f, indent=2)
    f.write("\n")
print(json.dumps(data["timings_ms"]), "load", load_before)
