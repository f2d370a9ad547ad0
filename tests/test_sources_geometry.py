"""CBS boundaries: paging through a WFS (a local server), reading GeoJSON, the real 2023 file."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from npo_analysis.cli import main
from npo_analysis.data.geometry import geometry_problems
from npo_analysis.data.sources.fetch import read_fetch_record
from npo_analysis.data.sources.geometry import (
    SOURCE_LINE,
    boundary_file_name,
    combine_boundaries,
    dataset_geometry,
    fetch_boundaries,
    read_boundaries,
)


def _feature(code: str, x0: float) -> dict:
    ring = [[x0, 400000], [x0 + 1000, 400000], [x0 + 1000, 401000], [x0, 401000], [x0, 400000]]
    return {"type": "Feature", "properties": {"statcode": code, "statnaam": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


LAYERS = {
    "gemeente_gegeneraliseerd": [_feature(f"GM{k:04d}", 1000.0 * k) for k in range(1, 8)],
    "wijk_gegeneraliseerd": [_feature(f"WK0001{k:02d}", 1000.0 * k) for k in range(1, 3)],
}


class _WFS(http.server.BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(
            self.path).query).items()}
        if not query:  # a public file of npo_analysis.data.sources.fetch
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"file")
            return
        self.requests.append(query)
        start, count = int(query["STARTINDEX"]), int(query["COUNT"])
        namespace, _, layer = query["TYPENAMES"].partition(":")
        assert namespace == "gebiedsindelingen"
        page = LAYERS[layer][start:start + count]
        body = json.dumps({"type": "FeatureCollection", "features": page}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def wfs():
    _WFS.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WFS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/wfs"
    server.shutdown()
    server.server_close()


def test_fetch_pages_through_the_service_and_records_checksum_and_date(tmp_path, wfs):
    import datetime as dt

    results = fetch_boundaries(tmp_path, 2023, service=wfs, page_size=3,
                               today=dt.date(2026, 12, 4))
    municipality_pages = [r for r in _WFS.requests
                          if r["TYPENAMES"] == "gebiedsindelingen:gemeente_gegeneraliseerd"]
    # 7 features in pages of 3: requests from 0, 3 and 6 (the last holds 1 < 3)
    assert [r["STARTINDEX"] for r in municipality_pages] == ["0", "3", "6"]
    assert [r.features for r in results] == [7, 2]
    path = tmp_path / boundary_file_name(2023, "gemeente_gegeneraliseerd")
    record = read_fetch_record(tmp_path)["geometry_gemeente_gegeneraliseerd"]
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["downloaded"] == "2026-12-04" and record["features"] == 7
    frame = read_boundaries(path)
    assert frame.crs.to_epsg() == 28992
    assert list(frame["code"]) == [f"GM{k:04d}" for k in range(1, 8)]
    again = fetch_boundaries(tmp_path, 2023, service=wfs, page_size=3)
    assert [r.status for r in again] == ["cached", "cached"]


def test_the_fetch_command_downloads_the_boundaries(tmp_path, wfs):
    result = CliRunner().invoke(main, ["fetch", "--out", str(tmp_path), "--base-url", wfs,
                                       "--wfs-url", wfs, "--geometry-year", "2022"])
    assert result.exit_code == 0, result.output
    assert "gemeente_gegeneraliseerd 2022: downloaded" in result.output
    assert "(7 features" in result.output and "(2 features" in result.output
    record = read_fetch_record(tmp_path)
    wijken = record["geometry_wijk_gegeneraliseerd"]
    assert wijken["file"] == "cbs_wijk_gegeneraliseerd_2022.geojson"
    assert "addresses" in record


def test_a_service_answering_in_longitude_latitude_is_labelled_wgs84(tmp_path, wfs):
    from npo_analysis.data.sources.geometry import download_layer

    saved = LAYERS["wijk_gegeneraliseerd"]
    LAYERS["wijk_gegeneraliseerd"] = [_square("WK090101", 5.0)]
    try:
        collection = download_layer(wfs, "wijk_gegeneraliseerd")
    finally:
        LAYERS["wijk_gegeneraliseerd"] = saved
    path = tmp_path / "w.geojson"
    path.write_text(json.dumps(collection))
    assert read_boundaries(path).crs.to_epsg() == 4326


def test_read_boundaries_names_a_file_without_codes(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"naam": "A"},
         "geometry": {"type": "Point", "coordinates": [5, 52]}}]}))
    with pytest.raises(Exception, match=r"x.geojson: no code property; expected one of statcode"):
        read_boundaries(path)


@pytest.mark.realdata
def test_the_real_2023_municipalities(realdata: Path):
    path = realdata / "cbs_gemeenten-2023_gegeneraliseerd.geojson"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    listed = pd.read_csv(realdata / "cbs_gemeenten-alfabetisch-2023.csv", dtype=str)
    tables = {"municipalities": listed.rename(columns={"GemeentecodeGM": "municipality_code"})}
    imported = dataset_geometry(combine_boundaries([read_boundaries(path)]), tables)
    frame = imported.geometry
    assert len(frame) == 342 and frame.crs.to_epsg() == 28992
    assert imported.without_shape["municipality"] == []
    assert geometry_problems(frame, tables) == []
    assert shapely.is_valid(frame.geometry.array).all()
    # the Netherlands' land plus inland water is about 37,400 km2; the generalised outline
    # (3 decimals of a degree) lies within a few percent of it
    total = frame.geometry.area.sum() / 1e6
    assert 34_000 < total < 42_000
    assert SOURCE_LINE == "Bron: CBS, Kadaster"


def _square(code: str, lon: float) -> dict:
    ring = [[lon, 52.0], [lon + 0.1, 52.0], [lon + 0.1, 52.1], [lon, 52.1], [lon, 52.0]]
    return {"type": "Feature", "properties": {"statcode": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_import_public_geometry_keeps_the_indeling_and_says_what_it_left_out(tmp_path):
    from test_sources_cbs import write_score_workbook

    from npo_analysis.data.geometry import read_geometry

    fixtures = Path(__file__).parent / "fixtures" / "realformat"
    boundaries = tmp_path / "gemeenten.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _square("GM0901", 5.0), _square("GM0902", 5.1), _square("GM9999", 5.2)]}))
    out = tmp_path / "public"
    args = ["--addresses", fixtures / "addresses_current.csv", "--pupils",
            fixtures / "pupil_counts.csv", "--scores", write_score_workbook(tmp_path / "s.xlsx"),
            "--municipalities", fixtures / "municipalities.csv", "--geometry", boundaries,
            "--allow-unplaced", "--out", out]  # the score fixture's 99AD00 has no municipality
    result = CliRunner().invoke(main, ["import-public", *map(str, args)])
    assert result.exit_code == 0, result.output
    assert ("geometry: 2 municipality polygons; 1 not in the dataset left out (GM9999); 1 of "
            "the dataset without a polygon (GM0903)") in result.output
    geometry = read_geometry(out)
    assert list(geometry["code"]) == ["GM0901", "GM0902"]
    assert geometry.crs.to_epsg() == 28992
