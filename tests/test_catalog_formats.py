"""Catalog files: JSON and XLSX round trips, national field names, all-or-nothing imports.

The fuzz tests (hypothesis) feed damaged documents and workbooks to the importer: every one
either imports completely or is refused with ``CatalogError`` and the store is unchanged.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hallterm.cli import main
from hallterm.clock import FrozenClock
from hallterm.db.engine import Store
from hallterm.db.services import SYSTEM, Ctx
from hallterm.db.services.catalog.files import read_catalog, write_catalog
from hallterm.db.services.catalog.io import export_catalog, import_catalog
from hallterm.db.services.catalog.storable import check_storable
from hallterm.db.services.catalog.workbook import read_workbook
from hallterm.db.services.setup import init_store
from hallterm.domain.catalog import CatalogError, parse_catalog
from hallterm.domain.catalog_fields import to_internal, to_national

DEMO = Path(__file__).resolve().parent.parent / "hallterm" / "data" / "demo_catalog.json"
FROZEN = datetime(2026, 11, 27, 2, 0, 0)


def _demo_doc() -> dict[str, Any]:
    return parse_catalog(json.loads(DEMO.read_text(encoding="utf-8"))).model_dump(mode="json")


def _canon(doc: dict[str, Any]) -> dict[str, Any]:
    """The export orders departments, queue categories and bundles by code."""
    out = dict(doc)
    for section in ("departments", "queue_categories", "bundles"):
        out[section] = sorted(doc.get(section, []), key=lambda r: r["code"])
    return out


def _ctx() -> Ctx:
    return Ctx(actor=SYSTEM, station_code="3299", clock=FrozenClock(FROZEN))


def _new_store(url: str) -> Store:
    store = Store(url)
    init_store(store, _ctx(), "3299", "江川市政务服务中心", "city")
    return store


def _export(store: Store) -> dict[str, Any]:
    with store.read() as session:
        return export_catalog(session)


def _import_file(store: Store, path: Path) -> str:
    catalog, _raw = read_catalog(path)
    with store.write() as session:
        return import_catalog(session, _ctx(), catalog)


# --------------------------------------------------------------------------- round trips


def test_json_and_xlsx_round_trip_equal(tmp_path: Path) -> None:
    source = _new_store(str(tmp_path / "a.db"))
    try:
        assert _import_file(source, DEMO) == "imported"
        exported = _export(source)
    finally:
        source.dispose()
    assert _canon(exported) == _canon(_demo_doc())
    for name in ("catalog.json", "catalog.xlsx", "national.json"):
        path = tmp_path / name
        write_catalog(exported, path, national=name.startswith("national"))
        store = _new_store(str(tmp_path / f"{name}.db"))
        try:
            assert _import_file(store, path) == "imported"
            assert _export(store) == exported, name
        finally:
            store.dispose()
    national = json.loads((tmp_path / "national.json").read_text(encoding="utf-8"))
    assert "事项" in national and "实施编码" in national["事项"][0]
    assert national["事项"][0]["申请材料"][0]["材料必要性"] in ("必要", "非必要", "容缺后补")


def test_workbook_uses_national_headers(tmp_path: Path) -> None:
    path = write_catalog(_demo_doc(), tmp_path / "c.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["目录", "部门", "叫号类别", "事项", "申请材料", "一件事"]
    headers = [c.value for c in wb["事项"][1]]
    for name in ("基本编码", "实施编码", "事项名称", "办件类型", "法定办结时限", "承诺办结时限"):
        assert name in headers
    headers = [c.value for c in wb["申请材料"][1]]
    for name in (
        "实施编码",
        "材料名称",
        "材料必要性",
        "材料形式",
        "来源渠道",
        "原件份数",
        "复印件份数",
    ):
        assert name in headers
    column = [c.value for c in wb["事项"][1]].index("办件类型") + 1
    assert wb["事项"].cell(row=2, column=column).value in ("即办件", "承诺件")


def test_tricky_text_survives_xlsx(tmp_path: Path) -> None:
    doc = _demo_doc()
    m = doc["matters"][0]
    m["conditions"] = "=SUM(A1:A9)\n第二行 <b>粗体</b> & [markup]"
    m["fee"] = ""
    m["basic_code"] = "000123"
    m["process"] = ["受理", "=审查", "决定"]
    m["materials"][0]["standard"] = "+1 开头"
    path = write_catalog(doc, tmp_path / "t.xlsx")
    catalog, _raw = read_catalog(path)
    assert catalog.model_dump(mode="json") == doc
    ws = load_workbook(path)["事项"]
    column = [c.value for c in ws[1]].index("受理条件") + 1
    cell = ws.cell(row=2, column=column)
    assert cell.value.startswith("=SUM") and cell.data_type == "s"  # text, never a formula


def test_json_with_national_names_imports(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    path.write_text(json.dumps(to_national(_demo_doc()), ensure_ascii=False), encoding="utf-8")
    catalog, _raw = read_catalog(path)
    assert catalog.model_dump(mode="json") == _demo_doc()
    # 办理流程 as one text (one step a line) is accepted too
    doc = to_national(_demo_doc())
    doc["事项"][0]["办理流程"] = "受理\n审查\n决定"
    doc["事项"][0]["到现场次数"] = doc["事项"][0].pop("到办事现场次数")
    internal = to_internal(doc)
    assert internal["matters"][0]["process"] == ["受理", "审查", "决定"]
    assert "visits" in internal["matters"][0]


def test_both_spellings_of_a_field_are_refused(tmp_path: Path) -> None:
    doc = to_national(_demo_doc())
    doc["事项"][0]["name"] = "另一个名字"
    path = tmp_path / "both.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        read_catalog(path)
    assert any("事项名称" in p or "name" in p for p in exc.value.problems)


def test_xlsx_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    path = write_catalog(_demo_doc(), tmp_path / "c.xlsx")
    wb = load_workbook(path)
    ws = wb["事项"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=4, column=headers.index("法定办结时限") + 1).value = "三十"
    mats = wb["申请材料"]
    mheaders = [c.value for c in mats[1]]
    mats.cell(row=9, column=mheaders.index("复印件份数") + 1).value = -2
    mats.cell(row=10, column=mheaders.index("实施编码") + 1).value = "NO-SUCH-MATTER"
    wb.save(path)
    with pytest.raises(CatalogError) as exc:
        read_catalog(path)
    text = "\n".join(exc.value.problems)
    assert "申请材料" in text and "第 10 行" in text and "NO-SUCH-MATTER" in text
    # fix the link; the remaining errors name sheet, row and column
    wb = load_workbook(path)
    wb["申请材料"].cell(row=10, column=mheaders.index("实施编码") + 1).value = (
        wb["申请材料"].cell(row=9, column=mheaders.index("实施编码") + 1).value
    )
    wb.save(path)
    with pytest.raises(CatalogError) as exc:
        read_catalog(path)
    problems = exc.value.problems
    assert any("事项 第 4 行" in p and "法定办结时限" in p for p in problems), problems
    assert any("申请材料 第 9 行" in p and "复印件份数" in p for p in problems), problems


def test_missing_sheets_and_unknown_columns(tmp_path: Path) -> None:
    path = write_catalog(_demo_doc(), tmp_path / "c.xlsx")
    wb = load_workbook(path)
    del wb["部门"]
    wb["事项"].cell(row=1, column=30).value = "奇怪的列"
    wb.save(path)
    with pytest.raises(CatalogError) as exc:
        read_catalog(path)
    assert any("奇怪的列" in p for p in exc.value.problems)


def test_check_storable_catches_what_the_database_refuses() -> None:
    doc = _demo_doc()
    doc["matters"][0]["fee"] = "费" * 201
    doc["matters"][1]["materials"][0]["valid_days"] = 10**12
    doc["matters"][2]["conditions"] = "a\x00b"
    problems = check_storable(parse_catalog(doc))
    assert len(problems) == 3


def test_overlong_field_is_refused_before_writing(any_url: str, tmp_path: Path) -> None:
    """PostgreSQL enforces column lengths: the import refuses first, and writes nothing."""
    store = _new_store(any_url)
    try:
        assert _import_file(store, DEMO) == "imported"
        before = _export(store)
        doc = _demo_doc()
        doc["version"] = "2"
        doc["matters"][3]["theme"] = "主" * 60
        path = tmp_path / "long.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(CatalogError) as exc:
            _import_file(store, path)
        assert "50" in "\n".join(exc.value.problems)
        assert _export(store) == before
    finally:
        store.dispose()


def test_cli_import_export_xlsx(tmp_path: Path) -> None:
    # init creates the first admin, who then acts on the command line
    runner = CliRunner(
        env={"HALLTERM_NEW_PASSWORD": "boss-pass-1", "HALLTERM_PASSWORD": "boss-pass-1"}
    )
    db = tmp_path / "s.db"
    init = ["init", "--store", str(db), "--station", "3299", "--name", "江川", "--level", "市"]
    assert runner.invoke(main, [*init, "--admin", "boss"]).exit_code == 0
    runner = CliRunner(
        env={"HALLTERM_USER": "boss", "HALLTERM_PASSWORD": "boss-pass-1", "HALLTERM_TERMINAL": "t"}
    )
    result = runner.invoke(main, ["catalog", "import", str(DEMO), "--store", str(db)])
    assert result.exit_code == 0, result.output
    xlsx = tmp_path / "out.xlsx"
    result = runner.invoke(main, ["catalog", "export", str(xlsx), "--store", str(db)])
    assert result.exit_code == 0, result.output
    doc, _locate = read_workbook(xlsx)
    assert _canon(parse_catalog(doc).model_dump(mode="json")) == _canon(_demo_doc())
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = runner.invoke(main, ["catalog", "import", str(bad), "--store", str(db)])
    assert result.exit_code == 1
    assert "XLSX" in result.output


# --------------------------------------------------------------------------- fuzzing


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-template")
    store = _new_store(str(folder / "t.db"))
    try:
        _import_file(store, DEMO)
    finally:
        store.dispose()
    return folder / "t.db"


@pytest.fixture(scope="module")
def fuzz_store(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("fuzz") / "f.db"
    shutil.copy(template, path)
    store = Store(str(path))
    yield store
    store.dispose()


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=300),
    st.sampled_from(
        ["必要", "容缺后补", "即办件", "承诺件", "纸质", "政府部门核发", "", "0", "-1"]
    ),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


BASE_DOC = json.loads(DEMO.read_text(encoding="utf-8"))
BASE_PATHS = _paths(BASE_DOC)[1:]


@st.composite
def damaged_documents(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(BASE_DOC)
    if draw(st.booleans()):
        doc["version"] = "fuzz-" + str(draw(st.integers(0, 10**6)))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(BASE_PATHS))
        parent: Any = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["set", "delete", "duplicate"]))
            if action == "delete" and isinstance(parent, dict | list):
                del parent[path[-1]]
            elif action == "duplicate" and isinstance(parent, list):
                parent.append(copy.deepcopy(parent[path[-1]]))
            else:
                parent[path[-1]] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the spot
    if draw(st.booleans()):
        doc = to_national(doc) if isinstance(doc, dict) and _valid(doc) else doc
    return doc


def _valid(doc: Any) -> bool:
    try:
        parse_catalog(doc)
    except CatalogError:
        return False
    return True


FUZZ_CLOCK = FrozenClock(FROZEN)


def _fuzz_import(store: Store, path: Path) -> None:
    """Import ``path``: either all of it is in the store afterwards, or nothing changed."""
    before = _export(store)
    # The newest import is the current version: each import happens a minute later.
    FUZZ_CLOCK.advance(minutes=1)
    try:
        catalog, _raw = read_catalog(path)
        with store.write() as session:
            outcome = import_catalog(
                session, Ctx(actor=SYSTEM, station_code="3299", clock=FUZZ_CLOCK), catalog
            )
    except CatalogError as exc:
        assert exc.problems
        assert _export(store) == before
        return
    after = _export(store)
    if outcome == "unchanged":
        assert after == before
    else:
        assert _canon(after) == _canon(catalog.model_dump(mode="json"))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=damaged_documents())
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
def test_fuzzed_json_never_crashes_or_writes_partially(
    doc: Any, fuzz_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    _fuzz_import(fuzz_store, path)


CELL_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")),
        max_size=250,
    ),
    st.sampled_from(["必要", "容缺后补", "即办件", "承诺件", "=1+1", "实施编码", "X"]),
)


@pytest.fixture(scope="module")
def demo_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(_demo_doc(), tmp_path_factory.mktemp("xlsx") / "demo.xlsx")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["目录", "部门", "叫号类别", "事项", "申请材料", "一件事"]),
            st.integers(1, 70),
            st.integers(1, 24),
            CELL_VALUES,
        ),
        min_size=1,
        max_size=5,
    ),
    drop_sheet=st.sampled_from([None, "部门", "一件事", "申请材料"]),
)
def test_fuzzed_xlsx_never_crashes_or_writes_partially(
    edits: list[tuple[str, int, int, Any]],
    drop_sheet: str | None,
    demo_xlsx: Path,
    fuzz_store: Store,
    tmp_path: Path,
) -> None:
    wb = load_workbook(demo_xlsx)
    for sheet, row, col, value in edits:
        wb[sheet].cell(row=row, column=col).value = value
    if drop_sheet:
        del wb[drop_sheet]
    path = tmp_path / "fuzz.xlsx"
    wb.save(path)
    _fuzz_import(fuzz_store, path)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2000), zip_header=st.booleans())
def test_random_bytes_are_refused(data: bytes, zip_header: bool, tmp_path: Path) -> None:
    for suffix in (".xlsx", ".json"):
        path = tmp_path / f"junk{suffix}"
        path.write_bytes((b"PK\x03\x04" if zip_header else b"") + data)
        try:
            read_catalog(path)
        except CatalogError as exc:
            assert exc.problems
