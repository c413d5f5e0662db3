//! Which trade a demo subject is in, read from its name, so that its
//! licences, penalties and lists fit it: a 便利店 sells food and gets a
//! 食品经营许可证, never a 排污许可证; a kindergarten is never on the
//! environmental list.

/// A subject's line of business, as far as the demo needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trade {
    /// Restaurants, food shops and food producers.
    Food,
    /// Shops and traders of other goods.
    Retail,
    /// Hotels, baths and tourism: premises a health permit covers.
    Lodging,
    /// Factories and plants: emissions, production licences, work safety.
    Industry,
    /// Building, decoration, civil and real-estate works.
    Construction,
    /// Logistics and road transport.
    Transport,
    /// Farmers' cooperatives.
    Farming,
    /// Offices, consultancies, software, repair shops and other services.
    Services,
    /// Schools, kindergartens, care homes, clinics and associations: public
    /// or non-profit units no market list or trade licence concerns.
    PublicService,
}

/// Words of a name and the trade they mark, checked in this order (the
/// first match wins: 幼儿园 before 食品, 建筑工程 before 机械).
const WORDS: &[(Trade, &[&str])] = &[
    (
        Trade::PublicService,
        &[
            "学校",
            "小学",
            "中学",
            "幼儿园",
            "托育",
            "养老",
            "颐养",
            "康复",
            "卫生服务",
            "门诊",
            "协会",
            "学会",
            "研究会",
            "商会",
            "促进会",
            "联合会",
            "互助会",
            "服务中心",
            "研究院",
            "书画院",
            "俱乐部",
        ],
    ),
    (Trade::Farming, &["合作社"]),
    (
        Trade::Construction,
        &["建筑工程", "装饰工程", "绿化工程", "电力工程", "市政工程", "钢结构", "房地产", "劳务", "门窗加工"],
    ),
    (
        Trade::Food,
        &[
            "餐饮",
            "食品",
            "面馆",
            "餐馆",
            "饭店",
            "烧烤",
            "快餐",
            "包子",
            "把子肉",
            "甜沫",
            "油旋",
            "羊汤",
            "饺子",
            "鲁菜",
            "小吃",
            "早餐",
            "熟食",
            "豆腐",
            "馒头",
            "鲜肉",
            "水产店",
            "蔬菜店",
            "粮油",
            "水果",
            "副食",
            "调料",
            "超市",
            "便利店",
        ],
    ),
    (Trade::Lodging, &["酒店", "宾馆", "旅馆", "旅游", "足疗", "洗浴"]),
    (Trade::Transport, &["物流", "运输", "供应链"]),
    (
        Trade::Industry,
        &["化工", "纺织", "机械", "设备", "新能源", "环保", "电子科技", "建材", "印务", "仪器", "医药", "生物", "水务"],
    ),
    (
        Trade::Retail,
        &[
            "商贸",
            "贸易",
            "进出口",
            "电子商务",
            "汽车销售",
            "烟酒",
            "五金",
            "百货",
            "日用品",
            "服装",
            "服饰",
            "家居",
            "文具",
            "花店",
            "眼镜",
            "茶叶",
            "母婴",
            "化妆品",
            "鞋店",
            "床上用品",
            "劳保",
            "经营部",
            "医疗器械",
        ],
    ),
];

/// The trade a subject's name tells.
pub(crate) fn trade_of(name: &str) -> Trade {
    WORDS.iter().find(|(_, words)| words.iter().any(|w| name.contains(w))).map_or(Trade::Services, |(trade, _)| *trade)
}

/// Any market trade: a company or shop, not a school or an association.
pub(crate) const MARKET: &[Trade] = &[
    Trade::Food,
    Trade::Retail,
    Trade::Lodging,
    Trade::Industry,
    Trade::Construction,
    Trade::Transport,
    Trade::Farming,
    Trade::Services,
];

/// Every trade, public units included.
pub(crate) const ANY: &[Trade] = &[
    Trade::Food,
    Trade::Retail,
    Trade::Lodging,
    Trade::Industry,
    Trade::Construction,
    Trade::Transport,
    Trade::Farming,
    Trade::Services,
    Trade::PublicService,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_tell_their_trade() {
        assert_eq!(trade_of("历下区老王便利店"), Trade::Food);
        assert_eq!(trade_of("济南市历城区实验幼儿园"), Trade::PublicService);
        assert_eq!(trade_of("济南华锐化工有限公司"), Trade::Industry);
        assert_eq!(trade_of("山东鼎盛建筑工程有限公司"), Trade::Construction);
        assert_eq!(trade_of("济南顺达物流有限公司"), Trade::Transport);
        assert_eq!(trade_of("章丘区大葱种植专业合作社"), Trade::Farming);
        assert_eq!(trade_of("济南云图网络科技有限公司"), Trade::Services);
        assert_eq!(trade_of("济南金源商贸有限公司"), Trade::Retail);
    }
}
