"""Sphinx configuration of the sklstm documentation.

Build: ``python -m sphinx -W -b html docs docs/_build/html`` (see the README). The
gallery runs the examples named in ``EXECUTED`` and shows the others' code; set
``SKLSTM_DOCS_QUICK=1`` to run none (the test suite's build).
"""

import os
import re
import sys
from pathlib import Path

import sklstm

ROOT = Path(__file__).resolve().parents[1]
# the examples import their helpers (datasets, plots) from their own folder
sys.path.insert(0, str(ROOT / "examples"))

project = "sklstm"
author = "the sklstm developers"
copyright = "sklstm developers"
release = version = sklstm.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "matplotlib.sphinxext.plot_directive",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]  # the API pages' layouts
exclude_patterns = [
    "_build",
    "_templates",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
]
suppress_warnings = ["config.cache"]  # sphinx-gallery's callables in the config

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True}
autodoc_typehints = "none"  # the numpydoc sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# the type fields are prose ("int or None", '{"lstm", "gru"}'), not references
numpydoc_xref_param_type = False


def plain_scikit_learn_references(app, what, name, obj, options, lines):
    """Methods inherited from scikit-learn (``score``, ``get_params``,
    ``set_fit_request``, ...) cite labels of scikit-learn's own documentation,
    which this site does not have: show those references as plain text."""
    if getattr(obj, "__module__", "").startswith("sklearn."):
        lines[:] = [SKLEARN_REFERENCE.sub(r"\1", line) for line in lines]


SKLEARN_REFERENCE = re.compile(r":(?:ref|term|doc):`([^`<]+?)\s*(?:<[^`]*>)?`")


def setup(app):
    app.connect("autodoc-process-docstring", plain_scikit_learn_references)


# -- user guide (Markdown) ------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# -- figures drawn at build time (the user guide's) ------------------------------
plot_basedir = str(ROOT / "examples")  # the figures are the examples' own
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]

# -- gallery ---------------------------------------------------------------------
#: the examples the full build runs: the demo and the fast ones, on data shipped
#: with the project; the others need data sets from elsewhere or long training
EXECUTED = ["demo", "next_token", "padding_and_lengths"]
QUICK = os.environ.get("SKLSTM_DOCS_QUICK") == "1"

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/(" + "|".join(map(re.escape, EXECUTED)) + r")\.py$",
    "ignore_pattern": r"(datasets|plots)\.py$",  # helpers, not examples
    "plot_gallery": "False" if QUICK else "True",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "show_memory": False,
    "min_reported_time": 5,
}

# -- HTML ---------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklstm {version}"
html_theme_options = {
    "navbar_end": ["navbar-icon-links"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_sidebars = {"index": []}
html_show_sourcelink = False
