"""Cold-start keywords for the default opinion categories.

A new station has no categorised opinions to learn from, so the first proposals come from
these hand-written keyword lists. They follow the category boundaries used by municipal
message boards (e.g. property management and house prices belong to 城乡建设, price
complaints about shops to 商贸旅游). Keywords are matched as substrings of the normalised
text, so short generic words are avoided in favour of specific ones.
"""

from __future__ import annotations

DEFAULT_CATEGORIES: tuple[str, ...] = (
    "城乡建设",
    "环境保护",
    "交通运输",
    "教育文体",
    "劳动和社会保障",
    "商贸旅游",
    "卫生计生",
    "农业农村",
    "其他",
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


LEXICON: dict[str, tuple[str, ...]] = {
    "城乡建设": _words(
        "路灯 井盖 自来水 停水 水压 二次供水 供水 排水 下水道 化粪池 污水管 管网 燃气 天然气 停电 电压 电网 物业 业委会 业主 "
        "小区 开发商 房产证 不动产 购房 交房 烂尾 商品房 安置房 公租房 廉租房 棚改 棚户区 老旧小区 加装电梯 电梯 拆迁 征收 违建 "
        "违章建筑 规划 施工 工地 建筑 城管 占道 绿化 市政 公厕 维修基金 房屋 消防通道 安全隐患 围墙"
    ),
    "环境保护": _words(
        "污染 环保 排污 污水直排 偷排 废气 废水 臭气 异味 恶臭 噪音 噪声 扰民 油烟 扬尘 粉尘 烟尘 雾霾 空气质量 水质 黑臭 "
        "河道 垃圾焚烧 焚烧 填埋 固废 危废 化工厂 搅拌站 砂石 采砂 砖厂 养殖污染 辐射 基站 高压线 生态 环评 环境监测 砍伐 "
        "破坏植被 尾矿 重金属 排放"
    ),
    "交通运输": _words(
        "公交 公交车 公交线路 站台 地铁 高铁 火车站 客运 长途汽车 出租车 网约车 的士 驾驶证 驾照 车管所 运管 道路运输 货车 超载 "
        "高速 收费站 通行费 国道 省道 县道 乡道 公路 路面 坑洼 红绿灯 信号灯 斑马线 人行道 立交 高架 桥梁 危桥 堵车 拥堵 停车 "
        "交警 快递 邮政 航班 机场"
    ),
    "教育文体": _words(
        "学校 学生 老师 教师 校长 教育 教学 上学 入学 招生 学位 学区 择校 幼儿园 小学 初中 高中 中考 高考 大学 职校 补课 "
        "培训机构 校外培训 教辅 学费 课本 作业 校车 营养餐 食堂 寄宿 教师编制 代课 体育 运动会 体育馆 健身 图书馆 文化馆 "
        "博物馆 文物 广场舞 演出 电影院"
    ),
    "劳动和社会保障": _words(
        "社保 养老保险 医疗保险 医保 失业保险 工伤 生育保险 五险 公积金 退休 养老金 退休金 工资 欠薪 拖欠 加班 劳动合同 "
        "劳动仲裁 劳务派遣 用人单位 辞退 解雇 裁员 就业 招聘 人社 劳动保障 职工 员工 农民工 下岗 买断工龄 编制 事业单位 待遇 "
        "津贴 补贴 低保 残疾 社会救助 缴费年限 工龄"
    ),
    "商贸旅游": _words(
        "商家 商户 商场 超市 店铺 门店 市场监管 工商 消费者 消费 维权 退款 退货 假货 假冒 伪劣 价格 涨价 收费标准 乱收费 发票 "
        "传销 诈骗 非法集资 理财 网贷 预付卡 办卡 健身卡 会员卡 旅游 景区 景点 门票 导游 旅行社 酒店 宾馆 营业执照 个体户 企业 "
        "营商环境 招商 质监 特种设备"
    ),
    "卫生计生": _words(
        "医院 医生 护士 看病 就医 门诊 住院 手术 医疗事故 医患 卫生院 诊所 卫生室 药店 药品 处方 疫苗 接种 体检 急救 120 "
        "卫健委 卫生局 计生 计划生育 二孩 独生子女 生育 出生证 准生证 流产 传染病 疫情 食品安全 食品 餐馆卫生 过期 健康证 病人 "
        "患者 家庭医生 医闹"
    ),
    "农业农村": _words(
        "农村 农民 农业 村民 种植 养殖 农田 耕地 稻田 水稻 富硒米 粮食 种粮 化肥 农药 种子 农机 惠农 土地流转 承包地 宅基地 "
        "村委会 村两委 村干部 村务 集体经济 合作社 扶贫 贫困户 脱贫 乡村振兴 水利 水库 灌溉 山塘 林地 林权 退耕还林 生猪 "
        "动物防疫 秸秆 农产品"
    ),
    "其他": _words(
        "户口 户籍 身份证 派出所 治安 报警 警察 黑恶 扫黑 赌博 诉讼 法院 律师 信访 上访 纪委 腐败 贪污 作风 不作为 民政 "
        "婚姻登记 殡葬 公墓 退役军人 优抚 宗教 网络 宽带 手机信号 电信 移动公司 联通 税务 纳税 统计 档案 选举 人大代表 政协"
    ),
}


def keyword_weight(keyword: str) -> float:
    """Longer keywords are more specific, so they count more (1 for two characters)."""
    return 1.0 + 0.5 * max(0, len(keyword) - 2)
