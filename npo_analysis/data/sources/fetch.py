"""Downloading the public DUO and CBS files, with a cache, checksums and a fast offline failure.

The files and where they are published (DUO keeps one address for the current version of a
file; CBS publishes a new address per edition). Full addresses are in :data:`PUBLIC_FILES`:

- ``addresses``: DUO ``02.-alle-schoolvestigingen-basisonderwijs.csv`` (every regular primary
  school location), under https://duo.nl/open_onderwijsdata/images/;
- ``pupils``: DUO ``06.-historisch-overzicht-aantal-leerlingen-per-schoolvestiging.csv`` (pupils
  per school location per year since 1996, count date 1 October), same folder;
- ``end_scores``: DUO ``05.-gemiddelde-eindscores-bo-sbo-2018-2019.csv`` (mean end-of-primary
  test scores per school and test provider), same folder;
- ``municipalities``: CBS ``gemeenten-alfabetisch-2023.xlsx`` ("Gemeentelijke indeling op
  1 januari 2023"), under https://www.cbs.nl/-/media/cbs/onze-diensten/methoden/classificaties/overig/;
- ``scores``: no stable direct address. The CBS workbook "Achterstandsscores basisscholen" is
  published per count date as a *maatwerk* table on https://www.cbs.nl (search "achterstandsscores
  basisscholen"); pass its address with ``--url scores=URL`` or download it by hand.

``fetch_public_files`` downloads each file into a directory (atomically), skips files already
there whose checksum matches the one recorded earlier, and records name, URL, SHA-256, size and
download date in ``fetch.json``. Only the standard library (``urllib``) is used. A network that
does not answer fails within ``timeout`` seconds with :class:`FetchError`.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from npo_analysis.atomic import write_bytes_atomic, write_text_atomic
from npo_analysis.data.sources.common import file_sha256

#: Record of downloads kept in the download directory.
FETCH_FILE = "fetch.json"
#: Seconds to wait for a server before giving up.
DEFAULT_TIMEOUT = 10.0
_USER_AGENT = "npo-analysis (https://pypi.org/project/npo-analysis/) urllib"


@dataclass(frozen=True)
class PublicFile:
    """One public source file.

    Parameters
    ----------
    key : str
        Short name, also the import-public option it feeds (``addresses`` -> ``--addresses``).
    file_name : str
        Name of the file in the download directory (and under ``--base-url``).
    url : str
        Official download address; ``""`` when there is no stable direct address.
    title : str
        What the file is.
    page : str
        Page where people find the file by hand.
    """

    key: str
    file_name: str
    url: str
    title: str
    page: str


_DUO = "https://duo.nl/open_onderwijsdata/images/"
_CBS_CLASSIFICATIONS = ("https://www.cbs.nl/-/media/cbs/onze-diensten/methoden/classificaties/"
                        "overig/")

#: The public files, in download order.
PUBLIC_FILES: tuple[PublicFile, ...] = (
    PublicFile("addresses", "duo_02-alle-schoolvestigingen-basisonderwijs.csv",
               _DUO + "02.-alle-schoolvestigingen-basisonderwijs.csv",
               "DUO: alle schoolvestigingen basisonderwijs (adressen)",
               "https://duo.nl/open_onderwijsdata/primair-onderwijs/"),
    PublicFile("pupils",
               "duo_06-historisch-overzicht-aantal-leerlingen-per-schoolvestiging.csv",
               _DUO + "06.-historisch-overzicht-aantal-leerlingen-per-schoolvestiging.csv",
               "DUO: historisch overzicht aantal leerlingen per schoolvestiging",
               "https://duo.nl/open_onderwijsdata/primair-onderwijs/"),
    PublicFile("end_scores", "duo_gemiddelde-eindscores-bo-sbo-2018-2019.csv",
               _DUO + "05.-gemiddelde-eindscores-bo-sbo-2018-2019.csv",
               "DUO: gemiddelde eindscores bo/sbo 2018-2019",
               "https://duo.nl/open_onderwijsdata/primair-onderwijs/"),
    PublicFile("municipalities", "cbs_gemeenten-alfabetisch-2023.xlsx",
               _CBS_CLASSIFICATIONS + "gemeenten-alfabetisch-2023.xlsx",
               "CBS: gemeentelijke indeling 2023 (gemeenten alfabetisch)",
               "https://www.cbs.nl/nl-nl/onze-diensten/methoden/classificaties/overig/"
               "gemeentelijke-indelingen-per-jaar"),
    PublicFile("scores", "cbs_achterstandsscores-scholen-2019.xlsx", "",
               "CBS: achterstandsscores basisscholen, 1 oktober 2019",
               "https://www.cbs.nl (maatwerk: achterstandsscores basisscholen)"),
)


class FetchError(Exception):
    """A download failed: no network, a server that does not answer, or an HTTP error."""


@dataclass(frozen=True)
class FetchResult:
    """What happened to one file.

    Parameters
    ----------
    key : str
        The file's key in :data:`PUBLIC_FILES`.
    status : {"downloaded", "cached", "skipped"}
        ``skipped`` when the file has no download address.
    path : pathlib.Path
        Where the file is (or would be).
    sha256 : str
        Checksum of the file (``""`` when skipped).
    """

    key: str
    status: str
    path: Path
    sha256: str


def public_file(key: str) -> PublicFile:
    """Return the :class:`PublicFile` called ``key``; ``ValueError`` lists the known keys."""
    for item in PUBLIC_FILES:
        if item.key == key:
            return item
    raise ValueError(f"unknown public file {key!r}; expected one of "
                     f"{', '.join(item.key for item in PUBLIC_FILES)}")


def fetch_public_files(out: str | Path, base_url: str | None = None,
                       urls: dict[str, str] | None = None, refresh: bool = False,
                       timeout: float = DEFAULT_TIMEOUT,
                       today: dt.date | None = None) -> list[FetchResult]:
    """Download the public files into ``out`` and record them in ``out/fetch.json``.

    Parameters
    ----------
    out : path-like
        Download directory (created when missing).
    base_url : str, optional
        Fetch every file from ``base_url/<file_name>`` instead of its official address (a mirror,
        or a local test server).
    urls : dict of str to str, optional
        Addresses for single files by key, overriding both (``{"scores": "https://..."}``).
    refresh : bool
        Download again even when a cached copy with the recorded checksum exists.
    timeout : float
        Seconds to wait for a server (connecting and each read).
    today : datetime.date, optional
        Download date to record (default: today's date).

    Returns
    -------
    list of FetchResult
        One per file of :data:`PUBLIC_FILES`, in that order.

    Raises
    ------
    FetchError
        On the first file that cannot be downloaded; files downloaded before it are kept and
        recorded.
    ValueError
        When ``urls`` names an unknown file.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    overrides = dict(urls or {})
    for key in sorted(overrides):
        public_file(key)
    record = read_fetch_record(out)
    results = []
    date = (today or dt.date.today()).isoformat()
    try:
        for item in PUBLIC_FILES:
            url = overrides.get(item.key) or _base_url(base_url, item) or item.url
            results.append(_fetch_one(item, url, out, record, refresh, timeout, date))
    finally:
        write_text_atomic(out / FETCH_FILE,
                          json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return results


def read_fetch_record(out: str | Path) -> dict:
    """Return the content of ``out/fetch.json`` (``{}`` when absent).

    Raises
    ------
    ValueError
        When the file exists but is not a JSON object (names the file).
    """
    path = Path(out) / FETCH_FILE
    if not path.exists():
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc.msg}); delete it to download "
                         f"everything again") from exc
    if not isinstance(record, dict):
        raise ValueError(f"{path}: expected a JSON object keyed by file, found "
                         f"{type(record).__name__}")
    return record


def _base_url(base_url: str | None, item: PublicFile) -> str:
    return f"{base_url.rstrip('/')}/{item.file_name}" if base_url else ""


def _fetch_one(item: PublicFile, url: str, out: Path, record: dict, refresh: bool,
               timeout: float, date: str) -> FetchResult:
    target = out / item.file_name
    if not url:
        return FetchResult(item.key, "skipped", target, "")
    known = record.get(item.key, {})
    if not refresh and target.exists() and known.get("sha256") == file_sha256(target):
        return FetchResult(item.key, "cached", target, known["sha256"])
    data = download(url, timeout)
    write_bytes_atomic(target, data)
    checksum = file_sha256(target)
    record[item.key] = {"file": item.file_name, "url": url, "sha256": checksum,
                        "bytes": len(data), "downloaded": date, "title": item.title}
    return FetchResult(item.key, "downloaded", target, checksum)


def download(url: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Return the body of ``url``, failing within ``timeout`` seconds when there is no answer.

    Raises
    ------
    FetchError
        Naming the URL and the cause: HTTP status, refused connection, unknown host or time-out.
    """
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: cannot connect ({exc.reason}); are you offline? Download the "
                         f"files by hand (docs/real-data.md) or retry later") from exc
    except TimeoutError as exc:
        raise FetchError(f"{url}: no answer within {timeout:g} s; are you offline? Download "
                         f"the files by hand (docs/real-data.md) or retry later") from exc
