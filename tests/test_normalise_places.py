import pytest

from etl.normalise.places import district_in_text, resolve_chain, resolve_district, resolve_stage
from warehouse.reference import load_reference


@pytest.fixture(scope="module")
def ref():
    return load_reference("411100")


@pytest.mark.parametrize("raw, code", [
    ("郾城", "411103"), ("郾城区", "411103"), ("漯河市郾城区", "411103"), ("郾 城 区", "411103"),
    ("郾城区商务局", "411103"),                     # 责任单位 naming the district
    ("经开区", "411171"), ("经济技术开发区", "411171"), ("漯河经济技术开发区", "411171"),
    ("西城区", "411100-XC"), ("城乡一体化示范区", "411100-XC"), ("东城", "411100-DC"),
    ("召陵区", "411104"), ("舞阳县", "411121"), ("临颍", "411122"), ("源汇区", "411102"),
    ("商州区", None), ("火星区", None), (None, None),
])
def test_district_aliases(ref, raw, code):
    assert resolve_district(raw, ref) == code


@pytest.mark.parametrize("text, code", [
    ("漯河市郾城区2024年招商引资项目台账", "411103"),
    ("经开区-202406", "411171"),
    ("舞阳县台账2024.6", "411121"),
    ("漯河市2024年招商引资项目台账", None),
])
def test_district_in_title_or_file_name(ref, text, code):
    assert district_in_text(text, ref) == code


@pytest.mark.parametrize("raw, chain, cluster, known", [
    ("休闲食品", "休闲食品", "现代食品", True),
    ("休闲食品产业链", "休闲食品", "现代食品", True),
    ("装备制造", "装备制造", "先进制造", True),
    ("智能装备制造", "装备制造", "先进制造", True),
    ("食品", None, "现代食品", True),                 # only the cluster is known
    ("低空经济", "低空经济", None, False),             # unknown: kept as written, reported
    (None, None, None, True),
])
def test_chains(ref, raw, chain, cluster, known):
    assert resolve_chain(raw, ref) == (chain, cluster, known)


@pytest.mark.parametrize("raw, stage", [
    ("在谈", "在谈"), ("洽谈", "在谈"), ("线索", "在谈"),
    ("签约", "签约"), ("已签约", "签约"), ("合同签订", "签约"), ("已签约未开工", "签约"),
    ("注册", "履约"), ("已履约", "履约"),
    ("开工", "开工"), ("在建", "开工"), ("开工建设", "开工"), ("已开工", "开工"),
    ("投产", "投产"), ("竣工投产", "投产"), ("部分投产", "投产"),
    ("达产", "达效"), ("达产达效", "达效"),
    ("终止", "终止"), ("取消", "终止"), ("退出", "终止"),
    ("签约项目", "签约"), ("开工项目", "开工"), ("Sheet1", None), ("正在推进", None),
])
def test_stages(ref, raw, stage):
    assert resolve_stage(raw, ref) == stage
