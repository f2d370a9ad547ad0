"""The report batch as one pipeline: national tables, jobs, execution, index, manifest, ``latest``.

:func:`run_reports` reads top to bottom:

1. build (or reuse) the national tables in ``<out>/tables/<key>/``, where ``key`` is the content
   hash of the data, the parameter files and the options (:mod:`npo_analysis.national.tables`), with
   the national analyses every report compares with
   (:mod:`npo_analysis.national.analyses`);
2. create the run directory ``<out>/<run_id>/`` (``run_id`` = UTC time ``YYYYMMDDTHHMMSSZ``,
   sortable; ``-02``, ``-03`` ... when taken);
3. plan one job per municipality (plus one per overview notebook) with its Papermill parameters
   ``municipality_code, year, data_dir, results_dir, params_dir, language``, ``export_dir``
   (``<run>/reports``, when the notebook declares it: the Excel workbook goes next to the HTML)
   and, when ``params/municipalities/<code>.yaml`` exists, its ``peers`` (and its ``language``
   when that file sets one);
4. with ``resume``, copy the reports whose inputs are unchanged from the run ``latest`` points
   at (same input hash: data, parameter files, notebook, parameters, the municipality's own
   parameter file, package version and HTML template; status ok; HTML present). Copies keep each
   run self-contained, so old runs can be deleted freely;
5. run the other jobs on the chosen executor (:mod:`.executors`) with a progress bar: Papermill
   executes the notebook with the warm engine ``npo-warm`` (:mod:`.engine`: a warm Jupyter
   kernel per worker, reset before every notebook; working directory = the notebook's folder)
   into
   ``<run>/notebooks/<code>.ipynb`` and nbconvert exports ``<run>/reports/<code>.html`` from the
   notebook in memory. A failing notebook, a kernel or worker that dies and a notebook that
   exceeds the per-notebook ``timeout`` are recorded (the error's last line, or the reason)
   and do not stop the others;
6. write ``<run>/index.html`` and ``<run>/manifest.json``, then point ``<out>/latest`` at the run
   (a relative symlink, replaced atomically).

Messages a worker writes on stderr while running a notebook go to ``<run>/logs/<code>.log``
(removed when empty); what the warm kernels write on stderr outside a notebook (start-up
warnings, crashes) goes to ``<run>/logs/kernels.log``
(removed when empty).
Every file is written atomically: a crashed run leaves no truncated file, and ``latest`` moves
only once the run's manifest exists.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import os
import shutil
import time
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from npo_analysis import __version__
from npo_analysis.atomic import atomic_path, write_bytes_atomic
from npo_analysis.batch.executors import get_executor
from npo_analysis.batch.html import ReportContext, export_html
from npo_analysis.batch.manifest import build_manifest, read_manifest, write_manifest
from npo_analysis.batch.resume import newest_incomplete, write_progress
from npo_analysis.errors import OutputWriteError
from npo_analysis.hashing import directory_sha256, file_sha256, json_sha256

DEFAULT_NOTEBOOK = Path("notebooks/municipality_report.ipynb")
#: Notebooks next to the report notebook that run once per batch, when present.
OVERVIEW_NOTEBOOKS = ("national_overview.ipynb", "explore_indicator.ipynb")
KERNEL = "python3"
#: Seconds a notebook may run before its kernel is stopped and the report marked failed.
DEFAULT_TIMEOUT = 600.0
#: Notebook parameter that receives ``<run>/reports`` (for the Excel workbook), when declared.
EXPORT_PARAMETER = "export_dir"
LATEST = "latest"
#: Log of what the warm kernels write outside a notebook (``<run>/logs/``).
KERNELS_LOG = "kernels.log"
TABLES_DIR = "tables"
MAX_ERROR_CHARS = 500
_TITLES = {"nl": "Onderwijsachterstanden en NPO: {name} ({code}), begrotingsjaar {year}",
           "en": "Education disadvantage and NPO: {name} ({code}), budget year {year}"}


@dataclass(frozen=True)
class ReportJob:
    """One notebook to execute and export (picklable: it travels to worker processes).

    Attributes
    ----------
    code, name : str
        Municipality code and name, or the overview notebook's stem twice.
    kind : {"municipality", "overview"}
        What the report is about.
    notebook : str
        Absolute path of the notebook to run.
    parameters : dict
        Papermill parameters.
    run_dir : str
        Absolute path of the run directory.
    context : ReportContext
        Title, dataset, language and timestamp for the HTML page.
    input_hash : str
        Hash of everything the report depends on (for ``resume``).
    timeout : float or None
        Seconds the notebook may run (``None``: no limit).
    """

    code: str
    name: str
    kind: str
    notebook: str
    parameters: dict
    run_dir: str
    context: ReportContext
    input_hash: str
    timeout: float | None = DEFAULT_TIMEOUT

    @property
    def notebook_out(self) -> str:
        """Path of the executed notebook, relative to the run directory."""
        return f"notebooks/{self.code}.ipynb"

    @property
    def html_out(self) -> str:
        """Path of the HTML report, relative to the run directory."""
        return f"reports/{self.code}.html"


@dataclass
class ReportResult:
    """How one report went (one entry of the manifest; paths relative to the run directory)."""

    code: str
    name: str
    kind: str
    status: str
    error: str | None
    parameters: dict
    duration_s: float
    notebook: str
    html: str | None
    html_sha256: str | None
    html_bytes: int | None
    input_hash: str
    reused_from: str | None = None


@dataclass
class RunSummary:
    """The outcome of :func:`run_reports`.

    Attributes
    ----------
    run_id : str
        The run's id (its directory name).
    run_dir, index, manifest, tables_dir : pathlib.Path
        The run directory, its ``index.html`` and ``manifest.json``, and the national tables.
    results : list of ReportResult
        Municipality reports sorted by code, then the overview reports.
    """

    run_id: str
    run_dir: Path
    index: Path
    manifest: Path
    tables_dir: Path
    results: list[ReportResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ReportResult]:
        """The reports that failed."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when every report was made, 1 otherwise."""
        return 1 if self.failed else 0


# --- Executing one job (runs in a worker process) ----------------------------------------------


def error_line(exc: BaseException) -> str:
    """One line describing an error: ``ValueError: ...`` (a notebook's own error when it is a
    Papermill execution error), whitespace collapsed, at most :data:`MAX_ERROR_CHARS`."""
    name = getattr(exc, "ename", None) or type(exc).__name__
    value = getattr(exc, "evalue", None) if getattr(exc, "ename", None) else str(exc)
    line = " ".join(f"{name}: {value}".split())
    return line[:MAX_ERROR_CHARS]


def _execute_notebook(job: ReportJob, target: Path):
    """Run the notebook into ``target`` (also when it fails).

    Returns
    -------
    (nbformat.NotebookNode or None, str or None)
        The executed notebook and ``None``, or ``None`` and the error line.
    """
    import papermill
    from papermill.iorw import write_ipynb

    from npo_analysis.batch.engine import ENGINE_NAME, KernelFailure, register
    from npo_analysis.batch.kernel import stderr_to

    register()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.stem}.{os.getpid()}.tmp.ipynb")
    logs = Path(job.run_dir) / "logs"
    try:
        with stderr_to(logs / f"{job.code}.log"):
            notebook = papermill.execute_notebook(
                job.notebook, str(staging), parameters=job.parameters, engine_name=ENGINE_NAME,
                kernel_name=KERNEL, cwd=str(Path(job.notebook).parent), progress_bar=False,
                log_output=False, request_save_on_cell_execute=False,
                notebook_timeout=job.timeout, kernel_log=logs / KERNELS_LOG)
        return notebook, None
    except KernelFailure as exc:  # the kernel died or ran out of time: keep what it made
        write_ipynb(exc.notebook, str(staging))
        return None, exc.reason[:MAX_ERROR_CHARS]
    except Exception as exc:  # a failing report is a result, not a crash of the batch
        return None, error_line(exc)
    finally:
        if staging.exists():
            os.replace(staging, target)
        _remove_if_empty(logs / f"{job.code}.log")


def execute_job(job: ReportJob) -> ReportResult:
    """Execute a job's notebook and export its HTML; never raises for a failing notebook.

    Parameters
    ----------
    job : ReportJob
        The job.

    Returns
    -------
    ReportResult
        ``status`` ``"ok"`` with the HTML's hash and size, or ``"failed"`` with ``error``.
    """
    start = time.perf_counter()
    run_dir = Path(job.run_dir)
    notebook, error = _execute_notebook(job, run_dir / job.notebook_out)
    html = digest = size = None
    if error is None:
        try:
            page = export_html(notebook, job.context).encode("utf-8")
            write_bytes_atomic(run_dir / job.html_out, page)
            html, digest, size = job.html_out, _bytes_sha256(page), len(page)
        except Exception as exc:  # an export problem fails this report only
            error = error_line(exc)
    if error is not None:  # no workbook without its page
        (run_dir / job.html_out).with_suffix(".xlsx").unlink(missing_ok=True)
    return ReportResult(
        code=job.code, name=job.name, kind=job.kind, status="failed" if error else "ok",
        error=error, parameters=job.parameters, notebook=job.notebook_out, html=html,
        duration_s=round(time.perf_counter() - start, 3), html_sha256=digest, html_bytes=size,
        input_hash=job.input_hash)


def _bytes_sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# --- Planning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    """What every job of a run shares."""

    data_dir: Path
    params_dir: Path
    tables_dir: Path
    year: int
    language: str
    dataset: dict
    base_hash: str
    generated_at: dt.datetime
    run_dir: Path
    timeout: float | None
    workbooks: bool = True


def _override(params_dir: Path, code: str):
    """The municipality's parameter file (validated) and its hash, or ``(None, None)``."""
    from npo_analysis.domain.params import load_municipality_file

    path = params_dir / "municipalities" / f"{code}.yaml"
    if not path.is_file():
        return None, None
    return load_municipality_file(path), file_sha256(path)


def declared_parameters(notebook: Path) -> frozenset[str]:
    """Names the notebook's ``parameters`` cell (the code cell tagged ``parameters``, as
    Papermill finds it) assigns at its top level; empty without such a cell.

    Read from the notebook's JSON with :mod:`ast` (not with Papermill or nbformat, which this
    process then need not import).

    Raises
    ------
    ValueError
        When the parameters cell is not valid Python (naming the notebook and the line).
    """
    import ast

    for cell in _notebook_json(notebook).get("cells", []):
        if cell.get("cell_type") != "code" or \
                "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError as exc:
            raise ValueError(f"{notebook}: the parameters cell is not valid Python (line "
                             f"{exc.lineno}: {exc.msg})") from None
        names = set()
        for node in tree.body:
            targets = (node.targets if isinstance(node, ast.Assign) else
                       [node.target] if isinstance(node, ast.AnnAssign) else [])
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        return frozenset(names)
    return frozenset()


def _notebook_json(notebook: Path) -> dict:
    import json

    return json.loads(Path(notebook).read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _hashed(parameters: dict) -> dict:
    """The parameters that identify a report's content: ``export_dir`` names the run, so only
    whether it is given counts (a report made without its workbook is not reused for a run
    that wants workbooks, ``--no-workbooks``)."""
    hashed = {k: v for k, v in parameters.items() if k != EXPORT_PARAMETER}
    if EXPORT_PARAMETER in parameters:
        hashed[EXPORT_PARAMETER] = True
    return hashed


def _common_parameters(notebook: Path, inputs: _Inputs) -> dict:
    parameters = {"year": inputs.year, "data_dir": str(inputs.data_dir),
                  "results_dir": str(inputs.tables_dir), "params_dir": str(inputs.params_dir),
                  "language": inputs.language}
    if inputs.workbooks and EXPORT_PARAMETER in declared_parameters(notebook):
        parameters[EXPORT_PARAMETER] = str(inputs.run_dir / "reports")
    return parameters


def municipality_job(code: str, name: str, notebook: Path, inputs: _Inputs,
                     common: dict | None = None) -> ReportJob:
    """The job of one municipality's report (see the module docstring for its parameters).

    ``common`` is :func:`_common_parameters` of the notebook (computed once per batch).
    """
    override, override_hash = _override(inputs.params_dir, code)
    language = inputs.language
    common = _common_parameters(notebook, inputs) if common is None else common
    parameters = {"municipality_code": code, **common}
    if override is not None:
        parameters["peers"] = list(override.peers)
        if "language" in override.model_fields_set:
            parameters["language"] = language = override.language
    title = _TITLES[language].format(name=name, code=code, year=inputs.year)
    context = ReportContext.from_dataset_info(inputs.dataset, title, inputs.generated_at,
                                              language)
    input_hash = json_sha256([inputs.base_hash, file_sha256(notebook), _hashed(parameters),
                              override_hash])
    return ReportJob(code, name, "municipality", str(notebook), parameters, str(inputs.run_dir),
                     context, input_hash, inputs.timeout)


def notebook_title(notebook: Path) -> str:
    """The text of the notebook's first level-1 heading (``# ...``), else its file stem."""
    for cell in _notebook_json(notebook).get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for line in _source(cell).splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return notebook.stem


def overview_job(notebook: Path, inputs: _Inputs) -> ReportJob:
    """The job of a national notebook (parameters without a municipality)."""
    parameters = _common_parameters(notebook, inputs)
    title = notebook_title(notebook)
    context = ReportContext.from_dataset_info(inputs.dataset, title, inputs.generated_at,
                                              inputs.language)
    input_hash = json_sha256([inputs.base_hash, file_sha256(notebook), _hashed(parameters)])
    return ReportJob(notebook.stem, title, "overview", str(notebook), parameters,
                     str(inputs.run_dir), context, input_hash, inputs.timeout)


def _municipality_names(data_dir: Path) -> dict[str, str]:
    """Code -> name, from the dataset's ``municipalities`` table (read with pyarrow alone)."""
    import pyarrow.parquet as pq

    from npo_analysis.errors import DatasetError

    path = data_dir / "municipalities.parquet"
    if not path.exists():
        raise DatasetError(f"{path}: table 'municipalities' is missing")
    try:
        table = pq.ParquetFile(path).read(columns=["municipality_code", "name"]).to_pydict()
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise DatasetError(f"{path}: not a readable Parquet file with the columns "
                           f"municipality_code and name ({exc})") from exc
    return dict(zip(table["municipality_code"], table["name"], strict=True))


def select_municipalities(names: dict[str, str], requested: list[str] | None) -> list[str]:
    """The codes to report on, sorted: all, or the requested ones (unknown codes fail)."""
    if requested is None:
        return sorted(names)
    unknown = sorted(set(requested) - set(names))
    if unknown:
        known = sorted(names)
        raise ValueError(f"municipalities: {', '.join(unknown)} not in the dataset; known codes: "
                         f"{', '.join(known[:8])}{', ...' if len(known) > 8 else ''} "
                         f"({len(known)})")
    return sorted(set(requested))


# --- Run directory, resume, latest --------------------------------------------------------------


def new_run_dir(out_dir: Path, now: dt.datetime) -> tuple[str, Path]:
    """Create ``<out>/<run_id>/`` with a sortable, timestamp-based id; return both."""
    stem = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir.mkdir(parents=True, exist_ok=True)
    for n in range(1, 100):
        run_id = stem if n == 1 else f"{stem}-{n:02d}"
        try:
            (out_dir / run_id).mkdir()
            return run_id, out_dir / run_id
        except FileExistsError:
            continue
    raise RuntimeError(f"{out_dir}: 99 runs started in the same second ({stem})")


def point_latest(out_dir: Path, run_id: str) -> Path:
    """Point the symlink ``<out>/latest`` at ``run_id`` (relative), replacing it atomically."""
    link = out_dir / LATEST
    staging = out_dir / f".{LATEST}.{os.getpid()}.tmp"
    if staging.is_symlink() or staging.exists():
        staging.unlink()
    staging.symlink_to(run_id, target_is_directory=True)
    os.replace(staging, link)
    return link


def _copy_atomic(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def reuse_previous(jobs: list[ReportJob], out_dir: Path, run_dir: Path) -> list[ReportResult]:
    """The finished reports of the newest interrupted run, then of ``latest``, whose inputs
    match (:mod:`npo_analysis.batch.resume`), copied into ``run_dir``."""
    sources = [s for s in (newest_incomplete(out_dir, exclude=run_dir),
                           (read_manifest(out_dir / LATEST), out_dir / LATEST))
               if s is not None and s[0] is not None]
    reused = []
    for job in jobs:
        found = next((r for r in (reuse(job, m, d) for m, d in sources) if r is not None), None)
        if found is not None:
            reused.append(found)
    return reused


def reuse(job: ReportJob, previous: dict | None, previous_dir: Path) -> ReportResult | None:
    """The previous run's result for ``job``, copied into this run, when its inputs match."""
    if previous is None:
        return None
    for entry in previous.get("reports", []):
        if (entry["kind"], entry["code"]) != (job.kind, job.code):
            continue
        html = previous_dir / (entry.get("html") or "")
        if entry["status"] != "ok" or entry["input_hash"] != job.input_hash or not html.is_file():
            return None
        run_dir = Path(job.run_dir)
        _copy_atomic(html, run_dir / job.html_out)
        _copy_atomic(previous_dir / entry["notebook"], run_dir / job.notebook_out)
        workbook = Path(entry["html"]).with_suffix(".xlsx")
        if (previous_dir / workbook).is_file():  # the report's Excel export, next to its HTML
            _copy_atomic(previous_dir / workbook, run_dir / Path(job.html_out).with_suffix(".xlsx"))
        origin = entry.get("reused_from") or previous["run_id"]
        return ReportResult(**{**entry, "html": job.html_out, "notebook": job.notebook_out,
                               "reused_from": origin})
    return None


# --- The pipeline -------------------------------------------------------------------------------


def _template_hash() -> str:
    return directory_sha256(files("npo_analysis") / "templates" / "npo_report")


def _tables(data_dir: Path, out_dir: Path, params_dir: Path, rounds: int, seed: int,
            verbose: bool) -> tuple[Path, dict]:
    """Build or reuse the national tables under ``<out>/tables/<key>`` (reusing them needs
    neither pandas nor the indicator code: :mod:`npo_analysis.national.key`)."""
    from npo_analysis.national.key import is_current, national_inputs

    inputs = national_inputs(data_dir, params_dir, None, rounds, seed)
    key = json_sha256(inputs)
    tables_dir = out_dir / TABLES_DIR / key[:16]
    progress = (lambda message: print(message, flush=True)) if verbose else None
    if not is_current(tables_dir, key):
        from npo_analysis.national.tables import build_national_tables

        build_national_tables(data_dir, tables_dir, params_dir=params_dir, rounds=rounds,
                              seed=seed, progress=progress)
    _national_analyses(data_dir, tables_dir, progress)
    return tables_dir, inputs


def _national_analyses(data_dir: Path, tables_dir: Path, progress) -> None:
    """Compute the national analyses into the tables once (not in every report's kernel)."""
    from npo_analysis.national.key import ANALYSES_COMPLETE, ANALYSES_DIR

    if (tables_dir / ANALYSES_DIR / ANALYSES_COMPLETE).is_file():
        return
    from npo_analysis.national.analyses import write_national_analyses
    from npo_analysis.national.tables import load_national_tables

    write_national_analyses(data_dir, tables_dir, load_national_tables(tables_dir).school_scores)
    if progress is not None:
        progress(f"national analyses written to {tables_dir / ANALYSES_DIR}")


def _execute(engine, jobs: list[ReportJob], verbose: bool, on_result=None
             ) -> list[ReportResult]:
    """Run the jobs on the (entered) executor ``engine`` with a progress bar; ``on_result``
    (optional) is called with the results so far after each one."""
    from tqdm import tqdm

    results = []
    if not jobs:
        return results
    with tqdm(total=len(jobs), desc="rapporten", unit="rapport", disable=not verbose) as bar:
        for result in engine.run(execute_job, jobs):
            results.append(result)
            if on_result is not None:
                on_result(results)
            bar.update(1)
            if result.status == "failed":
                bar.write(f"mislukt: {result.code}: {result.error}")
    return results


def _worker_setup(run_dir: Path, early: bool):
    """What each worker runs when it starts: its warm kernel at once (``early``), so kernels
    start while this process checks the national tables and plans the jobs."""
    if not early:
        return None
    from npo_analysis.batch.kernel import start_kernel_early  # jupyter_client only, no Papermill

    return functools.partial(start_kernel_early, KERNEL, str(run_dir / "logs" / KERNELS_LOG))


def _discard_unfinished(run_dir: Path) -> None:
    """Remove a run directory that never got a report (the batch failed before running any)."""
    if run_dir.is_dir() and not (run_dir / "notebooks").exists():
        shutil.rmtree(run_dir, ignore_errors=True)


def _finish(run_id: str, run_dir: Path, out_dir: Path, tables_dir: Path, results: list,
            header: dict, inputs: _Inputs) -> RunSummary:
    """Write the index and the manifest, then move ``latest`` (an empty kernels' log goes)."""
    from npo_analysis.batch.html import long_date
    from npo_analysis.batch.index import cached_key_figures, render_index, write_index

    _remove_if_empty(run_dir / "logs" / KERNELS_LOG)

    figures = cached_key_figures(inputs.data_dir, tables_dir, inputs.year)
    created = (f"{long_date(inputs.generated_at.date(), inputs.language)}, "
               f"{inputs.generated_at.strftime('%H:%M')}")
    page = render_index(figures, results, year=inputs.year, dataset=inputs.dataset,
                        run_id=run_id, created=created, version=__version__,
                        language=inputs.language)
    index = write_index(run_dir, page)
    manifest = write_manifest(run_dir, build_manifest(header, results))
    point_latest(out_dir, run_id)
    return RunSummary(run_id, run_dir, index, manifest, tables_dir, results)


def _remove_if_empty(path: Path) -> None:
    if path.is_file() and path.stat().st_size == 0:
        path.unlink()


def _ordered(results: list[ReportResult]) -> list[ReportResult]:
    kinds = {"municipality": 0, "overview": 1}
    return sorted(results, key=lambda r: (kinds[r.kind], r.code))


def _overview_notebooks(notebook: Path, overviews) -> list[Path]:
    if overviews is None:
        return [p for p in (notebook.parent / n for n in OVERVIEW_NOTEBOOKS) if p.is_file()]
    return [Path(p).resolve() for p in overviews]


def guarded_outputs(run):
    """Decorate :func:`run_reports` with :func:`outputs_guard` on its ``out_dir``."""

    @functools.wraps(run)
    def guarded(data_dir, out_dir, **options):
        out_dir = Path(out_dir).resolve()
        with outputs_guard(out_dir, out_dir.exists()):
            return run(data_dir, out_dir, **options)

    return guarded


#: ``errno`` values of a failed write: no space, quota, file too large, read-only, I/O error.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO})


@contextlib.contextmanager
def outputs_guard(out_dir: Path, out_existed: bool):
    """Turn a failed write (:data:`WRITE_ERRNOS`) into :class:`~npo_analysis.errors.
    OutputWriteError` naming the path and how much the run wrote, and remove an ``--out`` folder
    this run created and left empty (a run that failed before any report).

    ``latest`` is only moved by a run that finished, so it and earlier runs stay as they were.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno not in WRITE_ERRNOS:
            raise
        written = _bytes_written(out_dir, out_existed)
        raise OutputWriteError(exc.filename or out_dir, exc.strerror or str(exc), written
                               ) from None
    finally:
        if not out_existed and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()


def _bytes_written(out_dir: Path, out_existed: bool) -> int:
    """Bytes under the newest run folder of ``out_dir`` (all of ``out_dir`` when it is new)."""
    runs = sorted(p for p in out_dir.iterdir() if p.is_dir() and p.name[:1].isdigit()) \
        if out_dir.is_dir() else []
    root = out_dir if not out_existed or not runs else runs[-1]
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


@guarded_outputs
def run_reports(data_dir: str | Path, out_dir: str | Path, *, year: int,
                municipalities: list[str] | None = None, workers: int | None = None,
                resume: bool = False, notebook: str | Path = DEFAULT_NOTEBOOK,
                language: str = "nl", executor: str = "local", scheduler: str | None = None,
                timeout: float | None = DEFAULT_TIMEOUT, params_dir: str | Path = "params",
                overview_notebooks=None, workbooks: bool = True, rounds: int = 10,
                seed: int = 0, verbose: bool = True) -> RunSummary:
    """Make the reports of a batch of municipalities (see the module docstring for the steps).

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.
    out_dir : path-like
        Where runs go: ``<out>/<run_id>/``, ``<out>/latest`` and ``<out>/tables/``.
    year : int
        Budget year of the reports (needs ``<params_dir>/<year>.yaml``).
    municipalities : list of str, optional
        Municipality codes (default: every municipality of the dataset).
    workers : int, optional
        Worker processes of the ``local`` executor, or of the local Dask cluster (default: the
        number of cores).
    resume : bool
        Copy reports whose inputs are unchanged from the latest run instead of rerunning them.
    notebook : path-like
        The report notebook (``notebooks/municipality_report.ipynb``).
    language : {"nl", "en"}
        Report language, unless a municipality's parameter file sets its own.
    executor : {"local", "serial", "dask"}
        How the notebooks run (:mod:`npo_analysis.batch.executors`).
    scheduler : str, optional
        Dask scheduler address (``executor="dask"`` only; default: a local cluster).
    timeout : float or None
        Seconds one notebook may run; then its kernel is stopped and the report fails
        (``None``: no limit).
    params_dir : path-like
        The parameter directory.
    overview_notebooks : list of path-like, optional
        National notebooks run once per batch (default: ``national_overview.ipynb`` and
        ``explore_indicator.ipynb`` next to ``notebook``, when present).
    workbooks : bool
        Pass ``export_dir`` (``<run>/reports``) to a notebook that declares it, so that each
        report writes its Excel workbook next to its HTML page; ``False``: HTML pages only.
    rounds, seed : int
        Indicator options of the national tables.
    verbose : bool
        Show progress (status lines and a progress bar on stderr/stdout).

    Returns
    -------
    RunSummary
        Its ``exit_code`` is 1 when any report failed.

    Raises
    ------
    ValueError, FileNotFoundError
        On bad input, before any notebook runs: unknown municipality codes, a year without
        budgets, a missing notebook or data directory, an unknown executor.
    """
    data_dir, out_dir = Path(data_dir).resolve(), Path(out_dir).resolve()
    params_dir, notebook = Path(params_dir).resolve(), Path(notebook).resolve()
    if not notebook.is_file():
        raise FileNotFoundError(f"{notebook}: report notebook not found")
    workers = get_executor(executor, workers, scheduler).workers  # check before any work
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout={timeout!r}: expected a number of seconds > 0 (or None)")
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir}: data directory does not exist")
    _check_year(year, params_dir)
    generated_at = dt.datetime.now().astimezone().replace(microsecond=0)
    run_id, run_dir = new_run_dir(out_dir, generated_at)
    setup = _worker_setup(run_dir, early=not resume)
    try:
        with get_executor(executor, workers, scheduler, setup) as engine:
            names = _municipality_names(data_dir)  # the workers start meanwhile
            codes = select_municipalities(names, municipalities)
            tables_dir, national = _tables(data_dir, out_dir, params_dir, rounds, seed, verbose)
            inputs = _Inputs(data_dir, params_dir, tables_dir, year, language,
                             _dataset_info(data_dir),
                             json_sha256([national, __version__, _template_hash()]),
                             generated_at, run_dir, timeout, workbooks)
            jobs = _jobs(codes, names, notebook, inputs, overview_notebooks)
            reused = reuse_previous(jobs, out_dir, run_dir) if resume else []
            done = {(r.kind, r.code) for r in reused}
            todo = [job for job in jobs if (job.kind, job.code) not in done]
            write_progress(run_dir, run_id, reused)
            results = _ordered(reused + _execute(
                engine, todo, verbose,
                lambda so_far: write_progress(run_dir, run_id, reused + so_far)))
    except BaseException:
        _discard_unfinished(run_dir)
        raise
    header = {"run_id": run_id, "complete": True,
              "generated_at": generated_at.isoformat(), "year": year,
              "language": language, "executor": executor, "workers": workers,
              "scheduler": scheduler, "timeout_s": timeout,
              "dataset": inputs.dataset, "data_hash": national["data_hash"],
              "params_hash": national["params_hash"], "tables_dir": str(tables_dir),
              "tables_key": tables_dir.name,
              "notebook": str(notebook), "notebook_hash": file_sha256(notebook)}
    return _finish(run_id, run_dir, out_dir, tables_dir, results, header, inputs)


def _check_year(year: int, params_dir: Path) -> None:
    """The budget year needs its parameter file (the national tables hold every such year)."""
    from npo_analysis.domain.params import params_years

    years = params_years(params_dir)
    if year not in years:
        raise ValueError(f"year={year!r}: no parameter file in {params_dir} "
                         f"(budget years: {years})")


def _jobs(codes: list[str], names: dict, notebook: Path, inputs: _Inputs,
          overview_notebooks) -> list[ReportJob]:
    """One job per municipality, then one per overview notebook."""
    common = _common_parameters(notebook, inputs)
    jobs = [municipality_job(code, names[code], notebook, inputs, common) for code in codes]
    return jobs + [overview_job(p, inputs)
                   for p in _overview_notebooks(notebook, overview_notebooks)]


def _dataset_info(data_dir: Path) -> dict:
    import json

    from npo_analysis.data.metadata import INFO_FILE, DatasetInfo

    return json.loads(DatasetInfo.from_file(data_dir / INFO_FILE).to_json())

