"""Series regression and windowed forecasting with LSTMRegressor
==============================================================

Each task against a naive baseline:

* Covid3Month: from 84 days of a country's Covid-19 cases, predict the death rate;
  baseline: the training mean.
* Airline passengers (monthly, 1949-1960): from the last 12 months predict the next;
  baseline: the last value. The series grows, so each window is divided by its last
  value and the model predicts the next month's ratio to it (a network would not
  extrapolate raw counts beyond the training range); test on the last 24 months.

Run: ``python examples/regression_forecasting.py [--data-home DIR]`` (about a minute
on 2 CPU cores); the first run downloads both sets (100 kB) into sklstm's data cache
(``sklstm.datasets.get_data_home``, or DIR).
"""

# %%
import argparse
from pathlib import Path

import numpy as np
from plots import OUTPUT, save_regression_figure
from sklearn.metrics import root_mean_squared_error

from sklstm import LSTMRegressor
from sklstm.datasets import fetch_airline, fetch_regression

parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
parser.add_argument("--data-home", type=Path, help="sklstm's data cache")
parser.add_argument("--out", type=Path, default=OUTPUT)
args = parser.parse_args()

# %%
X_train, y_train = fetch_regression(
    "Covid3Month", data_home=args.data_home, return_X_y=True
)
X_test, y_test = fetch_regression(
    "Covid3Month", "test", data_home=args.data_home, return_X_y=True
)
covid = LSTMRegressor(
    hidden_size=32, batch_size=16, lr=3e-3, max_epochs=60, dropout=0.2, random_state=0
).fit(X_train, y_train)
prediction = covid.predict(X_test)
baseline = np.full_like(y_test, y_train.mean())
print(
    f"Covid3Month test RMSE: LSTM {root_mean_squared_error(y_test, prediction):.4f}, "
    f"training mean {root_mean_squared_error(y_test, baseline):.4f}"
)
save_regression_figure(
    args.out / "regression_covid3month.png",
    covid,
    y_test,
    prediction,
    "Covid3Month: death rate",
)

# %%
series = fetch_airline(data_home=args.data_home)
window, test_months = 12, 24
starts = np.arange(len(series) - window)
windows = np.stack([series[s : s + window] for s in starts])
last = windows[:, -1]
X = windows / last[:, None]  # each window relative to its last month
y = series[starts + window] / last
train = starts + window < len(series) - test_months
forecaster = LSTMRegressor(
    hidden_size=32, batch_size=8, lr=3e-3, max_epochs=200, random_state=0
).fit(X[train], y[train])
forecast = forecaster.predict(X[~train]) * last[~train]
actual = series[starts[~train] + window]
print(
    f"airline, last {test_months} months, one step ahead: RMSE LSTM "
    f"{root_mean_squared_error(actual, forecast):.1f} passengers (thousands), "
    f"last value {root_mean_squared_error(actual, last[~train]):.1f}"
)
save_regression_figure(
    args.out / "forecast_airline.png",
    forecaster,
    actual,
    forecast,
    "Airline: next month's passengers",
)
