"""torch's thread count under the usual ways of running fits side by side.

Prints the thread count torch sees in the main process, in joblib's process (loky)
and threading backends and in dask workers, then times two small fits one after the
other and in two threads (joblib's threading backend), with torch's default threads
and with ``torch.set_num_threads(1)``, and in two loky processes (start-up included).

Run ``python benchmarks/threads.py`` (about a minute on 2 CPU cores).
"""

import os
import time

import joblib
import numpy as np
import torch

from sklstm import LSTMClassifier


def thread_count(_):
    return os.getpid(), torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")


def fit(seed, X, y):
    return LSTMClassifier(
        hidden_size=128, max_epochs=2, early_stopping=False, tol=None, random_state=seed
    ).fit(X, y)


def main():
    print("(pid, torch threads, OMP_NUM_THREADS)")
    print("main process:", thread_count(0))
    calls = [joblib.delayed(thread_count)(i) for i in range(2)]
    print("loky, n_jobs=2:", joblib.Parallel(n_jobs=2)(calls))
    print("threading, n_jobs=2:", joblib.Parallel(n_jobs=2, backend="threading")(calls))
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c,
        Client(c) as client,
    ):
        print("dask workers:", client.gather(client.map(thread_count, range(2))))

    rng = np.random.RandomState(0)
    X = [rng.randint(2, 500, size=rng.randint(10, 60)).tolist() for _ in range(3000)]
    y = rng.randint(0, 2, size=3000)
    fits = [joblib.delayed(fit)(seed, X, y) for seed in range(2)]
    default = torch.get_num_threads()
    for threads in (default, 1):
        torch.set_num_threads(threads)
        start = time.perf_counter()
        for seed in range(2):
            fit(seed, X, y)
        serial = time.perf_counter() - start
        start = time.perf_counter()
        joblib.Parallel(n_jobs=2, backend="threading")(fits)
        threaded = time.perf_counter() - start
        print(
            f"torch threads {threads}: two fits one after the other {serial:.1f} s, "
            f"in two threads {threaded:.1f} s"
        )
    torch.set_num_threads(default)
    start = time.perf_counter()
    joblib.Parallel(n_jobs=2)(fits)
    print(f"two loky processes: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
