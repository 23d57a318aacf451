"""Warnings and errors specific to sklstm."""

__all__ = ["InconsistentVersionWarning"]


class InconsistentVersionWarning(UserWarning):
    """An estimator was pickled with another sklstm version than the one loading it.

    Loading still works where the stored state allows, but predictions may differ;
    refit, or install the version it was saved with.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version
        super().__init__(
            f"{estimator_name} was saved with sklstm {original_version} and is loaded "
            f"with sklstm {current_version}; predictions may differ. Refit it, or "
            f"install sklstm=={original_version} to use it unchanged."
        )
