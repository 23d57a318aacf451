"""Where each file of the data sets comes from, and how it reaches the cache.

Every file is pinned to a commit, a release tag or a release file and checked
against its SHA-256 (MD5 where that is all its publisher gives) before use.
Downloads go through ``pooch`` (as in SciPy and scikit-image): to a temporary
file in the cache, renamed into place only once its checksum matches, so an
interrupted or corrupt download leaves nothing behind.
"""

import os
from pathlib import Path

import pooch
import requests

__all__ = ["FILES", "fetch_file", "get_data_home"]

#: the environment variable that moves the cache, as SCIKIT_LEARN_DATA does
DATA_HOME_VARIABLE = "SKLSTM_DATA"

#: cache name -> (URL, checksum) of every file a fetcher reads
FILES = {
    name: (url, checksum)
    for name, checksum, url in (
        line.split()
        for line in (Path(__file__).parent / "registry.txt")
        .read_text(encoding="utf-8")
        .splitlines()
        if line and not line.startswith("#")
    )
}


def get_data_home(data_home=None):
    """The folder of sklstm's data cache, created if missing.

    ``data_home`` if given, else the ``SKLSTM_DATA`` environment variable, else
    the user's cache folder (``~/.cache/sklstm`` on Linux, as ``pooch.os_cache``
    says on other systems).

    Returns
    -------
    pathlib.Path
    """
    home = data_home or os.environ.get(DATA_HOME_VARIABLE) or pooch.os_cache("sklstm")
    home = Path(home).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def fetch_file(name, data_home=None, download_if_missing=True):
    """The path of file ``name`` of :data:`FILES` in the cache, downloaded and
    checked first if it is not there (or does not match its checksum)."""
    url, checksum = FILES[name]
    home = get_data_home(data_home)
    path = home / name
    if not path.exists() and not download_if_missing:
        raise OSError(
            f"{path} is not in sklstm's data cache and download_if_missing=False. "
            f"Download {url} ({checksum}) to that path, or call again with "
            "download_if_missing=True."
        )
    store = pooch.create(
        path=home,
        base_url="",
        registry={name: checksum},
        urls={name: url},
        retry_if_failed=2,
    )
    try:
        return Path(store.fetch(name))
    except requests.exceptions.RequestException as error:
        raise OSError(
            f"Could not download {url} ({type(error).__name__}: {error}). Without "
            f"a network, download it elsewhere and put it at {path} "
            f"({checksum}), or point {DATA_HOME_VARIABLE} at a folder that holds it."
        ) from error
    except ValueError as error:  # pooch's checksum mismatch
        raise OSError(
            f"The file downloaded from {url} is not the expected one ({error}); "
            "nothing was kept. The server may have changed it or cut it short: "
            f"try again, or download it by hand to {path}."
        ) from error
