"""Twelve months ahead on the airline passengers series with LSTMSeq2Seq
=====================================================================

From the last 24 months, forecast the next 12 (monthly passengers, 1949-1960),
feeding back its own forecasts month by month. The series trends upward, so the model
predicts each month relative to the last observed one (``relative="log_ratio"``): the
levels of the test years were never seen in training, their ratios were. Test: every
forecast origin of the last 24 months (13 windows of 12 months); training windows
end before the first test origin. Baseline: seasonal naive (the value 12 months
earlier), which is hard to beat on this strongly seasonal series.

Run: ``python examples/forecast_airline_seq2seq.py [--data-home DIR]`` (about a minute
on 2 CPU cores); the first run downloads the series (2 kB) into sklstm's data cache
(``sklstm.datasets.get_data_home``, or DIR).
"""

# %%
import argparse
from pathlib import Path

import numpy as np
from plots import OUTPUT, save_regression_figure
from sklearn.metrics import root_mean_squared_error

from sklstm import LSTMSeq2Seq
from sklstm.datasets import fetch_airline

parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
parser.add_argument("--data-home", type=Path, help="sklstm's data cache")
parser.add_argument("--out", type=Path, default=OUTPUT)
args = parser.parse_args()

series = fetch_airline(data_home=args.data_home)
history, horizon, test_months = 24, 12, 24
first_test = len(series) - test_months  # the first test forecast origin


def windows(origins):
    X = [series[t - history : t] for t in origins]
    y = [series[t : t + horizon] for t in origins]
    return X, y


X_train, y_train = windows(range(history, first_test - horizon + 1))
test_origins = range(first_test, len(series) - horizon + 1)
X_test, y_test = windows(test_origins)
print(f"{len(X_train)} training windows, {len(X_test)} test windows")

# %%
model = LSTMSeq2Seq(relative="log_ratio", random_state=0).fit(X_train, y_train)
forecast = np.concatenate(model.predict(X_test))
actual = np.concatenate(y_test)
seasonal_naive = np.concatenate(
    [series[t - 12 : t - 12 + horizon] for t in test_origins]
)
print(
    f"12 months ahead, RMSE over {len(X_test)} origins: LSTMSeq2Seq "
    f"{root_mean_squared_error(actual, forecast):.1f}, seasonal naive "
    f"{root_mean_squared_error(actual, seasonal_naive):.1f} (thousands of passengers)"
)
save_regression_figure(
    args.out / "forecast_airline_seq2seq.png",
    model,
    actual,
    forecast,
    "Airline: 12 months ahead",
)
