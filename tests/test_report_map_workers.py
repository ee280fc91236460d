"""The processes that draw the print maps (reports.maps): started before a run reads its inputs, drawing while
the run writes its documents, dying with the run; the run's own process never loads matplotlib; what a worker
measures or embeds does not depend on when or where it was drawn."""

import io
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from test_report_fixtures import make_instance, make_plan

from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports import maps
from healthplan.reports.config import ReportConfig

ROOT = Path(__file__).resolve().parents[1]


def _gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for its reaper counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


# ---------------------------------------------------------------------------------------------- processes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the workers are forked on Linux only")
def test_workers_die_with_the_run_that_started_them():
    """A run killed at any moment (here: while its workers still import matplotlib) leaves no worker
    behind."""
    script = textwrap.dedent("""
        import multiprocessing, sys, time
        from healthplan.reports.maps import MapWorkers
        workers = MapWorkers(2)
        print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
        time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2 and not any(_gone(p) for p in pids)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_gone(p) for p in pids), f"workers {pids} outlived the killed run"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the workers are forked on Linux only")
def test_closing_workers_that_drew_nothing_ends_them():
    workers = maps.MapWorkers(2)
    procs = [p for p in multiprocessing.active_children() if not p.name.startswith("Sync")]
    assert procs
    workers.close()
    workers.close()  # twice is harmless
    for p in procs:
        p.join(timeout=30)
    assert not any(p.is_alive() for p in procs)
    assert not workers.take()  # closed workers draw no maps: start_maps starts its own or draws serially


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the workers are forked on Linux only")
def test_inputs_without_geometry_end_the_workers_when_read():
    inst = make_instance(geometry=False)
    workers = maps.MapWorkers(2)
    procs = [p for p in multiprocessing.active_children() if not p.name.startswith("Sync")]
    workers.prepare(inst, ReportConfig(), "zh")  # plain tables: no map to draw
    for p in procs:
        p.join(timeout=30)
    assert not any(p.is_alive() for p in procs) and not workers.take()


def test_the_runs_own_process_needs_no_matplotlib():
    """Deciding which maps to draw, starting the workers, the documents and map.html: no matplotlib import
    (the workers import it while the run reads its inputs)."""
    code = textwrap.dedent("""
        import sys
        import healthplan.reports.maps, healthplan.reports.writer, healthplan.reports.htmlmap
        import healthplan.scenarios.runner
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib")
        assert not loaded, loaded[:5]
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]


PROGRESS_RUN = """
import sys, threading
from contextlib import contextmanager
from pathlib import Path
from test_report_fixtures import make_instance, make_plan
from healthplan.reports import maps
from healthplan.scenarios import runner
from healthplan.scenarios.schema import load_scenario

inst = make_instance()
plan = make_plan(inst)
runner.prepare_instance = lambda scen, **kw: inst
runner.solve_scenario = lambda scen, instance, **kw: plan
started = []
real_start = maps.start_workers

def start_workers(workers=None):
    threads = threading.active_count()
    w = real_start(workers)
    started.append((w, threads))
    return w

maps.start_workers = start_workers

class TerminalStages:  # as scenarios.progress.Stages on a terminal: a thread runs during each stage
    @contextmanager
    def stage(self, key, label):
        stop = threading.Event()
        spinner = threading.Thread(target=stop.wait, name="spinner")
        spinner.start()
        try:
            yield
        finally:
            stop.set()
            spinner.join()

    def note(self, message):
        pass

scen = load_scenario(Path("scenarios/demo.yaml"))
scen = scen.model_copy(update={"report": type(scen.report)(title="测试县")})  # no overrides of demo sites
result = runner.run_scenario(scen, out=Path(sys.argv[1]), stages=TerminalStages())
(workers, threads), = started
assert threads == 1 and workers is not None, (threads, workers)  # forked before any stage, one thread
assert not workers.take()  # ... and it drew this run's maps
out = result.out_dir.resolve()
names = [f.relative_to(out).as_posix() for f in result.files if f.suffix in (".png", ".pdf")]
assert names[:2] == ["maps/current.png", "maps/current.pdf"], names[:2]
print("OK", len(names))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the workers are forked on Linux only")
def test_a_progress_thread_does_not_make_the_maps_serial(tmp_path):
    """rich's progress display runs a thread during every stage of a run in a terminal; a fork while it runs
    could copy a lock it holds, so the maps must not fork then: the runner starts the workers before the
    first stage, and the maps are drawn by them. (A fresh process: threads other tests left would make it
    serial.)"""
    path = os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    env.pop(maps.WORKERS_ENV, None)
    proc = subprocess.run([sys.executable, "-c", PROGRESS_RUN, str(tmp_path / "run")], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=600)
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr[-3000:]


# ---------------------------------------------------------------------------------------------- determinism


def test_font_subsets_carry_no_time_stamp(monkeypatch):
    """matplotlib copies the registered subset's head table into every PDF: a 'now' in it made two runs' PDFs
    differ."""
    from fontTools.misc import timeTools
    from fontTools.ttLib import TTFont

    from healthplan.reports import map_fonts

    chars = map_fonts.chars_of(["时间戳测试县卫生院"])
    family = map_fonts.subset_family(chars)
    path = next(p for p in map_fonts.subset_folder().glob("*.ttf") if family.endswith(p.stem))
    first = path.read_bytes()
    # the same characters again, a day later: the same bytes
    monkeypatch.setattr(timeTools, "time", type("Clock", (), {"time": staticmethod(lambda: 1.9e9)}))
    map_fonts._REGISTERED.pop(path.stem)
    path.unlink()  # made again, not found
    assert map_fonts.subset_family(chars) == family
    assert path.read_bytes() == first
    with TTFont(io.BytesIO(first)) as font:
        assert font["head"].modified == font["head"].created


def test_the_html_font_is_cut_from_the_runs_subset_with_the_same_bytes(monkeypatch):
    """A run reads the 5 MB font once: the map worker's subset (announced with ``expect``) is the source of the
    HTML map's smaller WOFF, which comes out byte for byte as if cut from the full font."""
    from healthplan.reports import fonts, map_fonts

    for name in ("_EXPECTED", "_REGISTERED", "_CHARS"):  # nothing made earlier in this process is a source
        monkeypatch.setattr(map_fonts, name, {})
    reads = []
    real_path = fonts.font_path

    def counted() -> Path:
        reads.append(1)
        return real_path()

    monkeypatch.setattr(fonts, "font_path", counted)
    run = map_fonts.chars_of(["测试县卫生院急救站发热门诊次中心覆盖人口"])
    page = map_fonts.chars_of(["测试县发热门诊"])
    direct = {f: map_fonts.subset_bytes(page, flavor=f) for f in ("woff", None)}
    assert len(reads) == 2  # both cut from the full font
    map_fonts.expect(run)
    map_fonts._subset_file(run)  # as the worker makes it while the run solves
    assert len(reads) == 3

    def full_font() -> Path:
        raise AssertionError("the full font was read again")

    monkeypatch.setattr(fonts, "font_path", full_font)
    for flavor, data in direct.items():  # the WOFF of map.html and the TTF of the maps
        assert map_fonts.subset_bytes(page, flavor=flavor) == data
    with pytest.raises(AssertionError, match="read again"):  # a character outside the run's subset: full font
        map_fonts.subset_bytes(page | {"鹤"}, flavor="woff")


def test_a_label_measures_the_same_on_every_map():
    """Label sizes are kept per text for the life of a worker: measured where the figure's origin is, not
    where the label stands, so the first map a worker draws does not change the others."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from matplotlib import rc_context

    from healthplan.reports import map_labels
    from healthplan.reports.fonts import rc_params
    from healthplan.reports.map_labels import Label, _size

    sizes = []
    with rc_context(rc_params()):
        for x0, lab_xy in ((0.0, (3.3e5, 2.9e6)), (-1e7, (1.234567e6, 4.7e6))):
            map_labels._SIZES.clear()
            fig = Figure(figsize=(11.69, 8.27), dpi=300)
            FigureCanvasAgg(fig)
            ax = fig.add_axes((0.1, 0.1, 0.6, 0.8))
            ax.set_xlim(x0, x0 + 7e5 + lab_xy[0])
            ax.set_ylim(0, 9e6)
            lab = Label("城关镇卫生院", *lab_xy, 5.0, {"fontsize": 7.5, "color": "#222222"})
            sizes.append(_size(ax, lab, fig.canvas.get_renderer()))
            assert _size(ax, lab, fig.canvas.get_renderer()) == sizes[-1]  # kept
    assert sizes[0] == sizes[1]  # bit for bit, whatever the axes and the anchor


# ------------------------------------------------------------------------------------------- work done once


def test_a_run_computes_the_money_and_the_plan_level_list_once(tmp_path, monkeypatch):
    from healthplan.reports import appendix, funding, projects, writer

    calls = {"project_money": 0, "programme_table": 0}

    def counted(name, fn):
        def wrapper(*args, **kw):
            calls[name] += 1
            return fn(*args, **kw)
        return wrapper

    for mod in (writer, projects, appendix, funding):
        if hasattr(mod, "project_money"):
            monkeypatch.setattr(mod, "project_money", counted("project_money", funding.project_money))
    for mod in (writer, appendix):
        monkeypatch.setattr(mod, "programme_table", counted("programme_table", projects.programme_table))
    inst = make_instance()
    writer.write_run(tmp_path / "run", inst, make_plan(inst), report=ReportConfig(maps=False, html_map=False),
                     opt=OptimizerConfig(), timings={}, scenario_name="测试")
    assert calls == {"project_money": 1, "programme_table": 1}


def test_each_projects_funding_text_is_what_its_own_rows_say():
    """One groupby for every project gives each project the text a groupby of its own rows gives."""
    from healthplan.reports.funding import Money, _by_source, project_money
    from healthplan.reports.projects import group_projects

    inst = make_instance()
    plan = make_plan(inst)
    report = ReportConfig(funding={"ambulance": [{"source": "central_budget", "share": 1.0},
                                                 {"source": "县级财政", "wan": 20}]})
    money = project_money(group_projects(plan.items), plan.items, report, OptimizerConfig())
    nos = sorted(set(money.frame["no"]))
    assert len(nos) > 2 and money.frame.groupby("no")["source"].nunique().max() > 1
    for no in nos:
        for lang in ("zh", "en"):
            own = Money._text(_by_source(money.frame[money.frame["no"] == no]), lang)
            assert money.project_text(int(no), lang) == own
    assert money.project_text(10_000, "zh") == ""


def test_map_workers_env_and_daemons_draw_serially(monkeypatch):
    monkeypatch.setenv(maps.WORKERS_ENV, "1")
    assert maps.workers_for(None, 8) == 1 and maps.start_workers() is None
    monkeypatch.delenv(maps.WORKERS_ENV)
    assert maps.workers_for(1, 8) == 1
    if sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1:
        assert maps.workers_for(None, 1) == 1  # never more workers than maps
        if threading.active_count() == 1:  # (threads another test left in this process would make it serial)
            assert maps.workers_for(None, 8) == min(len(os.sched_getaffinity(0)), 8)
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        try:
            assert maps.workers_for(None, 8) == 1  # a thread in the process: no fork
        finally:
            stop.set()
            other.join()


def test_the_fonts_code_points_read_by_freetype_are_fonttools_ones():
    """A map worker reads the bundled font's character map with matplotlib's FreeType (30 × faster); the glyph
    check must see the same code points as fontTools reads (the run's own process, without matplotlib)."""
    from fontTools.ttLib import TTFont
    from matplotlib.ft2font import FT2Font

    from healthplan.reports.fonts import font_path

    with TTFont(str(font_path()), lazy=True, fontNumber=0) as tt:
        assert frozenset(FT2Font(str(font_path())).get_charmap()) == frozenset(tt.getBestCmap())


def _freeze_count() -> int:
    import gc

    return gc.get_freeze_count()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the workers are forked on Linux only")
def test_a_warmed_worker_keeps_its_imports_out_of_the_collector():
    """After its warm-up a worker has frozen what the imports made (the collector scanned it again and again:
    ≈ 0.4 CPU-s a worker on the demo), so more objects are frozen there than in the process that forked it."""
    import gc

    workers = maps.MapWorkers(1)
    try:
        assert workers.take()
        frozen = workers.submit(_freeze_count).result(timeout=120)
    finally:
        workers.close()
    assert frozen > gc.get_freeze_count() + 10_000


def _priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a nice value per thread is Linux's")
def test_the_warm_up_gives_way_but_the_maps_are_drawn_at_the_usual_priority():
    """The warm-up's imports run in a thread niced by WARM_UP_NICE (the run's process keeps a core while it
    reads and solves); the thread that draws keeps the run's priority."""
    lowered = min(19, _priority() + maps.WARM_UP_NICE)
    seen = []
    t = threading.Thread(target=lambda: seen.append((maps._lower_this_thread(), _priority())))
    t.start()
    t.join()
    assert seen == [(lowered, lowered)]
    workers = maps.MapWorkers(1)
    try:
        assert workers.take()
        assert workers.submit(_warm_up_priority).result(timeout=120) == lowered  # the warm-up gave way
        assert workers.submit(_priority).result(timeout=120) == _priority()  # the maps do not
    finally:
        workers.close()


def _warm_up_priority() -> int | None:
    return maps._WARM_UP_PRIORITY


def test_the_maps_font_keeps_its_layout_tables_only_where_matplotlib_shapes_text(monkeypatch, tmp_path):
    """matplotlib below 3.11 never reads GSUB/GPOS/GDEF (the subset it draws with goes without them, so each PDF's
    own subset is cut faster); 3.11 shapes text with them, and there they are kept."""
    from fontTools.ttLib import TTFont

    from healthplan.reports import map_fonts

    data = map_fonts.subset_bytes(map_fonts.chars_of(["示范县"]))
    tables = {}
    for shapes in (False, True):
        monkeypatch.setattr(map_fonts, "_shapes_text", lambda shapes=shapes: shapes)
        path = tmp_path / f"{shapes}.ttf"
        map_fonts._write_renamed(data, "HP Test", path)
        with TTFont(str(path)) as font:
            tables[shapes] = {tag for tag in ("GSUB", "GPOS", "GDEF") if tag in font}
    with TTFont(io.BytesIO(data)) as font:
        made = {tag for tag in ("GSUB", "GPOS", "GDEF") if tag in font}
    assert "GPOS" in made  # the bundled font has them
    assert tables == {False: set(), True: made}
