"""The numpy reference for the `small_model_18_stocks_10000_parameter_draws`
benchmark (benches/engine.rs): the same model, vectorised across draws.

What it is: a timing reference for BENCHMARKS.md, so carecast's speed on a
small model is compared with numpy on this machine rather than with a number
from elsewhere. What it is not: part of carecast or its tests (CI does not run
it; it needs numpy, which the project does not depend on).

The model is the one `small_model()` builds in benches/engine.rs: 18 single
years of age in one band and one placement, 8 care-leaver ages; each month
a share of the stock exits, then 1/12 of each age moves up (the 17-year-olds
to the care leavers, who age out at 26), then the expected entries arrive
(10,000 children a year of age × 30 per 10,000 a year, spread evenly over the
ages, a twelfth a month); child-weeks by the trapezium rule and the spend at
£1,000 a week. Each of 10,000 draws scales the entry rate and the exit
probability by lognormal factors (sd 0.1). Run:

    python3 benches/numpy_small_model.py

It prints the best of 5 timings, the mean final stock of the draws and the
final stock of the central run (factors 1): carecast's `small_model()` gives
the same central final stock (1,272.32 children), so the two are the same model.
"""

import time

import numpy as np

AGES, LEAVER_AGES, DRAWS, YEARS = 18, 8, 10_000, 10
WEEKS_PER_MONTH = 52.0 / 12.0


def run(entry_factor, exit_factor):
    draws = entry_factor.shape[0]
    stock = np.full((draws, AGES), 40.0)
    leavers = np.full((draws, LEAVER_AGES), 30.0)
    # 10,000 children a year of age, 30 entries per 10,000 a year, a twelfth a month, evenly over the ages.
    entries = (10_000.0 * AGES * 30.0 / 10_000.0 / 12.0 / AGES) * entry_factor[:, None] * np.ones(AGES)
    stay = 1.0 - np.minimum(0.03 * exit_factor, 1.0)[:, None]
    spend = np.zeros(draws)
    for _year in range(YEARS):
        for _month in range(12):
            before = stock.sum(axis=1)
            nxt = stock * stay
            moved = nxt * (1.0 / 12.0)
            nxt -= moved
            nxt[:, 1:] += moved[:, :-1]
            aged_out = moved[:, -1]
            nxt += entries
            moved_l = leavers * (1.0 / 12.0)
            leavers -= moved_l
            leavers[:, 1:] += moved_l[:, :-1]
            leavers[:, 0] += aged_out
            stock = nxt
            spend += 0.5 * (before + stock.sum(axis=1)) * WEEKS_PER_MONTH * 1_000.0
    return stock.sum(axis=1), spend


def main():
    rng = np.random.default_rng(0)
    entry_factor = np.exp(0.1 * rng.standard_normal(DRAWS))
    exit_factor = np.exp(0.1 * rng.standard_normal(DRAWS))
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        final, _spend = run(entry_factor, exit_factor)
        best = min(best, time.perf_counter() - t)
    central, _ = run(np.ones(1), np.ones(1))
    print(f"numpy {np.__version__}: {DRAWS} draws, {YEARS} years monthly, {AGES}+{LEAVER_AGES} stocks: "
          f"best of 5 {best:.3f} s; mean final stock {final.mean():.1f}; central final stock {central[0]:.4f}")


if __name__ == "__main__":
    main()
