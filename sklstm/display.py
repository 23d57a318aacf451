"""TrainingCurveDisplay: how a fit went, epoch by epoch, in scikit-learn's Display
manner (``from_estimator``, ``plot(ax=...)``; matplotlib only when drawing)."""

import numpy as np
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import EarlyStopping

__all__ = ["TrainingCurveDisplay"]


class TrainingCurveDisplay:
    """Training and validation loss per epoch, the monitored validation score, the
    epoch whose weights the estimator kept, and the epochs where the learning rate
    changed.

    Build it with :meth:`from_estimator`; the constructor takes the figures
    themselves, and :meth:`plot` draws them.

    Parameters
    ----------
    epochs : ndarray of shape (n_epochs,)
    train_loss : ndarray of shape (n_epochs,)
    valid_loss : ndarray of shape (n_epochs,) or None
        The held-out part's loss, when the fit held one out.
    valid_score : ndarray of shape (n_epochs,) or None
        The held-out part's score (accuracy, micro-F1...), when early stopping
        watched it.
    best_epoch : int or None
        The epoch whose weights early stopping kept.
    lr : ndarray of shape (n_epochs,) or None
        The learning rate of each epoch.
    estimator_name : str or None

    Attributes
    ----------
    ax_ : matplotlib Axes
        The losses' axes.
    score_ax_ : matplotlib Axes or None
        The score's axes (sharing the epochs), if there is a score.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMClassifier, TrainingCurveDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.randn(rng.randint(3, 9), 2) for _ in range(100)]
    >>> y = [int(x[:, 0].sum() > 0) for x in X]
    >>> clf = LSTMClassifier(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)
    >>> display = TrainingCurveDisplay.from_estimator(clf)  # needs matplotlib
    >>> display.epochs.tolist(), display.ax_.get_xlabel()
    ([1, 2, 3, 4, 5], 'epoch')
    """

    def __init__(
        self,
        *,
        epochs,
        train_loss,
        valid_loss=None,
        valid_score=None,
        best_epoch=None,
        lr=None,
        estimator_name=None,
    ):
        self.epochs = epochs
        self.train_loss = train_loss
        self.valid_loss = valid_loss
        self.valid_score = valid_score
        self.best_epoch = best_epoch
        self.lr = lr
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None):
        """Read a fitted sklstm estimator's ``history_`` and plot it.

        Parameters
        ----------
        estimator : fitted sklstm estimator
        ax : matplotlib Axes, default=None
            Where to draw; a new figure if None.
        name : str, default=None
            The title; the estimator's class name if None.

        Returns
        -------
        TrainingCurveDisplay
        """
        check_is_fitted(estimator, "history_")
        history = estimator.history_

        def column(key):
            values = [row.get(key) for row in history]
            return None if None in values else np.asarray(values, dtype=float)

        # the epoch whose weights early stopping restored, if it ran
        stopping = [
            callback
            for _, callback in getattr(estimator.net_, "callbacks_", ())
            if isinstance(callback, EarlyStopping)
        ]
        display = cls(
            epochs=np.asarray([row["epoch"] for row in history]),
            train_loss=column("train_loss"),
            valid_loss=column("valid_loss"),
            valid_score=column("valid_score"),
            best_epoch=getattr(stopping[0], "best_epoch_", None) if stopping else None,
            lr=column("event_lr"),
            estimator_name=type(estimator).__name__,
        )
        return display.plot(ax=ax, name=name)

    def plot(self, ax=None, *, name=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure if None.
        name : str, default=None
            The title; ``estimator_name`` if None.

        Returns
        -------
        TrainingCurveDisplay
            ``self``, with ``ax_``, ``score_ax_`` and ``figure_`` set.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as error:
            raise ImportError(
                "TrainingCurveDisplay draws with matplotlib, which is not "
                'installed: pip install matplotlib (or "sklstm[examples]").'
            ) from error
        if ax is None:
            _, ax = plt.subplots()
        lines = ax.plot(self.epochs, self.train_loss, marker="o", label="training loss")
        if self.valid_loss is not None:
            lines += ax.plot(
                self.epochs, self.valid_loss, marker="o", label="validation loss"
            )
        self.score_ax_ = None
        if self.valid_score is not None:
            self.score_ax_ = ax.twinx()
            lines += self.score_ax_.plot(
                self.epochs,
                self.valid_score,
                marker="s",
                color="tab:green",
                label="validation score",
            )
            self.score_ax_.set_ylabel("validation score")
        if self.best_epoch is not None:
            lines.append(
                ax.axvline(
                    self.best_epoch,
                    color="gray",
                    linestyle="--",
                    label=f"weights kept (epoch {self.best_epoch})",
                )
            )
        for epoch in self.lr_changes():
            lines.append(
                ax.axvline(epoch, color="tab:red", linestyle=":", label="rate changed")
            )
        ax.set(xlabel="epoch", ylabel="loss", title=name or self.estimator_name)
        legend = {}  # each label once ("rate changed" may mark several epochs)
        for line in lines:
            legend.setdefault(line.get_label(), line)
        ax.legend(legend.values(), legend.keys())
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def lr_changes(self):
        """The epochs that began with a learning rate other than the one before.

        Returns
        -------
        list of int
        """
        if self.lr is None:
            return []
        changed = np.flatnonzero(self.lr[1:] != self.lr[:-1]) + 1
        return [int(self.epochs[i]) for i in changed]
