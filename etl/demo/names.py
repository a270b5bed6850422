"""Words the demo builds project, investor and leader names from. All made up, in the spirit of
the published projects in /work/shared/data/real/projects (…产业园项目, …智能化改造项目,
…中部生产基地项目). Products are keyed by chain; a chain not listed gets generic products,
so another city's reference works too."""

from __future__ import annotations

import random

PRODUCTS = {
    "肉制品": ("年产5万吨低温肉制品", "冷鲜肉精深加工", "肉类食品智能化改造", "调理肉制品生产线"),
    "休闲食品": ("休闲食品产业园", "烘焙食品生产", "膨化食品智能工厂", "休闲卤味生产线"),
    "饮料": ("饮料灌装生产线", "功能饮料", "植物蛋白饮料", "茶饮料扩能"),
    "粮油制品": ("小麦深加工", "面粉智能化改造", "粮油精深加工", "挂面生产线"),
    "食品添加剂": ("功能糖生产", "阿洛酮糖", "复配食品添加剂", "天然香精香料"),
    "预制菜": ("预制菜产业园", "中央厨房", "速冻调理食品"),
    "装备制造": ("智能装备产业园", "食品机械制造", "液压科技产业园", "智能物流设备生产"),
    "电子信息": ("精密零部件中部生产基地", "电子元器件生产", "智能终端制造", "新能源精密配件生产"),
    "生物医药": ("生物医药产业园", "医疗器械生产", "生物保健品", "中药饮片加工"),
    "氟硅新材料": ("氟硅新材料产业园", "有机硅下游制品", "含氟精细化学品"),
    "高分子材料": ("高分子材料生产", "改性塑料", "可降解材料"),
    "纸制品": ("高档生活用纸", "包装纸箱生产", "纸制品深加工"),
    "盐化工": ("盐穴储能", "精制盐扩能", "盐化工循环经济产业园"),
    "新型建材": ("装配式建筑构件", "绿色建材产业园", "新型墙体材料"),
    "纺织服装": ("纺织服装产业园", "智能纺纱", "服装加工"),
    "现代家居": ("定制家居产业园", "实木家具生产"),
    "汽车零部件": ("新能源汽车零部件", "汽车配件产业园", "汽车线束生产"),
    "卫生材料": ("医用卫材生产", "卫生用品智能工厂", "无纺布制品"),
    "现代物流": ("冷链物流园", "仓储物流中心", "大宗物流产业园"),
    "低空经济": ("无人机研发制造", "低空飞行服务基地"),
    "储能电池": ("储能电池生产", "电池回收利用"),
    "数字经济": ("数字产业园", "算力中心"),
}
GENERIC_PRODUCTS = ("产业园", "生产基地", "精深加工", "智能工厂")
# chains the reference does not know: the loader must keep and report them
UNKNOWN_CHAINS = ("低空经济", "储能电池", "数字经济")

SUFFIXES = ("项目", "项目", "项目", "项目", "建设项目", "智能化改造项目", "中部生产基地项目",
            "二期项目", "扩建项目")
PLACE_SUFFIXES = ("项目", "项目", "二期项目", "建设项目")          # after …产业园, …基地
LINE_SUFFIXES = ("项目", "项目", "建设项目", "扩建项目", "智能化改造项目")  # after …生产线, …加工
BIG_SUFFIXES = ("产业园项目", "产业城项目", "科技城项目", "中部生产基地项目")

BRAND_HEAD = "汇嘉恒盛金豫宏华天瑞鑫博康泰丰润德隆源中新亿佳永"
BRAND_TAIL = "丰源达禾泰图宇润祥瑞通成辉盛科邦信诚和美"
SECTOR = {"现代食品": "食品", "先进制造": "科技", "新材料": "新材料"}
ORG = ("有限公司", "有限公司", "股份有限公司", "集团有限公司")
ORIGIN_PLACES = {"京津冀": ("北京", "天津", "河北"), "长三角": ("上海", "江苏", "浙江"),
                 "大湾区": ("深圳", "广州", "东莞"), "闽东南": ("福建", "厦门"),
                 "川渝": ("成都", "重庆"), "境外": ("香港", "新加坡", "台湾")}
ORIGINS = ("", "", "", "京津冀", "长三角", "长三角", "大湾区", "闽东南", "川渝")
INVESTOR_KINDS = ("", "", "", "", "", "上市公司", "上市公司", "行业龙头", "行业龙头", "行业龙头",
                  "国内500强", "国内500强", "央企", "世界500强")
EVENTS = ("", "", "", "", "食博会", "双招双推", "豫商大会", "中博会", "三个一批集中签约")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "建国志强海涛红军卫东晓明振华文博丽娟国庆永刚明辉新民立新春雷"


def brand(rng: random.Random) -> str:
    head = rng.choice(BRAND_HEAD)
    return head + rng.choice(BRAND_TAIL.replace(head, ""))


def project_name(brand_name: str, chain: str | None, big: bool, rng: random.Random) -> str:
    """嘉禾休闲食品产业园项目, 恒泰面粉智能化改造项目; 50亿+ projects get a park-sized name."""
    if big:
        return f"{brand_name}{(chain or '综合').removesuffix('产业')}{rng.choice(BIG_SUFFIXES)}"
    item = rng.choice(PRODUCTS.get(chain or "", GENERIC_PRODUCTS))
    if item.endswith(("园", "基地", "中心", "城")):
        suffixes = PLACE_SUFFIXES
    elif item.endswith(("生产线", "生产", "加工", "制造", "工厂", "改造")):
        suffixes = LINE_SUFFIXES[:4] if item.endswith("改造") else LINE_SUFFIXES
    else:
        suffixes = SUFFIXES
    return f"{brand_name}{item}{rng.choice(suffixes)}"


def investor_name(brand_name: str, cluster: str | None, origin: str, city: str, rng: random.Random) -> str:
    place = rng.choice(ORIGIN_PLACES[origin]) if origin else rng.choice((city.removesuffix("市"), "河南"))
    return f"{place}{brand_name}{SECTOR.get(cluster or '', '实业')}{rng.choice(ORG)}"


def leader_titles(district_name: str, kind: str) -> tuple[str, ...]:
    if kind == "功能区":
        return ("党工委书记", "管委会主任", "管委会副主任", "管委会副主任")
    unit = "县" if district_name.endswith("县") else "区"
    return (f"{unit}委书记", f"{unit}长", f"常务副{unit}长", f"副{unit}长", f"副{unit}长")


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
