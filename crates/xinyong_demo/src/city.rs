//! A deterministic synthetic Jinan for `xinyong demo --subjects N --seed S`.
//!
//! [`DemoCity`] yields one [`SubjectsEvent::LegalPersonRegistered`] per market
//! subject: enterprises, individual businesses, farmers' cooperatives, public
//! institutions and social organisations, each with a checksum-valid USCC, a
//! plausible Chinese name and one legal representative (the 经营者 for an
//! individual business) with a checksum-valid ID number.
//!
//! The generator is pure: no IO, no clock. Every random choice comes from one
//! ChaCha20 stream keyed by the seed, and numbers are drawn with our own
//! `Draw::below` over `next_u64()` instead of `rand`'s range helpers, whose
//! algorithms may change between releases. A seed therefore describes the
//! same city forever; `frozen_*` tests in this file pin that.
//!
//! Uniqueness without remembering every subject:
//! - USCCs: each organisation-code family (e.g. `MA3C`+4 characters) hands out
//!   bodies by pushing a counter through a keyed bijection of the family's
//!   code space, so no two subjects get the same body while the codes still
//!   look random. Memory is a few integers per family.
//! - ID numbers: the same trick over (division, birth date, sequence).
//! - Names: a set of 64-bit name hashes (about 20 MB at one million
//!   subjects); a colliding name is redrawn and, in the small name spaces of
//!   public institutions and associations, finally numbered as a branch.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use xinyong_domain::subjects::SubjectsEvent;

use chrono::{Datelike, Days, NaiveDate};
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha20Rng;
use xinyong_domain::codes::division::jinan_counties;
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::event::EventBody;
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};

/// USCCs and ID numbers are guaranteed distinct for at least this many
/// subjects from one seed. Every "new style" code space below is larger; past
/// this the counters wrap and codes may repeat. Jinan has about 1.5 million
/// market subjects in reality, so a demo never gets near it.
pub const UNIQUE_SUBJECTS: u64 = 20_000_000;

/// How many recent legal representatives may head another subject. Bounded so
/// memory stays flat however many subjects are generated.
const RECENT_PEOPLE: usize = 1024;

/// Share (per mille) of subjects whose representative already heads another.
const REUSED_PERSON_PER_MILLE: u64 = 50;

/// Fresh names tried before a colliding name is numbered as a branch.
const NAME_ATTEMPTS: u32 = 8;

/// Division code of city-level registrations (济南市本级).
const CITY_DIVISION: &str = "370100";

/// GB 32100 character set; its first ten entries are the decimal digits.
const CHARSET31: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

const EARLIEST_BIRTH: NaiveDate = match NaiveDate::from_ymd_opt(1955, 1, 1) {
    Some(d) => d,
    None => panic!("1955-01-01 is a date"),
};
const LATEST_BIRTH: NaiveDate = match NaiveDate::from_ymd_opt(2002, 12, 31) {
    Some(d) => d,
    None => panic!("2002-12-31 is a date"),
};
/// Days in 1955-01-01..=2002-12-31.
const BIRTH_DAYS: u64 = LATEST_BIRTH.signed_duration_since(EARLIEST_BIRTH).num_days() as u64 + 1;

/// ID sequence numbers per (division slot, birth date, sex). A division has at
/// most five slots, so `u` in `new_person` stays within 1..=495 and the
/// sequence (2u−1 for men, 2u for women) within 001–990: never 000.
const SEQUENCES_PER_SLOT: u64 = 99;

// ---------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------

/// The one source of randomness. Only `next_u64()` of ChaCha20 is used, so
/// output does not depend on `rand`'s distribution code.
#[derive(Debug, Clone)]
pub(crate) struct Draw(ChaCha20Rng);

impl Draw {
    /// A draw over a stream the caller seeded (the demo's other generators
    /// key theirs with `ChaCha20Rng::seed_from_u64`, which their frozen
    /// outputs depend on).
    pub(crate) fn from_rng(rng: ChaCha20Rng) -> Draw {
        Draw(rng)
    }

    fn new(seed: u64) -> Draw {
        // Expand the seed ourselves: `seed_from_u64`'s expansion is an
        // implementation detail of rand_core and has changed before.
        let mut state = seed;
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        Draw(ChaCha20Rng::from_seed(key))
    }

    fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (0 when `n <= 1`), by rejection: the top `2^64 mod n`
    /// values would make the low residues slightly more likely.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let skew = (u64::MAX % n + 1) % n;
        loop {
            let x = self.u64();
            if x <= u64::MAX - skew {
                return x % n;
            }
        }
    }

    fn per_mille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    /// True with `percent` % probability.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A uniform element of a non-empty slice, by reference.
    pub(crate) fn item<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A uniform element of a non-empty constant table.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Index chosen with the given weights; `None` when they sum to zero.
    fn weighted_index(&mut self, weights: impl Iterator<Item = u32> + Clone) -> Option<usize> {
        let total: u64 = weights.clone().map(u64::from).sum();
        if total == 0 {
            return None;
        }
        let mut x = self.below(total);
        for (i, w) in weights.enumerate() {
            let w = u64::from(w);
            if x < w {
                return Some(i);
            }
            x -= w;
        }
        None
    }

    /// An element of a non-empty constant table with positive weights.
    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let i = self.weighted_index(items.iter().map(|&(_, w)| w));
        items[i.unwrap_or(0)].0
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    mix64(*state)
}

/// SplitMix64's finaliser: a fast 64-bit bijective mixer.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a: a fixed hash, so which names count as taken never depends on a
/// per-process random hasher key.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3))
}

// ---------------------------------------------------------------------------
// Injective code allocation
// ---------------------------------------------------------------------------

/// A keyed bijection on `0..size`: a balanced Feistel network on the smallest
/// even number of bits that holds `size`, with cycle walking (re-encrypting
/// until the value falls inside `0..size`). The domain is at most four times
/// `size`, so a walk takes about two rounds on average.
#[derive(Debug, Clone)]
struct Permutation {
    size: u64,
    half_bits: u32,
    keys: [u64; 4],
}

impl Permutation {
    fn new(size: u64, draw: &mut Draw) -> Permutation {
        let bits = 64 - size.saturating_sub(1).leading_zeros();
        let keys = [draw.u64(), draw.u64(), draw.u64(), draw.u64()];
        Permutation { size, half_bits: bits.div_ceil(2).max(1), keys }
    }

    /// The image of `index`; `index` must be below `size`, otherwise the walk
    /// could leave the cycle it started in.
    fn apply(&self, index: u64) -> u64 {
        let mut v = index;
        loop {
            v = self.feistel(v);
            if v < self.size {
                return v;
            }
        }
    }

    fn feistel(&self, v: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (v >> self.half_bits, v & mask);
        for key in self.keys {
            let f = mix64(right ^ key) & mask;
            (left, right) = (right, left ^ f);
        }
        (left << self.half_bits) | right
    }
}

/// One family of 8-character organisation-code bodies: a fixed prefix from
/// `prefixes` followed by `tail_len` characters of base `radix` (10: digits,
/// 31: the GB 32100 set). Bodies are issued in a keyed random order and never
/// twice until the family is exhausted.
#[derive(Debug, Clone)]
struct CodeSpace {
    prefixes: &'static [&'static str],
    tail_len: u32,
    radix: u64,
    perm: Permutation,
    issued: u64,
}

impl CodeSpace {
    fn new(prefixes: &'static [&'static str], tail_len: u32, radix: u64, draw: &mut Draw) -> CodeSpace {
        let size = prefixes.len() as u64 * radix.pow(tail_len);
        CodeSpace { prefixes, tail_len, radix, perm: Permutation::new(size, draw), issued: 0 }
    }

    fn tail_size(&self) -> u64 {
        self.radix.pow(self.tail_len)
    }

    fn size(&self) -> u64 {
        self.perm.size
    }

    /// The next body, or `None` once every body has been issued.
    fn issue(&mut self) -> Option<String> {
        if self.issued >= self.size() {
            return None;
        }
        let v = self.perm.apply(self.issued);
        self.issued += 1;
        let tail_size = self.tail_size();
        let mut tail = v % tail_size;
        let mut body = String::with_capacity(8);
        body.push_str(self.prefixes[(v / tail_size) as usize]);
        let mut chars = [b'0'; 8];
        let len = self.tail_len as usize;
        for slot in chars[..len].iter_mut().rev() {
            *slot = CHARSET31[(tail % self.radix) as usize];
            tail /= self.radix;
        }
        body.extend(chars[..len].iter().map(|&b| char::from(b)));
        Some(body)
    }

    /// Like [`CodeSpace::issue`], but starts over when exhausted (only after
    /// more than [`UNIQUE_SUBJECTS`] bodies; see there).
    fn issue_wrapping(&mut self) -> String {
        if self.issued >= self.size() {
            self.issued = 0;
        }
        self.issue().unwrap_or_default()
    }
}

/// Organisation-code families. Each old family falls back to the new family
/// of the same registrar once exhausted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// Market regulation since 2015: `MA` + batch + serial (91370102MA3C…).
    MarketNew,
    /// Enterprises registered before 2015 keep their digit organisation code.
    MarketOld,
    /// Staffing office (机构编制) new codes: `MB`…
    StaffingNew,
    /// Public institutions' old codes, mostly starting with 4.
    StaffingOld,
    /// Civil affairs (民政) new codes: `MJ`…
    CivilNew,
    /// Social organisations' old codes, starting with 5.
    CivilOld,
}

/// Batches seen in Shandong market-regulation codes, oldest first. Four
/// random characters follow; 28 × 31⁴ ≈ 25.9 million bodies.
const MARKET_NEW_PREFIXES: &[&str] = &[
    "MA3C", "MA3D", "MA3F", "MA3M", "MA3N", "MA3P", "MA3Q", "MA3R", "MA3T", "MA3U", "MA3W", "MA3X", "MA94", "MA95",
    "MA7D", "MA7E", "MA7F", "MABW", "MABX", "MAC0", "MAC1", "MAC3", "MACA", "MACB", "MAD2", "MAD5", "MADC", "MAE1",
];
/// Leading digits of pre-2015 organisation codes; six digits follow.
const MARKET_OLD_PREFIXES: &[&str] = &[
    "16", "26", "05", "06", "08", "09", "55", "56", "57", "58", "59", "66", "67", "68", "69", "70", "72", "73", "74",
    "75", "76", "77", "78", "79", "30", "31", "32", "33", "34", "35",
];
/// 31⁵ ≈ 28.6 million bodies.
const STAFFING_NEW_PREFIXES: &[&str] = &["MB2"];
const STAFFING_OLD_PREFIXES: &[&str] = &["41", "42", "43", "44", "49"];
/// 2 × 31⁵ ≈ 57 million bodies.
const CIVIL_NEW_PREFIXES: &[&str] = &["MJD", "MJE"];
const CIVIL_OLD_PREFIXES: &[&str] = &["50", "51", "52"];

#[derive(Debug, Clone)]
struct CodeSpaces {
    market_new: CodeSpace,
    market_old: CodeSpace,
    staffing_new: CodeSpace,
    staffing_old: CodeSpace,
    civil_new: CodeSpace,
    civil_old: CodeSpace,
}

impl CodeSpaces {
    fn new(draw: &mut Draw) -> CodeSpaces {
        CodeSpaces {
            market_new: CodeSpace::new(MARKET_NEW_PREFIXES, 4, 31, draw),
            market_old: CodeSpace::new(MARKET_OLD_PREFIXES, 6, 10, draw),
            staffing_new: CodeSpace::new(STAFFING_NEW_PREFIXES, 5, 31, draw),
            staffing_old: CodeSpace::new(STAFFING_OLD_PREFIXES, 6, 10, draw),
            civil_new: CodeSpace::new(CIVIL_NEW_PREFIXES, 5, 31, draw),
            civil_old: CodeSpace::new(CIVIL_OLD_PREFIXES, 6, 10, draw),
        }
    }

    fn issue(&mut self, family: Family) -> String {
        let (old, new) = match family {
            Family::MarketNew => return self.market_new.issue_wrapping(),
            Family::StaffingNew => return self.staffing_new.issue_wrapping(),
            Family::CivilNew => return self.civil_new.issue_wrapping(),
            Family::MarketOld => (&mut self.market_old, &mut self.market_new),
            Family::StaffingOld => (&mut self.staffing_old, &mut self.staffing_new),
            Family::CivilOld => (&mut self.civil_old, &mut self.civil_new),
        };
        old.issue().unwrap_or_else(|| new.issue_wrapping())
    }
}

// ---------------------------------------------------------------------------
// Subject kinds and places
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Enterprise,
    IndividualBusiness,
    Cooperative,
    PublicInstitution,
    SocialGroup,
    PrivateNonEnterprise,
}

/// Mix of subject kinds, per mille; roughly Jinan's register.
const KINDS: &[(Kind, u32)] = &[
    (Kind::Enterprise, 700),
    (Kind::IndividualBusiness, 200),
    (Kind::Cooperative, 30),
    (Kind::PublicInstitution, 30),
    (Kind::SocialGroup, 20),
    (Kind::PrivateNonEnterprise, 20),
];

impl Kind {
    /// USCC positions 1 and 2.
    fn authority_and_category(self) -> (char, char) {
        match self {
            Kind::Enterprise => ('9', '1'),
            Kind::IndividualBusiness => ('9', '2'),
            Kind::Cooperative => ('9', '3'),
            Kind::PublicInstitution => ('1', '2'),
            Kind::SocialGroup => ('5', '1'),
            Kind::PrivateNonEnterprise => ('5', '2'),
        }
    }

    /// Share (per mille) registered by the city rather than a district.
    fn city_level_per_mille(self) -> u64 {
        match self {
            Kind::Enterprise => 200,
            // Individual businesses and cooperatives register at the county level.
            Kind::IndividualBusiness | Kind::Cooperative => 0,
            // Kept low: the city's own units are few, and their names would
            // run out long before a million subjects.
            Kind::PublicInstitution => 100,
            Kind::SocialGroup => 300,
            Kind::PrivateNonEnterprise => 400,
        }
    }

    /// Where the organisation code comes from: some enterprises, public
    /// institutions and social organisations predate 2015 and keep their
    /// digit organisation code inside the USCC.
    fn code_family(self, draw: &mut Draw) -> Family {
        match self {
            Kind::Enterprise if draw.per_mille(300) => Family::MarketOld,
            Kind::Enterprise | Kind::IndividualBusiness | Kind::Cooperative => Family::MarketNew,
            Kind::PublicInstitution if draw.per_mille(750) => Family::StaffingOld,
            Kind::PublicInstitution => Family::StaffingNew,
            Kind::SocialGroup | Kind::PrivateNonEnterprise if draw.per_mille(400) => Family::CivilOld,
            Kind::SocialGroup | Kind::PrivateNonEnterprise => Family::CivilNew,
        }
    }
}

/// A district or county of Jinan with what the names need.
#[derive(Debug, Clone)]
struct District {
    code: &'static str,
    /// Full name, e.g. 历下区.
    name: &'static str,
    /// Without 区/县, e.g. 历下 (for branch names like …历下分公司).
    short: &'static str,
    /// Weight for businesses and institutions: the five central districts
    /// hold most of them.
    urban_weight: u32,
    /// Weight for farmers' cooperatives.
    rural_weight: u32,
    places: &'static [&'static str],
}

/// (code, urban weight, rural weight, 街道/镇 names). Districts returned by
/// `jinan_counties()` but missing here get small default weights and the
/// shared road names.
const DISTRICT_FACTS: &[(&str, u32, u32, &[&str])] = &[
    (
        "370102",
        14,
        0,
        &[
            "解放路",
            "千佛山",
            "趵突泉",
            "泉城路",
            "大明湖",
            "东关",
            "文东",
            "建新",
            "甸柳",
            "燕山",
            "姚家",
            "龙洞",
            "智远",
            "舜华路",
        ],
    ),
    (
        "370103",
        12,
        0,
        &[
            "大观园",
            "杆石桥",
            "四里村",
            "魏家庄",
            "二七",
            "七里山",
            "六里山",
            "舜玉路",
            "泺源",
            "王官庄",
            "舜耕",
            "白马山",
            "七贤",
            "十六里河",
            "兴隆",
            "党家",
            "陡沟",
        ],
    ),
    (
        "370104",
        10,
        1,
        &[
            "振兴街",
            "中大槐树",
            "道德街",
            "西市场",
            "五里沟",
            "营市街",
            "青年公园",
            "南辛庄",
            "段店北路",
            "张庄路",
            "匡山",
            "美里湖",
            "吴家堡",
            "腊山",
            "兴福",
            "玉清湖",
        ],
    ),
    (
        "370105",
        9,
        2,
        &[
            "无影山",
            "天桥东街",
            "北村",
            "南村",
            "堤口路",
            "北坦",
            "制锦市",
            "宝华街",
            "官扎营",
            "纬北路",
            "药山",
            "北园",
            "泺口",
            "桑梓店",
            "大桥",
        ],
    ),
    (
        "370112",
        14,
        8,
        &[
            "山大路",
            "洪家楼",
            "东风",
            "全福",
            "孙村",
            "巨野河",
            "华山",
            "荷花路",
            "王舍人",
            "鲍山",
            "郭店",
            "唐冶",
            "港沟",
            "董家",
            "彩石",
            "仲宫",
            "柳埠",
            "遥墙",
            "临港",
        ],
    ),
    ("370113", 5, 12, &["文昌", "崮云湖", "平安", "五峰山", "归德", "万德", "张夏", "马山", "孝里", "双泉"]),
    (
        "370114",
        7,
        20,
        &[
            "明水",
            "双山",
            "枣园",
            "龙山",
            "埠村",
            "圣井",
            "普集",
            "绣惠",
            "相公庄",
            "文祖",
            "官庄",
            "曹范",
            "白云湖",
            "高官寨",
            "宁家埠",
            "刁镇",
            "垛庄",
            "辛寨",
        ],
    ),
    ("370115", 4, 14, &["济阳", "济北", "崔寨", "孙耿", "回河", "太平", "垛石", "曲堤", "仁风", "新市"]),
    (
        "370116",
        5,
        14,
        &[
            "凤城",
            "张家洼",
            "高庄",
            "鹏泉",
            "口镇",
            "羊里",
            "方下",
            "雪野",
            "大王庄",
            "寨里",
            "杨庄",
            "茶业口",
            "和庄",
            "牛泉",
            "苗山",
        ],
    ),
    ("370117", 2, 5, &["艾山", "里辛", "汶源", "颜庄", "辛庄"]),
    ("370124", 2, 12, &["榆山", "锦水", "东阿", "玫瑰", "洪范池", "孝直", "孔村", "安城"]),
    ("370126", 2, 14, &["许商", "殷巷", "怀仁", "龙桑寺", "郑路", "贾庄", "玉皇庙", "白桥", "孙集", "韩庙", "沙河"]),
];

/// Roads and neighbourhoods anywhere in the city, for institutions named after them.
const SHARED_PLACES: &[&str] = &[
    "经一路",
    "经二路",
    "经三路",
    "经四路",
    "经五路",
    "经六路",
    "经七路",
    "经八路",
    "经十路",
    "纬一路",
    "纬二路",
    "纬三路",
    "纬四路",
    "纬五路",
    "纬六路",
    "纬八路",
    "纬十二路",
    "历山路",
    "文化东路",
    "和平路",
    "工业南路",
    "工业北路",
    "二环东路",
    "花园路",
    "北园大街",
    "济泺路",
    "英雄山路",
    "舜耕路",
    "玉函路",
    "阳光新路",
    "刘长山路",
    "望岳路",
    "奥体中路",
    "汉峪",
    "龙奥",
    "西客站",
    "腊山河",
    "燕子山",
    "佛山苑",
    "甸柳庄",
    "七里河",
    "万盛",
    "泉景",
    "山水",
    "丁家庄",
    "姚家庄",
    "燕翔",
    "舜奥",
    "泉欣",
    "文庄",
    "朝山街",
    "按察司街",
    "芙蓉街",
    "曲水亭",
    "百花洲",
    "黑虎泉",
    "五龙潭",
    "珍珠泉",
    "趵北",
    "大明湖路",
    "共青团路",
    "普利街",
    "经纬",
    "青龙街",
    "柳云",
    "玉函小区",
    "八里洼",
    "鲁能",
    "盛福",
    "新东站",
];

// ---------------------------------------------------------------------------
// Name tables
// ---------------------------------------------------------------------------

/// 字号 syllables: auspicious, common in registered names.
const SYLLABLES: &[char] = &[
    '华', '鑫', '泰', '瑞', '恒', '嘉', '博', '鲁', '泉', '舜', '齐', '明', '德', '信', '诚', '丰', '盛', '达', '通',
    '宏', '宇', '源', '安', '康', '利', '祥', '和', '兴', '隆', '昌', '辉', '腾', '飞', '龙', '凯', '润', '美', '佳',
    '新', '晟', '睿', '志', '远', '航', '联', '创', '银', '金', '海', '天', '正', '中', '东', '方', '圆', '星', '辰',
    '卓', '越', '伟', '业', '鼎', '汇', '鸿', '运', '顺', '福', '禄', '永', '益', '民', '尚', '品', '优', '锦', '绣',
    '悦', '泽', '林', '森', '蓝', '翔', '峰', '山', '川', '岳', '泓', '澜', '沣', '浩', '晨', '阳', '光', '启', '贤',
    '仁', '智', '勤', '合', '众', '诺', '亿', '万', '千', '友', '邦', '亨', '吉', '振', '坤', '乾', '元', '旭', '皓',
    '璟', '琪', '宸', '铭', '升', '鹏', '骏', '驰', '荣', '耀', '力', '恩', '沃', '雅', '舒', '朗', '誉', '禾', '灿',
    '硕',
];

/// Two-character 字号 with Jinan flavour (泉城, the city of springs).
const LOCAL_WORDS: &[&str] = &[
    "泉城", "舜耕", "大明", "齐鲁", "历山", "千佛", "鹊华", "趵突", "泺源", "黄河", "华山", "泉海", "舜华", "济泺",
    "明湖", "百脉", "龙山", "玫瑰", "泉韵", "泉润", "泉兴", "鲁泉", "岱岳", "泉舜", "济源", "泉林", "荷香", "柳泉",
    "泉水", "舜和", "历城", "泺水", "济美", "泉盛", "东岳", "齐韵",
];

const INDUSTRIES: &[(&str, u32)] = &[
    ("科技", 10),
    ("商贸", 12),
    ("建筑工程", 6),
    ("餐饮管理", 4),
    ("医药", 2),
    ("物流", 4),
    ("环保科技", 3),
    ("食品", 3),
    ("信息技术", 6),
    ("房地产开发", 2),
    ("文化传媒", 4),
    ("机械设备", 3),
    ("新能源科技", 3),
    ("生物科技", 2),
    ("教育咨询", 2),
    ("物业管理", 2),
    ("汽车销售", 2),
    ("劳务", 2),
    ("装饰工程", 4),
    ("网络科技", 5),
    ("电子科技", 3),
    ("贸易", 4),
    ("建材", 2),
    ("广告", 2),
    ("企业管理咨询", 3),
    ("人力资源", 2),
    ("供应链管理", 2),
    ("农业科技", 2),
    ("园林绿化工程", 2),
    ("电力工程", 1),
    ("市政工程", 1),
    ("钢结构工程", 1),
    ("化工", 1),
    ("纺织", 1),
    ("服饰", 1),
    ("家居", 1),
    ("健康管理", 2),
    ("医疗器械", 2),
    ("酒店管理", 1),
    ("旅游", 1),
    ("印务", 1),
    ("智能科技", 3),
    ("软件", 3),
    ("数据科技", 2),
    ("检测技术", 1),
    ("安防科技", 1),
    ("水务", 1),
    ("汽车服务", 1),
    ("电子商务", 3),
    ("进出口", 1),
    ("工程机械", 1),
    ("仪器仪表", 1),
];

const COMPANY_FORMS: &[(&str, u32)] =
    &[("有限公司", 76), ("有限责任公司", 12), ("股份有限公司", 5), ("集团有限公司", 2)];

/// Shops of individual businesses, including Jinan's own (把子肉, 甜沫, 油旋).
const SHOP_ITEMS: &[(&str, u32)] = &[
    ("面馆", 6),
    ("便利店", 8),
    ("超市", 6),
    ("水果店", 4),
    ("烟酒店", 5),
    ("五金店", 3),
    ("家电维修部", 2),
    ("汽车维修部", 3),
    ("手机维修部", 2),
    ("理发店", 3),
    ("美发店", 3),
    ("服装店", 5),
    ("餐馆", 5),
    ("饭店", 4),
    ("烧烤店", 3),
    ("快餐店", 3),
    ("包子铺", 2),
    ("建材经营部", 3),
    ("日用品经营部", 2),
    ("百货商店", 2),
    ("蔬菜店", 2),
    ("粮油店", 2),
    ("干洗店", 1),
    ("文具店", 1),
    ("茶叶店", 2),
    ("花店", 1),
    ("眼镜店", 1),
    ("副食店", 2),
    ("鲜肉店", 2),
    ("水产店", 1),
    ("足疗店", 1),
    ("图文打印部", 1),
    ("装饰材料经营部", 2),
    ("电动车维修部", 2),
    ("把子肉馆", 2),
    ("甜沫店", 1),
    ("油旋店", 1),
    ("羊汤馆", 2),
    ("饺子馆", 2),
    ("鲁菜馆", 1),
    ("小吃部", 2),
    ("母婴用品店", 1),
    ("化妆品店", 1),
    ("鞋店", 1),
    ("床上用品店", 1),
    ("劳保用品经营部", 1),
    ("门窗加工部", 1),
    ("广告部", 1),
    ("摄影部", 1),
    ("早餐店", 2),
    ("熟食店", 2),
    ("调料店", 1),
    ("豆腐坊", 1),
    ("馒头房", 1),
];

/// What cooperatives grow or raise, including local specialities (章丘大葱,
/// 平阴玫瑰, 莱芜黑山羊, 龙山小米).
const COOP_PRODUCTS: &[(&str, u32)] = &[
    ("蔬菜种植", 10),
    ("果品种植", 6),
    ("粮食种植", 8),
    ("大葱种植", 3),
    ("樱桃种植", 3),
    ("苹果种植", 2),
    ("核桃种植", 2),
    ("花卉苗木种植", 3),
    ("中药材种植", 2),
    ("食用菌种植", 2),
    ("小米种植", 1),
    ("玫瑰种植", 1),
    ("茶叶种植", 1),
    ("生猪养殖", 4),
    ("畜禽养殖", 5),
    ("肉牛养殖", 2),
    ("蛋鸡养殖", 2),
    ("水产养殖", 2),
    ("黑山羊养殖", 1),
    ("农机服务", 4),
    ("植保服务", 2),
    ("土地股份", 2),
];

const VILLAGE_ENDINGS: &[char] = &['庄', '峪', '洼', '村', '寨', '屯'];

/// Units every district has exactly one of.
const DISTRICT_UNITS: &[&str] = &[
    "人民医院",
    "中医医院",
    "妇幼保健院",
    "疾病预防控制中心",
    "融媒体中心",
    "公共就业和人才服务中心",
    "综合检验检测中心",
    "政务服务中心",
    "档案馆",
    "图书馆",
    "文化馆",
    "博物馆",
    "实验小学",
    "实验中学",
    "实验幼儿园",
    "职业中等专业学校",
    "特殊教育学校",
    "社会福利院",
    "农业技术推广中心",
    "动物疫病预防与控制中心",
    "退役军人服务中心",
    "水利工程服务中心",
    "社会信用中心",
    "大数据中心",
    "城市管理服务中心",
    "医疗保障服务中心",
    "不动产登记中心",
    "住房保障服务中心",
    "园林绿化服务中心",
    "教育教学研究中心",
    "机关事务服务中心",
    "青少年活动中心",
    "统计调查中心",
    "市场监管综合服务中心",
];

/// Units named after a street, town or road.
const PLACE_UNITS: &[(&str, u32)] = &[
    ("小学", 10),
    ("中学", 5),
    ("幼儿园", 8),
    ("中心小学", 3),
    ("中心幼儿园", 3),
    ("实验学校", 2),
    ("街道社区卫生服务中心", 5),
    ("社区卫生服务站", 4),
    ("卫生院", 2),
    ("街道便民服务中心", 3),
    ("街道综合服务中心", 2),
    ("文化站", 2),
    ("农业综合服务站", 1),
    ("退役军人服务站", 2),
    ("畜牧兽医站", 1),
    ("水利站", 1),
    ("敬老院", 1),
];

const NUMBERED_UNITS: &[&str] = &["中学", "小学", "幼儿园", "实验小学"];

/// Names schools give themselves (济南育英中学, 回民小学).
const SCHOOL_WORDS: &[&str] = &[
    "育英", "育才", "启明", "明德", "博文", "崇文", "尚德", "致远", "思源", "启智", "弘德", "春晖", "阳光", "朝阳",
    "东方", "曙光", "胜利", "光明", "友谊", "和平", "建设", "新华", "舜文", "泉欣", "景山", "文苑", "翰林", "荷花",
    "柳园", "星光", "汇文", "新苑", "青年", "回民", "铁路", "英才",
];
const SCHOOL_UNITS: &[&str] = &["小学", "中学", "幼儿园", "实验学校"];

/// Halves of residential community (社区) names: 和平, 新苑, 东城 …
const COMMUNITY_FIRST: &[char] = &[
    '和', '新', '东', '西', '南', '北', '文', '建', '幸', '团', '光', '友', '花', '阳', '龙', '青', '胜', '民', '振',
    '永', '康', '福', '金', '丰', '安', '兴', '华', '泉', '山', '湖',
];
const COMMUNITY_SECOND: &[char] = &[
    '平', '华', '关', '苑', '福', '园', '光', '泉', '乐', '城', '庄', '河', '里', '景', '秀', '馨', '康', '盛', '源',
    '祥',
];
/// Units a residential community has.
const COMMUNITY_UNITS: &[&str] = &["社区卫生服务站", "社区居家养老服务站"];
/// What community associations are about.
const COMMUNITY_ASSOCIATIONS: &[&str] = &["老年人协会", "志愿者协会", "文体协会", "书画协会", "舞蹈协会", "慈善互助会"];

/// The self-chosen words of voluntary associations (济南市泉心志愿服务协会).
const ASSOCIATION_WORDS: &[&str] = &[
    "爱心",
    "阳光",
    "春晖",
    "彩虹",
    "同心",
    "益行",
    "善行",
    "微光",
    "温暖",
    "蓝天",
    "绿色",
    "海燕",
    "梦想",
    "希望",
    "启航",
    "泉心",
    "泉城",
    "舜耕",
    "明湖",
    "鹊华",
    "齐鲁",
    "黄河",
    "红叶",
    "夕阳红",
    "向日葵",
    "萤火虫",
    "蒲公英",
    "暖阳",
    "益家",
    "邻里",
];
const ASSOCIATION_THEMES: &[&str] = &[
    "志愿服务协会",
    "公益协会",
    "文化交流协会",
    "户外运动协会",
    "健身协会",
    "读书协会",
    "摄影协会",
    "合唱协会",
    "环保协会",
    "助学协会",
];

/// Industries with a 协会 / 行业协会 / 商会 / 促进会.
const TRADE_BODIES: &[&str] = &[
    "餐饮",
    "物流",
    "软件",
    "电子商务",
    "建筑业",
    "房地产业",
    "物业管理",
    "装饰",
    "汽车流通",
    "家政服务",
    "养老服务",
    "美容美发",
    "酒店",
    "旅游",
    "茶叶",
    "服装",
    "商贸流通",
    "机械工业",
    "医药",
    "医疗器械",
    "食品工业",
    "广告",
    "会展",
    "信息化",
    "人工智能",
    "大数据",
    "新能源汽车",
    "光伏",
    "环保产业",
    "建材",
    "钢结构",
    "市政工程",
    "园林绿化",
    "农业产业化",
    "畜牧业",
    "水产",
    "蔬菜",
    "果品",
    "种子",
    "农机",
    "文化产业",
    "动漫游戏",
    "眼镜",
    "珠宝玉石",
    "粮油",
    "烘焙",
    "中医药",
    "健康服务",
    "个体劳动者",
    "私营企业",
    "青年企业家",
    "女企业家",
    "民营经济",
    "外商投资",
];
const TRADE_FORMS: &[&str] = &["协会", "行业协会", "商会", "促进会"];

/// Fields with a 学会 / 研究会.
const LEARNED_FIELDS: &[&str] = &[
    "数学",
    "物理",
    "化学",
    "医学",
    "药学",
    "护理",
    "预防医学",
    "心理",
    "法学",
    "会计",
    "审计",
    "税务",
    "统计",
    "金融",
    "经济",
    "城市科学",
    "土木建筑",
    "水利",
    "气象",
    "地理",
    "历史",
    "民俗",
    "泉水文化",
    "舜文化",
    "齐鲁文化",
    "教育",
    "家庭教育",
    "老年学",
    "社会工作",
    "信用",
    "知识产权",
    "标准化",
    "质量管理",
    "计量",
    "电机工程",
    "机械工程",
    "自动化",
    "计算机",
];
const LEARNED_FORMS: &[&str] = &["学会", "研究会"];

/// Arts, sports and good works, with a 协会 / 联合会.
const PASTIMES: &[&str] = &[
    "书法家",
    "美术家",
    "摄影家",
    "作家",
    "音乐家",
    "舞蹈家",
    "曲艺家",
    "戏剧家",
    "民间文艺家",
    "收藏家",
    "集邮",
    "老年人体育",
    "篮球",
    "足球",
    "乒乓球",
    "羽毛球",
    "网球",
    "游泳",
    "武术",
    "太极拳",
    "围棋",
    "象棋",
    "桥牌",
    "钓鱼",
    "登山",
    "自行车",
    "马拉松",
    "徒步",
    "健身气功",
    "门球",
    "柔力球",
    "志愿者",
    "慈善",
    "义工",
    "残疾人",
    "老年书画",
    "京剧票友",
    "吕剧",
];
const PASTIME_FORMS: &[&str] = &["协会", "联合会"];

/// Home regions of chambers of commerce (异地商会).
const HOME_REGIONS: &[&str] = &[
    "浙江",
    "温州",
    "福建",
    "江苏",
    "河南",
    "河北",
    "安徽",
    "江西",
    "湖南",
    "湖北",
    "四川",
    "重庆",
    "广东",
    "东北",
    "山西",
    "陕西",
    "甘肃",
    "内蒙古",
    "台州",
    "宁波",
    "义乌",
    "泉州",
    "莆田",
    "潍坊",
    "临沂",
    "菏泽",
    "德州",
    "聊城",
    "青岛",
    "烟台",
    "济宁",
    "泰安",
    "淄博",
    "滨州",
    "东营",
    "日照",
    "威海",
    "枣庄",
];

/// What neighbourhood associations are about.
const STREET_ASSOCIATIONS: &[&str] = &[
    "老年人体育协会",
    "志愿服务协会",
    "慈善协会",
    "书画协会",
    "舞蹈协会",
    "太极拳协会",
    "门球协会",
    "文化协会",
    "商会",
];

/// Private non-enterprise units (民办非企业单位).
const PRIVATE_UNITS: &[(&str, u32)] = &[
    ("培训学校", 10),
    ("职业培训学校", 5),
    ("艺术培训学校", 5),
    ("外语培训学校", 3),
    ("文化培训学校", 3),
    ("幼儿园", 10),
    ("养老院", 5),
    ("养老服务中心", 5),
    ("颐养院", 2),
    ("康复中心", 3),
    ("社会工作服务中心", 4),
    ("公益服务中心", 3),
    ("研究院", 3),
    ("实验学校", 2),
    ("体育俱乐部", 3),
    ("书画院", 1),
    ("心理咨询服务中心", 2),
    ("社区服务中心", 2),
    ("托育中心", 3),
    ("门诊部", 2),
];

/// Surnames weighted roughly by their frequency in Shandong; 亓 is a Laiwu name.
const SURNAMES: &[(char, u32)] = &[
    ('王', 95),
    ('张', 85),
    ('李', 85),
    ('刘', 70),
    ('陈', 30),
    ('杨', 30),
    ('赵', 30),
    ('孙', 35),
    ('徐', 25),
    ('马', 22),
    ('高', 22),
    ('于', 22),
    ('朱', 18),
    ('胡', 12),
    ('郭', 18),
    ('宋', 18),
    ('韩', 16),
    ('吕', 12),
    ('田', 12),
    ('孟', 12),
    ('崔', 12),
    ('董', 12),
    ('曹', 10),
    ('周', 15),
    ('吴', 12),
    ('黄', 12),
    ('林', 8),
    ('何', 6),
    ('罗', 5),
    ('梁', 10),
    ('谢', 6),
    ('唐', 6),
    ('冯', 10),
    ('程', 8),
    ('袁', 6),
    ('邓', 5),
    ('许', 10),
    ('傅', 5),
    ('沈', 4),
    ('彭', 5),
    ('苏', 8),
    ('卢', 6),
    ('蒋', 5),
    ('蔡', 5),
    ('贾', 10),
    ('丁', 10),
    ('魏', 10),
    ('薛', 8),
    ('叶', 4),
    ('阎', 6),
    ('潘', 5),
    ('杜', 10),
    ('戴', 4),
    ('夏', 5),
    ('钟', 3),
    ('汪', 3),
    ('任', 10),
    ('姜', 12),
    ('范', 8),
    ('方', 4),
    ('石', 8),
    ('姚', 6),
    ('谭', 4),
    ('邹', 4),
    ('金', 5),
    ('陆', 3),
    ('郝', 8),
    ('孔', 10),
    ('白', 6),
    ('康', 6),
    ('毛', 5),
    ('秦', 6),
    ('史', 6),
    ('侯', 8),
    ('邵', 6),
    ('牛', 6),
    ('房', 5),
    ('亓', 4),
    ('尹', 6),
    ('路', 5),
    ('葛', 5),
];

const MALE_CHARS: &[char] = &[
    '伟', '强', '磊', '军', '勇', '杰', '涛', '明', '超', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波', '斌', '宇',
    '浩', '凯', '健', '俊', '帆', '帅', '旭', '宁', '龙', '林', '阳', '峰', '建', '国', '东', '海', '亮', '志', '新',
    '永', '胜', '文', '庆', '成', '兵', '振', '晨', '博', '航',
];
const FEMALE_CHARS: &[char] = &[
    '芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '燕', '玲', '婷', '雪', '慧', '红', '梅', '琳', '颖', '倩', '萍',
    '洁', '兰', '英', '晶', '莉', '丹', '璐', '悦', '欣', '佳', '蕾', '薇', '琦', '月', '晓', '秀', '春',
];
/// Given names typical of people born before 1975.
const OLDER_MALE_NAMES: &[&str] = &[
    "建国", "建军", "国庆", "卫东", "志强", "建华", "国栋", "振华", "德胜", "保国", "学军", "新民", "庆华", "长江",
    "宝山", "立新", "永生", "洪涛",
];
const OLDER_FEMALE_NAMES: &[&str] = &[
    "秀英", "桂英", "秀兰", "玉兰", "凤英", "淑芬", "桂兰", "秀珍", "玉梅", "秀芳", "素梅", "淑珍", "美华", "红梅",
    "丽华", "桂芝", "玉珍", "淑英",
];
/// Given names typical of people born from 1985 on.
const YOUNGER_MALE_NAMES: &[&str] =
    &["子豪", "浩然", "宇航", "嘉豪", "俊杰", "一鸣", "天宇", "博文", "晨阳", "浩宇", "鹏飞", "志远", "文博", "家豪"];
const YOUNGER_FEMALE_NAMES: &[&str] =
    &["欣怡", "思雨", "雨涵", "梦瑶", "佳琪", "诗琪", "雅琪", "晓雪", "梦琪", "嘉怡", "欣然", "子涵", "雨欣", "婉婷"];

/// Where legal representatives' ID numbers were issued: mostly Jinan
/// (including pre-merger codes such as 章丘市 370181 and 莱芜市 3712xx, which
/// people keep for life), some from elsewhere in Shandong. The weight (1–5)
/// is the number of sequence blocks of [`SEQUENCES_PER_SLOT`] a division gets.
const ID_DIVISIONS: &[(&str, u64)] = &[
    ("370102", 5),
    ("370103", 5),
    ("370104", 4),
    ("370105", 4),
    ("370112", 5),
    ("370113", 2),
    ("370114", 2),
    ("370115", 1),
    ("370116", 2),
    ("370117", 1),
    ("370124", 1),
    ("370126", 1),
    ("370181", 2),
    ("370125", 1),
    ("371202", 2),
    ("371203", 1),
    ("370202", 1),
    ("370203", 1),
    ("370211", 1),
    ("370302", 1),
    ("370303", 1),
    ("370402", 1),
    ("370502", 1),
    ("370602", 1),
    ("370702", 1),
    ("370811", 1),
    ("370902", 1),
    ("371002", 1),
    ("371102", 1),
    ("371302", 1),
    ("371402", 1),
    ("371425", 1),
    ("371502", 1),
    ("371602", 1),
    ("371702", 1),
];

const STATUSES: &[(SubjectStatus, u32)] =
    &[(SubjectStatus::Active, 950), (SubjectStatus::Revoked, 30), (SubjectStatus::Cancelled, 20)];

// ---------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------

/// A deterministic stream of synthetic Jinan market subjects.
pub struct DemoCity {
    draw: Draw,
    districts: Vec<District>,
    /// Every district's 街道/镇 and the shared roads, for city-level units.
    all_places: Vec<&'static str>,
    codes: CodeSpaces,
    /// One slot per (ID division, sequence block).
    id_slots: Vec<(&'static str, u64)>,
    id_perm: Permutation,
    ids_issued: u64,
    names: HashSet<u64>,
    recent_people: VecDeque<NaturalPerson>,
    emitted: u64,
}

impl fmt::Debug for DemoCity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The name set holds up to millions of hashes; print sizes only.
        f.debug_struct("DemoCity")
            .field("emitted", &self.emitted)
            .field("names", &self.names.len())
            .field("recent_people", &self.recent_people.len())
            .finish_non_exhaustive()
    }
}

impl DemoCity {
    pub fn new(seed: u64) -> DemoCity {
        let mut draw = Draw::new(seed);
        let codes = CodeSpaces::new(&mut draw);
        let id_slots: Vec<(&'static str, u64)> =
            ID_DIVISIONS.iter().flat_map(|&(code, blocks)| (0..blocks).map(move |b| (code, b))).collect();
        let id_space = id_slots.len() as u64 * BIRTH_DAYS * SEQUENCES_PER_SLOT;
        let id_perm = Permutation::new(id_space, &mut draw);
        let districts = jinan_counties()
            .into_iter()
            .filter(|d| d.code != CITY_DIVISION)
            .map(|d| {
                let facts = DISTRICT_FACTS.iter().find(|f| f.0 == d.code);
                District {
                    code: d.code,
                    name: d.name,
                    short: d.name.trim_end_matches(['区', '县', '市']),
                    urban_weight: facts.map_or(2, |f| f.1),
                    rural_weight: facts.map_or(1, |f| f.2),
                    places: facts.map_or(SHARED_PLACES, |f| f.3),
                }
            })
            .collect::<Vec<District>>();
        let mut all_places: Vec<&'static str> =
            districts.iter().flat_map(|d| d.places.iter().copied()).chain(SHARED_PLACES.iter().copied()).collect();
        all_places.sort_unstable();
        all_places.dedup();
        DemoCity {
            draw,
            districts,
            all_places,
            codes,
            id_slots,
            id_perm,
            ids_issued: 0,
            names: HashSet::new(),
            recent_people: VecDeque::with_capacity(RECENT_PEOPLE),
            emitted: 0,
        }
    }

    /// The next subject, as the event body that registers it.
    pub fn next_subject(&mut self) -> EventBody {
        let kind = self.draw.weighted(KINDS);
        let district = self.registering_district(kind);
        let (authority, category) = kind.authority_and_category();
        let family = kind.code_family(&mut self.draw);
        let body = self.codes.issue(family);
        let division = district.and_then(|i| self.districts.get(i)).map_or(CITY_DIVISION, |d| d.code);
        let uscc = built(Uscc::from_parts(authority, category, division, &body), "USCC");
        let person = self.representative();
        let name = self.unique_name(kind, district, &person);
        let status = self.draw.weighted(STATUSES);
        let role =
            if kind == Kind::IndividualBusiness { RelationRole::Principal } else { RelationRole::LegalRepresentative };
        self.emitted += 1;
        SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson { uscc, name: built(SubjectName::parse(&name), "subject name"), status },
            people: vec![RoleHolder { role, person }],
        }
        .into()
    }

    /// Index into `districts`, or `None` for a city-level registration.
    fn registering_district(&mut self, kind: Kind) -> Option<usize> {
        if self.draw.per_mille(kind.city_level_per_mille()) {
            return None;
        }
        let rural = kind == Kind::Cooperative;
        self.draw.weighted_index(self.districts.iter().map(|d| if rural { d.rural_weight } else { d.urban_weight }))
    }

    fn representative(&mut self) -> NaturalPerson {
        if !self.recent_people.is_empty() && self.draw.per_mille(REUSED_PERSON_PER_MILLE) {
            let i = self.draw.below(self.recent_people.len() as u64) as usize;
            if let Some(p) = self.recent_people.get(i) {
                return p.clone();
            }
        }
        let person = self.new_person();
        if self.recent_people.len() == RECENT_PEOPLE {
            self.recent_people.pop_front();
        }
        self.recent_people.push_back(person.clone());
        person
    }

    fn new_person(&mut self) -> NaturalPerson {
        if self.ids_issued >= self.id_perm.size {
            self.ids_issued = 0; // past UNIQUE_SUBJECTS people; see there
        }
        let v = self.id_perm.apply(self.ids_issued);
        self.ids_issued += 1;
        let per_slot = BIRTH_DAYS * SEQUENCES_PER_SLOT;
        let (division, block) = self.id_slots[(v / per_slot) as usize];
        let day = v % per_slot / SEQUENCES_PER_SLOT;
        // 1..=495 (see SEQUENCES_PER_SLOT).
        let u = block * SEQUENCES_PER_SLOT + v % SEQUENCES_PER_SLOT + 1;
        // Legal representatives are about two-thirds men.
        let male = self.draw.per_mille(680);
        let sequence = if male { 2 * u - 1 } else { 2 * u };
        // `day < BIRTH_DAYS`, so the sum is at most LATEST_BIRTH.
        let birth = EARLIEST_BIRTH.checked_add_days(Days::new(day)).unwrap_or(LATEST_BIRTH);
        let id_number = built(IdNumber::from_parts(division, birth, sequence as u16), "ID number");
        let name = person_name(&mut self.draw, male, birth.year());
        NaturalPerson { id_number, name: built(SubjectName::parse(&name), "person name") }
    }

    /// A name no earlier subject of this run has.
    fn unique_name(&mut self, kind: Kind, district: Option<usize>, person: &NaturalPerson) -> String {
        let district = district.and_then(|i| self.districts.get(i));
        let mut candidate = String::new();
        for attempt in 0..NAME_ATTEMPTS {
            // Later attempts use three-character 字号 and the forms with
            // the largest name spaces.
            let long = attempt >= 2;
            let d = &mut self.draw;
            candidate = match kind {
                Kind::Enterprise => enterprise_name(d, district, long),
                Kind::IndividualBusiness => shop_name(d, district, person, long),
                Kind::Cooperative => cooperative_name(d, district, long),
                Kind::PublicInstitution => institution_name(d, district, &self.all_places, long),
                Kind::SocialGroup => association_name(d, district, long),
                Kind::PrivateNonEnterprise => private_unit_name(d, district, long),
            };
            if self.names.insert(name_hash(&candidate)) {
                return candidate;
            }
        }
        // Only the bounded spaces of institutions and associations get here
        // in practice; a numbered branch is how real registers tell such
        // same-named units apart.
        let mut n = 2u32;
        loop {
            let numbered = format!("{candidate}{}", branch_suffix(&candidate, n));
            if self.names.insert(name_hash(&numbered)) {
                return numbered;
            }
            n += 1;
        }
    }
}

impl Iterator for DemoCity {
    type Item = EventBody;

    fn next(&mut self) -> Option<EventBody> {
        Some(self.next_subject())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

/// Unwraps a value the generator built from parts valid by construction
/// (6-digit divisions, 8-character bodies from the code set, dates within
/// 1955–2002, non-empty names). An error here is a bug in this file, which
/// the tests would catch for every seed they run.
fn built<T, E: fmt::Display>(result: Result<T, E>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("demo generator built an invalid {what}: {e}"),
    }
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// A 字号: two characters, or three when `long` (and sometimes anyway).
fn zihao(draw: &mut Draw, long: bool) -> String {
    let mut s = String::with_capacity(9);
    if draw.per_mille(150) {
        s.push_str(draw.pick(LOCAL_WORDS));
    } else {
        push_distinct(draw, &mut s, SYLLABLES);
        push_distinct(draw, &mut s, SYLLABLES);
    }
    if long || draw.per_mille(150) {
        push_distinct(draw, &mut s, SYLLABLES);
    }
    s
}

/// Appends a character from `pool` that differs from the last one (鑫鑫 reads
/// as a typo).
fn push_distinct(draw: &mut Draw, s: &mut String, pool: &[char]) {
    let last = s.chars().last();
    let mut c = draw.pick(pool);
    while Some(c) == last {
        c = draw.pick(pool);
    }
    s.push(c);
}

/// 济南市历下区 for a district, 济南市 for the city itself.
fn area_name(district: Option<&District>) -> String {
    match district {
        Some(d) => format!("济南市{}", d.name),
        None => "济南市".to_owned(),
    }
}

fn enterprise_name(draw: &mut Draw, district: Option<&District>, long: bool) -> String {
    let zihao = zihao(draw, long);
    let industry = draw.weighted(INDUSTRIES);
    if draw.per_mille(40) {
        // A branch registered here of a company registered elsewhere.
        let parent_region = if draw.per_mille(600) { "山东" } else { "" };
        let branch = match district {
            Some(d) => format!("{}分公司", d.short),
            None => "济南分公司".to_owned(),
        };
        return format!("{parent_region}{zihao}{industry}有限公司{branch}");
    }
    let form = draw.weighted(COMPANY_FORMS);
    match draw.below(100) {
        0..45 => format!("济南{zihao}{industry}{form}"),
        45..65 => format!("山东{zihao}{industry}{form}"),
        65..71 => format!("{zihao}(济南){industry}{form}"),
        71..85 => match district {
            Some(d) => format!("济南市{}{zihao}{industry}{form}", d.name),
            None => format!("济南{zihao}{industry}{form}"),
        },
        _ => format!("{zihao}{industry}{form}"),
    }
}

fn shop_name(draw: &mut Draw, district: Option<&District>, person: &NaturalPerson, long: bool) -> String {
    let area = match district {
        Some(d) if draw.per_mille(700) => d.name.to_owned(),
        d => area_name(d),
    };
    let owner = person.name.as_str();
    let core = match draw.below(100) {
        0..25 => match owner.chars().next() {
            Some(surname) => format!("{surname}记"),
            None => zihao(draw, long),
        },
        25..40 => owner.to_owned(),
        _ => zihao(draw, long),
    };
    let item = draw.weighted(SHOP_ITEMS);
    // Since 2022 new registrations carry the form in the name.
    let form = if draw.per_mille(250) { "(个体工商户)" } else { "" };
    format!("{area}{core}{item}{form}")
}

fn cooperative_name(draw: &mut Draw, district: Option<&District>, long: bool) -> String {
    let area = match district {
        Some(d) if draw.per_mille(500) => d.name.to_owned(),
        d => area_name(d),
    };
    let core = match draw.below(100) {
        0..60 => zihao(draw, long),
        60..85 => {
            let surname = draw.weighted(SURNAMES);
            let ending = draw.pick(VILLAGE_ENDINGS);
            format!("{surname}家{ending}")
        }
        _ => {
            let place = district.map_or("", |d| draw.pick(d.places));
            format!("{place}{}", zihao(draw, long))
        }
    };
    let product = draw.weighted(COOP_PRODUCTS);
    let form = if draw.per_mille(700) { "专业合作社" } else { "农民专业合作社" };
    format!("{area}{core}{product}{form}")
}

/// A residential community (社区) name: 和平, 新苑, 东城 …
fn community(draw: &mut Draw) -> String {
    let mut s = String::with_capacity(6);
    s.push(draw.pick(COMMUNITY_FIRST));
    push_distinct(draw, &mut s, COMMUNITY_SECOND);
    s
}

/// `roomy` asks for the community form (a 社区 unit), the only name space
/// large enough for a million-subject city: after a few collisions the other
/// forms of an area are likely used up.
fn institution_name(draw: &mut Draw, district: Option<&District>, all_places: &[&str], roomy: bool) -> String {
    const COMMUNITY_FORM: u64 = 100;
    let form = if roomy { COMMUNITY_FORM } else { draw.below(100) };
    let Some(d) = district else {
        // The city's own units; schools drop the 市 (济南第十一中学).
        return match form {
            0..10 => format!("济南市{}", draw.pick(DISTRICT_UNITS)),
            10..35 => {
                let n = chinese_number(draw.below(80) as u32 + 1);
                format!("济南第{n}{}", draw.pick(NUMBERED_UNITS))
            }
            35..50 => format!("济南{}{}", draw.pick(SCHOOL_WORDS), draw.pick(SCHOOL_UNITS)),
            COMMUNITY_FORM => {
                let place = draw.pick(all_places);
                let community = community(draw);
                let unit = draw.pick(COMMUNITY_UNITS);
                format!("济南市{place}街道{community}{unit}")
            }
            _ => format!("济南市{}{}", draw.pick(all_places), draw.weighted(PLACE_UNITS)),
        };
    };
    let area = area_name(district);
    match form {
        0..6 => format!("{area}{}", draw.pick(DISTRICT_UNITS)),
        6..20 => {
            let n = chinese_number(draw.below(80) as u32 + 1);
            format!("{area}第{n}{}", draw.pick(NUMBERED_UNITS))
        }
        20..30 => format!("{area}{}{}", draw.pick(SCHOOL_WORDS), draw.pick(SCHOOL_UNITS)),
        30..60 => {
            let place = if draw.per_mille(600) { draw.pick(d.places) } else { draw.pick(SHARED_PLACES) };
            format!("{area}{place}{}", draw.weighted(PLACE_UNITS))
        }
        _ => {
            let place = draw.pick(d.places);
            let community = community(draw);
            let unit = draw.pick(COMMUNITY_UNITS);
            format!("{area}{place}街道{community}{unit}")
        }
    }
}

/// `roomy` asks for the forms with a large name space (see
/// [`institution_name`]).
fn association_name(draw: &mut Draw, district: Option<&District>, roomy: bool) -> String {
    let area = area_name(district);
    let form = match (district, roomy) {
        (Some(_), true) => 85 + draw.below(15),
        (None, true) => 99,
        (_, false) => draw.below(100),
    };
    match (district, form) {
        (_, 0..25) => format!("{area}{}{}", draw.pick(TRADE_BODIES), draw.pick(TRADE_FORMS)),
        (_, 25..37) => format!("{area}{}{}", draw.pick(LEARNED_FIELDS), draw.pick(LEARNED_FORMS)),
        (_, 37..55) => format!("{area}{}{}", draw.pick(PASTIMES), draw.pick(PASTIME_FORMS)),
        (None, 55..65) => format!("济南{}商会", draw.pick(HOME_REGIONS)),
        (Some(d), 75..85) => {
            let place = draw.pick(d.places);
            format!("{area}{place}街道{}", draw.pick(STREET_ASSOCIATIONS))
        }
        (Some(d), 85..) => {
            let place = draw.pick(d.places);
            let community = community(draw);
            let topic = draw.pick(COMMUNITY_ASSOCIATIONS);
            format!("{area}{place}街道{community}社区{topic}")
        }
        // Voluntary associations pick a word of their own, like a 字号.
        _ => {
            let word = if !roomy && draw.per_mille(700) {
                draw.pick(ASSOCIATION_WORDS).to_owned()
            } else {
                zihao(draw, false)
            };
            format!("{area}{word}{}", draw.pick(ASSOCIATION_THEMES))
        }
    }
}

fn private_unit_name(draw: &mut Draw, district: Option<&District>, long: bool) -> String {
    let area = area_name(district);
    let zihao = zihao(draw, long);
    format!("{area}{zihao}{}", draw.weighted(PRIVATE_UNITS))
}

/// The suffix that numbers the `n`th unit of the same name: 第二分校 for a
/// school, 第二分会 for an association, and so on.
fn branch_suffix(name: &str, n: u32) -> String {
    let unit = match name.chars().last() {
        Some('学' | '校') => "分校",
        Some('院') => "分院",
        Some('心') => "分中心",
        Some('会') => "分会",
        Some('园') => "分园",
        Some('社') => "分社",
        Some('站') => "分站",
        _ => "分部",
    };
    format!("第{}{unit}", chinese_number(n))
}

/// 1 → 一, 12 → 十二, 40 → 四十, 99 → 九十九; larger numbers in digits.
fn chinese_number(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let digit = |d: u32| DIGITS[d as usize];
    match n {
        0..10 => digit(n).to_string(),
        10..20 => format!("十{}", if n == 10 { String::new() } else { digit(n % 10).to_string() }),
        20..100 => {
            let ones = if n.is_multiple_of(10) { String::new() } else { digit(n % 10).to_string() };
            format!("{}十{ones}", digit(n / 10))
        }
        _ => n.to_string(),
    }
}

fn person_name(draw: &mut Draw, male: bool, birth_year: i32) -> String {
    let mut name = String::with_capacity(9);
    name.push(draw.weighted(SURNAMES));
    let pool = if male { MALE_CHARS } else { FEMALE_CHARS };
    match draw.below(100) {
        0..25 => push_distinct(draw, &mut name, pool),
        25..55 if !(1975..1985).contains(&birth_year) => {
            let names = match (male, birth_year < 1975) {
                (true, true) => OLDER_MALE_NAMES,
                (false, true) => OLDER_FEMALE_NAMES,
                (true, false) => YOUNGER_MALE_NAMES,
                (false, false) => YOUNGER_FEMALE_NAMES,
            };
            name.push_str(draw.pick(names));
        }
        _ => {
            push_distinct(draw, &mut name, pool);
            push_distinct(draw, &mut name, pool);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parts(body: &EventBody) -> (&LegalPerson, &RoleHolder) {
        match body {
            EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, people }) => {
                assert_eq!(people.len(), 1, "exactly one role holder");
                (subject, &people[0])
            }
            other => panic!("unexpected event {other:?}"),
        }
    }

    fn line(body: &EventBody) -> String {
        let (s, p) = parts(body);
        format!(
            "{} {} {} {} {} {}",
            s.uscc.as_str(),
            s.name.as_str(),
            s.status.as_str(),
            p.role.as_str(),
            p.person.id_number.as_str(),
            p.person.name.as_str()
        )
    }

    #[test]
    fn same_seed_gives_the_same_city() {
        let a: Vec<EventBody> = DemoCity::new(7).take(1_000).collect();
        let b: Vec<EventBody> = DemoCity::new(7).take(1_000).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn different_seeds_give_different_cities() {
        let a: Vec<EventBody> = DemoCity::new(1).take(20).collect();
        let b: Vec<EventBody> = DemoCity::new(2).take(20).collect();
        for (x, y) in a.iter().zip(&b) {
            assert_ne!(parts(x).0.uscc, parts(y).0.uscc);
        }
        assert_ne!(a, b);
    }

    #[test]
    fn frozen_first_subjects_for_seed_42() {
        let lines: Vec<String> = DemoCity::new(42).take(3).map(|b| line(&b)).collect();
        // A change here changes every demo city: only accept it on purpose.
        assert_eq!(
            lines,
            [
                "91370100061065158J 山东恩海装饰工程有限公司 active legal_representative \
                 370104196308027499 贾宝山",
                // The second subject reuses the first one's representative.
                "91370103MA3TD4BB09 山东悦力物流有限公司市中分公司 active legal_representative \
                 370104196308027499 贾宝山",
                "91370100765753581T 济南诺山食品有限公司 active legal_representative \
                 370104196002244474 张阳军",
            ],
            "{lines:#?}"
        );
    }

    #[test]
    fn frozen_digest_of_first_thousand_for_seed_42() {
        let all: String = DemoCity::new(42).take(1_000).map(|b| line(&b) + "\n").collect();
        assert_eq!(format!("{:016x}", name_hash(&all)), "19061ff15d3b06ae");
    }

    #[test]
    fn two_hundred_thousand_subjects_are_valid_unique_and_well_mixed() {
        const N: usize = 200_000;
        let mut usccs = HashSet::with_capacity(N);
        let mut names = HashSet::with_capacity(N);
        let mut people: HashMap<String, String> = HashMap::new();
        let mut kinds: HashMap<String, usize> = HashMap::new();
        let mut statuses: HashMap<&str, usize> = HashMap::new();
        let mut new_people = 0usize;
        for body in DemoCity::new(42).take(N) {
            let (subject, holder) = parts(&body);
            let code = subject.uscc.as_str();
            assert_eq!(Uscc::parse(code).as_ref(), Ok(&subject.uscc), "{code}");
            assert_eq!(&code[2..6], "3701", "{code} is not registered in Jinan");
            assert!(usccs.insert(code.to_owned()), "duplicate USCC {code}");
            assert!(names.insert(subject.name.as_str().to_owned()), "duplicate name {}", subject.name);
            let id = holder.person.id_number.as_str();
            assert_eq!(IdNumber::parse(id).as_ref(), Ok(&holder.person.id_number));
            let year = holder.person.id_number.birth_date().year();
            assert!((1955..=2002).contains(&year), "{id}");
            // One ID number, one person: reuse repeats the same name.
            let name = holder.person.name.as_str().to_owned();
            match people.get(id) {
                Some(known) => assert_eq!(known, &name, "{id}"),
                None => {
                    new_people += 1;
                    people.insert(id.to_owned(), name);
                }
            }
            let kind = code[..2].to_owned();
            let expected_role = if kind == "92" { RelationRole::Principal } else { RelationRole::LegalRepresentative };
            assert_eq!(holder.role, expected_role, "{code}");
            *kinds.entry(kind).or_default() += 1;
            *statuses.entry(subject.status.as_str()).or_default() += 1;
        }
        let share = |count: usize| count as f64 * 100.0 / N as f64;
        for (kind, percent) in [("91", 70.0), ("92", 20.0), ("93", 3.0), ("12", 3.0), ("51", 2.0), ("52", 2.0)] {
            let got = share(kinds.get(kind).copied().unwrap_or(0));
            assert!((got - percent).abs() <= 3.0, "{kind}: {got:.2}% vs {percent}%");
        }
        assert_eq!(kinds.len(), 6, "{kinds:?}");
        let active = share(statuses.get("active").copied().unwrap_or(0));
        assert!((active - 95.0).abs() <= 1.0, "active {active:.2}%");
        let reused = 100.0 - share(new_people);
        assert!((reused - 5.0).abs() <= 1.0, "reused {reused:.2}%");
    }

    #[test]
    fn permutation_is_a_bijection() {
        let mut draw = Draw::new(3);
        for size in [1u64, 2, 3, 5, 31, 100, 961, 1000, 4097] {
            let perm = Permutation::new(size, &mut draw);
            let mut seen: Vec<u64> = (0..size).map(|i| perm.apply(i)).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..size).collect::<Vec<_>>(), "size {size}");
        }
    }

    #[test]
    fn code_spaces_are_large_enough_and_prefixes_distinct() {
        let spaces = CodeSpaces::new(&mut Draw::new(0));
        for space in [&spaces.market_new, &spaces.staffing_new, &spaces.civil_new] {
            assert!(space.size() >= UNIQUE_SUBJECTS, "{space:?}");
        }
        for prefixes in [
            MARKET_NEW_PREFIXES,
            MARKET_OLD_PREFIXES,
            STAFFING_NEW_PREFIXES,
            STAFFING_OLD_PREFIXES,
            CIVIL_NEW_PREFIXES,
            CIVIL_OLD_PREFIXES,
        ] {
            let set: HashSet<&str> = prefixes.iter().copied().collect();
            assert_eq!(set.len(), prefixes.len(), "{prefixes:?}");
            let len = prefixes[0].len();
            assert!(prefixes.iter().all(|p| p.len() == len && p.bytes().all(|b| CHARSET31.contains(&b))));
        }
        let ids = ID_DIVISIONS.iter().map(|&(_, w)| w).sum::<u64>() * BIRTH_DAYS * SEQUENCES_PER_SLOT;
        assert!(ids >= UNIQUE_SUBJECTS);
        assert!(ID_DIVISIONS.iter().all(|&(_, w)| (1..=5).contains(&w)));
        assert_eq!(BIRTH_DAYS, 17_532);
    }

    #[test]
    fn small_code_space_falls_back_then_wraps() {
        let mut draw = Draw::new(9);
        let mut space = CodeSpace::new(&["MA3C"], 1, 31, &mut draw);
        let mut bodies: Vec<String> = (0..31).filter_map(|_| space.issue()).collect();
        assert_eq!(space.issue(), None);
        bodies.sort();
        bodies.dedup();
        assert_eq!(bodies.len(), 31);
        assert!(bodies.iter().all(|b| b.len() == 5 && b.starts_with("MA3C")));
        assert!(space.issue_wrapping().starts_with("MA3C"));
    }

    #[test]
    fn below_stays_in_range() {
        let mut draw = Draw::new(11);
        assert_eq!(draw.below(0), 0);
        assert_eq!(draw.below(1), 0);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[draw.below(7) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (9_000..11_000).contains(&c)), "{counts:?}");
    }

    #[test]
    fn chinese_numbers_read_naturally() {
        let got: Vec<String> = [1, 10, 11, 20, 34, 99, 100].map(chinese_number).to_vec();
        assert_eq!(got, ["一", "十", "十一", "二十", "三十四", "九十九", "100"]);
        assert_eq!(branch_suffix("济南市历下区燕山小学", 2), "第二分校");
    }
}
