"""``npo-analysis fetch``: download the current public DUO and CBS files."""

from __future__ import annotations

from pathlib import Path

import click

from npo_analysis.cli.errors import user_errors


@click.command("fetch")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Download directory; fetch.json there records URLs, checksums and dates.")
@click.option("--base-url", default=None,
              help="Fetch every file from BASE_URL/<file name> instead of DUO/CBS (a mirror).")
@click.option("--url", "urls", multiple=True, metavar="NAME=URL",
              help="Address of one file, e.g. --url scores=https://... (repeatable). Names: "
                   "addresses, pupils, end_scores, municipalities, scores.")
@click.option("--refresh", is_flag=True,
              help="Download again even when a cached copy with the recorded checksum exists.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait for a server before giving up.")
@click.option("--geometry-year", type=click.IntRange(2000, 2100), default=2023, show_default=True,
              help="Indeling year of the CBS municipality and wijk boundaries (PDOK WFS).")
@click.option("--wfs-url", default=None,
              help="WFS address of the boundaries instead of PDOK's (a mirror).")
@click.option("--no-geometry", is_flag=True, help="Do not download the boundaries.")
@user_errors
def command(out: Path, base_url: str | None, urls: tuple[str, ...], refresh: bool,
            timeout: float, geometry_year: int, wfs_url: str | None, no_geometry: bool) -> None:
    """Download the current public DUO and CBS files into a directory, with a cache.

    Files already present with the checksum recorded in fetch.json are not downloaded again.
    Without a network the command stops within --timeout seconds with a clear message and exit
    code 1. The URLs are listed in docs/real-data.md. Example:

    \b
      npo-analysis fetch --out data/public
    """
    from npo_analysis.data.sources.fetch import FetchError, fetch_public_files, public_file

    try:
        results = fetch_public_files(out, base_url=base_url, urls=_parsed(urls),
                                     refresh=refresh, timeout=timeout)
    except FetchError as exc:
        raise click.ClickException(str(exc)) from exc
    for result in results:
        if result.status == "skipped":
            item = public_file(result.key)
            click.echo(f"{result.key}: skipped, no direct download address; download "
                       f"'{item.title}' by hand from {item.page} into {result.path}, or pass "
                       f"--url {result.key}=URL")
        else:
            click.echo(f"{result.key}: {result.status} {result.path} "
                       f"(sha256 {result.sha256[:12]}...)")
    if not no_geometry:
        _fetch_geometry(out, geometry_year, wfs_url, refresh, timeout)


def _fetch_geometry(out: Path, year: int, wfs_url: str | None, refresh: bool,
                    timeout: float) -> None:
    """The CBS boundaries of ``year`` (:func:`npo_analysis.data.sources.geometry.fetch_boundaries`)."""
    from npo_analysis.data.sources.fetch import FetchError
    from npo_analysis.data.sources.geometry import fetch_boundaries

    try:
        results = fetch_boundaries(out, year, service=wfs_url, refresh=refresh, timeout=timeout)
    except FetchError as exc:
        raise click.ClickException(str(exc)) from exc
    for result in results:
        click.echo(f"{result.layer} {year}: {result.status} {result.path} ({result.features} "
                   f"features, sha256 {result.sha256[:12]}...)")


def _parsed(urls: tuple[str, ...]) -> dict[str, str]:
    parsed = {}
    for item in urls:
        name, sep, url = item.partition("=")
        if not sep or not name or not url:
            raise ValueError(f"--url {item!r}: expected NAME=URL, e.g. scores=https://...")
        parsed[name.strip()] = url.strip()
    return parsed
