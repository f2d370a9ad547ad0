"""npo-analysis: education-disadvantage indicators, NPO/GOAB budget allocation and municipality
reports for Dutch municipalities."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("npo-analysis")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
