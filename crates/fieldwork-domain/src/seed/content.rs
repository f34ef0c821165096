//! Demo-content vocabulary for the seeded demo-data generator: customer and technician names,
//! phone numbers, addresses, appliances, problem descriptions, diagnoses, resolutions, notes,
//! feedback, the five standard job types with their checklists, and a parts catalogue.
//!
//! Everything here is pure and deterministic: the only source of variation is the `Rng` the
//! caller passes in, so the same seed always produces the same demo data. Roughly half the demo
//! customers are Chinese (Chinese name, address, phone and problem text) and half English
//! (UK name, address, phone and problem text); every function that produces text takes a
//! `chinese` flag so a caller keeps one customer's records in one language.

use rand::Rng;
use rand::seq::SliceRandom;

use crate::domain::{ChecklistItem, ChecklistItemKind, EquipmentCategory, Part, PhotoKind};

/// English and Chinese variants of one kind of text.
type Texts = (&'static [&'static str], &'static [&'static str]);

/// Picks one entry, or `""` for an empty table.
fn pick<R: Rng + ?Sized>(rng: &mut R, items: &[&'static str]) -> &'static str {
    items.choose(rng).copied().unwrap_or("")
}

/// Picks from the language-matched half of `texts`.
fn pick_lang<R: Rng + ?Sized>(rng: &mut R, texts: Texts, chinese: bool) -> String {
    pick(rng, if chinese { texts.1 } else { texts.0 }).to_string()
}

// ---------------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
const CN_SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "田", "董", "潘", "袁", "蒋", "蔡", "余", "杜", "欧阳", "司马",
];

#[rustfmt::skip]
const CN_GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文博", "子涵", "浩然", "欣怡",
    "雨轩", "晓东", "志强", "海燕", "丽华", "俊杰", "婷婷", "国庆", "春梅", "佳琪", "宇航", "思远",
];

#[rustfmt::skip]
const EN_FIRST: &[&str] = &[
    "Emma", "Oliver", "Sophie", "James", "Charlotte", "Harry", "Amelia", "George", "Isla", "Jack",
    "Grace", "Thomas", "Lucy", "William", "Hannah", "Daniel", "Chloe", "Samuel", "Ella", "Joseph",
    "Rebecca", "Matthew", "Laura", "David", "Katie", "Michael", "Fiona", "Andrew", "Megan", "Peter",
    "Priya", "Arjun", "Aisha", "Tomasz", "Marta", "Luca", "Sinead", "Rhys", "Niamh", "Callum",
];

#[rustfmt::skip]
const EN_LAST: &[&str] = &[
    "Clarke", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Evans", "Thomas", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clark", "Turner",
    "Hill", "Scott", "Cooper", "Morris", "Ward", "Patel", "Khan", "Kowalski", "Murphy", "O'Brien",
    "MacDonald", "Rossi",
];

/// Technicians: 20 Chinese, 20 English, all distinct.
#[rustfmt::skip]
const TECHNICIANS: &[(&str, bool)] = &[
    ("张建国", true), ("李志强", true), ("王磊", true), ("刘海涛", true), ("陈俊杰", true),
    ("杨光", true), ("赵军", true), ("黄晓东", true), ("周明", true), ("吴勇", true),
    ("徐浩然", true), ("孙刚", true), ("马超", true), ("朱国庆", true), ("胡文博", true),
    ("郭宇航", true), ("林志伟", true), ("何平", true), ("高建华", true), ("罗思远", true),
    ("Dave Mitchell", false), ("Gareth Hughes", false), ("Ian Fletcher", false),
    ("Mark Bennett", false), ("Steve Collins", false), ("Paul Gregory", false),
    ("Ryan O'Connor", false), ("Craig Dawson", false), ("Lee Stevens", false),
    ("Martin Kelly", false), ("Tom Hargreaves", false), ("Adam Walsh", false),
    ("Chris Palmer", false), ("Neil Barker", false), ("Jamie Foster", false),
    ("Piotr Nowak", false), ("Sam Whitfield", false), ("Kevin Doyle", false),
    ("Rob Ashworth", false), ("Lewis Grant", false),
];

/// Head-office dispatchers, mixed English and Chinese.
pub const DISPATCHERS: &[&str] =
    &["Sarah Mitchell", "李静", "Tom Harris", "陈晓燕", "Priya Shah", "刘洋"];

/// A customer's full name: `张伟`, `欧阳欣怡` for Chinese customers, `Emma Clarke` for English.
pub fn customer_name<R: Rng>(rng: &mut R, chinese: bool) -> String {
    if chinese {
        format!("{}{}", pick(rng, CN_SURNAMES), pick(rng, CN_GIVEN))
    } else {
        format!("{} {}", pick(rng, EN_FIRST), pick(rng, EN_LAST))
    }
}

/// About forty distinct technician names, each with whether it is a Chinese name.
pub fn technician_names() -> Vec<(String, bool)> {
    TECHNICIANS.iter().map(|&(name, chinese)| (name.to_string(), chinese)).collect()
}

#[rustfmt::skip]
const CN_MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "191", "193", "195", "198", "199",
];

/// A phone number: an 11-digit Chinese mobile (`13812345678`) or a UK mobile in the range
/// Ofcom reserves for drama (`+44 7700 900123`), so no real person is ever called.
pub fn phone<R: Rng>(rng: &mut R, chinese: bool) -> String {
    if chinese {
        let prefix = pick(rng, CN_MOBILE_PREFIXES);
        format!("{prefix}{:08}", rng.gen_range(0..100_000_000u32))
    } else {
        format!("+44 7700 900{:03}", rng.gen_range(0..1000u32))
    }
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

/// A site address, as the seed generator stores it on a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The whole address on one line (for Chinese addresses including city and district).
    pub line: String,
    pub city: String,
    pub postal_code: String,
    pub access_notes: Option<String>,
}

/// A Chinese city: (city, prefix written in the address, districts, roads, first postal code).
type CnCity = (&'static str, &'static str, &'static [&'static str], &'static [&'static str], u32);

#[rustfmt::skip]
const CN_CITIES: &[CnCity] = &[
    ("上海", "上海市", &["浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区", "普陀区"],
        &["张杨路", "漕溪北路", "虹梅路", "南京西路", "国权路", "真北路"], 200_000),
    ("北京", "北京市", &["朝阳区", "海淀区", "丰台区", "东城区", "通州区"],
        &["建国路", "中关村大街", "望京西路", "丰台北路", "新华西街"], 100_000),
    ("广州", "广州市", &["天河区", "海珠区", "越秀区", "番禺区"],
        &["天河路", "新港中路", "中山五路", "市桥大道"], 510_000),
    ("深圳", "深圳市", &["南山区", "福田区", "宝安区", "龙岗区"],
        &["科技园路", "深南大道", "新安路", "龙岗大道"], 518_000),
    ("杭州", "杭州市", &["西湖区", "滨江区", "拱墅区", "余杭区"],
        &["文三路", "江南大道", "莫干山路", "文一西路"], 310_000),
    ("成都", "成都市", &["武侯区", "高新区", "锦江区", "金牛区"],
        &["天府大道", "人民南路", "春熙路", "一环路北段"], 610_000),
    ("南京", "南京市", &["鼓楼区", "建邺区", "玄武区", "江宁区"],
        &["中山北路", "江东中路", "北京东路", "双龙大道"], 210_000),
    ("武汉", "武汉市", &["江汉区", "洪山区", "武昌区", "汉阳区"],
        &["解放大道", "珞喻路", "中北路", "汉阳大道"], 430_000),
];

#[rustfmt::skip]
const CN_ESTATES: &[&str] = &[
    "阳光花园", "锦绣华庭", "翠湖天地", "万科城", "绿地世纪城", "碧桂园", "金地格林小城",
    "保利香槟国际", "华润橡树湾", "龙湖春江郦城",
];

/// UK cities: (city, postcode area, highest district number).
#[rustfmt::skip]
const UK_CITIES: &[(&str, &str, u32)] = &[
    ("Bristol", "BS", 16), ("Manchester", "M", 40), ("Leeds", "LS", 28), ("Edinburgh", "EH", 17),
    ("Cardiff", "CF", 24), ("Oxford", "OX", 4), ("Bath", "BA", 2), ("Brighton", "BN", 3),
    ("York", "YO", 32), ("Cambridge", "CB", 5), ("Norwich", "NR", 14), ("Nottingham", "NG", 11),
    ("Sheffield", "S", 20), ("Glasgow", "G", 53),
];

#[rustfmt::skip]
const UK_STREETS: &[&str] = &[
    "Mill Lane", "Church Road", "Station Road", "Victoria Street", "High Street", "Park Avenue",
    "Queens Road", "The Crescent", "Oak Tree Close", "Elm Grove", "Manor Way", "Kingsley Road",
    "Beech Drive", "Windmill Hill", "Albert Terrace", "Orchard Close", "Chapel Street",
    "Meadow View", "Springfield Road", "Canal Side",
];

#[rustfmt::skip]
const UK_HOUSE_NAMES: &[&str] = &[
    "Rose Cottage", "The Old Forge", "Ivy House", "Hillcrest", "The Coach House", "Willow Barn",
];

/// Letters used in the inward part of UK postcodes.
const POSTCODE_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

#[rustfmt::skip]
const EN_ACCESS_NOTES: &[&str] = &[
    "Please call 30 minutes before arriving", "Dog in the garden, please knock and wait",
    "Park on the driveway; street parking is permit-only", "Third floor, no lift",
    "Ring the bell for flat 3, the buzzer is unreliable",
    "Use the side entrance, front door is not used",
    "Key safe by the back door, code given by phone", "Visitor parking bay 12 behind the building",
    "Elderly customer, allow time to answer the door",
    "Narrow stairs, unit may need to go through the garden",
];

#[rustfmt::skip]
const ZH_ACCESS_NOTES: &[&str] = &[
    "请提前30分钟电话联系", "家里有狗，请敲门后稍等", "地下车库可临时停车，请到物业登记",
    "无电梯，6楼", "小区进门需在物业登记，请带工牌", "老人在家，请耐心敲门",
    "工作日只有保姆在家，请先联系业主", "小区东门进，西门不对外开放", "楼道狭窄，大件需从货梯上楼",
    "中午12点到2点请勿上门",
];

/// A site address matched to the customer's language; about 30 % carry access notes.
pub fn address<R: Rng>(rng: &mut R, chinese: bool) -> Address {
    let (line, city, postal_code) = if chinese { chinese_address(rng) } else { uk_address(rng) };
    let access_notes = rng.gen_bool(0.3).then(|| access_note(rng, chinese));
    Address { line, city, postal_code, access_notes }
}

fn chinese_address<R: Rng + ?Sized>(rng: &mut R) -> (String, String, String) {
    let Some(&(city, prefix, districts, roads, postal_base)) = CN_CITIES.choose(rng) else {
        return ("上海市浦东新区张杨路1200弄5号1802室".into(), "上海".into(), "200120".into());
    };
    let district = pick(rng, districts);
    let road = pick(rng, roads);
    let number = rng.gen_range(1..=2000u32);
    let building = rng.gen_range(1..=30u32);
    let floor = rng.gen_range(1..=32u32);
    let room = rng.gen_range(1..=6u32);
    let line = match rng.gen_range(0..3u8) {
        0 => format!("{prefix}{district}{road}{number}弄{building}号{floor}{room:02}室"),
        1 => {
            let estate = pick(rng, CN_ESTATES);
            let unit = rng.gen_range(1..=4u32);
            format!(
                "{prefix}{district}{road}{number}号{estate}{building}栋{unit}单元{floor}{room:02}室"
            )
        }
        _ => {
            let estate = pick(rng, CN_ESTATES);
            format!("{prefix}{district}{estate}{building}号楼{floor}{room:02}")
        }
    };
    let postal_code = format!("{:06}", postal_base + rng.gen_range(0..400u32));
    (line, city.to_string(), postal_code)
}

fn uk_address<R: Rng + ?Sized>(rng: &mut R) -> (String, String, String) {
    let Some(&(city, area, max_district)) = UK_CITIES.choose(rng) else {
        return ("14 Mill Lane, Flat 3".into(), "Bristol".into(), "BS3 4QT".into());
    };
    let street = pick(rng, UK_STREETS);
    let number = rng.gen_range(1..=180u32);
    let line = match rng.gen_range(0..4u8) {
        0 | 1 => format!("{number} {street}"),
        2 => format!("{number} {street}, Flat {}", rng.gen_range(1..=12u32)),
        _ => format!("{}, {street}", pick(rng, UK_HOUSE_NAMES)),
    };
    let district = rng.gen_range(1..=max_district);
    let sector = rng.gen_range(1..=9u32);
    let mut unit = String::with_capacity(2);
    for _ in 0..2 {
        let i = rng.gen_range(0..POSTCODE_LETTERS.len());
        unit.push(char::from(POSTCODE_LETTERS.get(i).copied().unwrap_or(b'A')));
    }
    (line, city.to_string(), format!("{area}{district} {sector}{unit}"))
}

fn access_note<R: Rng + ?Sized>(rng: &mut R, chinese: bool) -> String {
    let notes = if chinese { ZH_ACCESS_NOTES } else { EN_ACCESS_NOTES };
    // One extra slot for a generated gate code.
    let i = rng.gen_range(0..=notes.len());
    match notes.get(i) {
        Some(note) => (*note).to_string(),
        None if chinese => format!("单元门禁密码 #{:04}", rng.gen_range(0..10_000u32)),
        None => format!("Gate code {:04}#", rng.gen_range(0..10_000u32)),
    }
}

// ---------------------------------------------------------------------------------------------
// Appliances
// ---------------------------------------------------------------------------------------------

/// A product at a customer site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appliance {
    pub category: EquipmentCategory,
    pub brand: &'static str,
    pub model: String,
    pub serial: String,
}

type BrandModels = &'static [(&'static str, &'static [&'static str])];

/// Brands and realistic model codes for each category.
#[rustfmt::skip]
pub(crate) fn brand_models(category: EquipmentCategory) -> BrandModels {
    use EquipmentCategory as C;
    match category {
        C::AirConditioner => &[
            ("Gree", &["KFR-35GW/(35592)FNhAa-B1", "KFR-26GW/(26592)FNhAa-B3", "KFR-72LW/(72555)FNhAa-A1"]),
            ("Midea", &["KFR-35GW/BpR3DN8Y-KW200(1)", "KFR-26GW/N8MJA3", "KFR-51LW/BP3DN8Y-YH200(1)"]),
            ("Haier", &["KFR-35GW/81@U1-Ge", "KFR-26GW/B1KBB81U1", "KFR-72LW/07EDS81"]),
            ("Daikin", &["FTXM35R", "FTXF25D", "ATXC35B"]),
            ("Mitsubishi Electric", &["MSZ-LN35VG", "MSZ-AP25VGK"]),
            ("Samsung", &["AR12TXHQASINEU", "AR09TXFCAWKNEU"]),
            ("LG", &["S12ET.NSJ", "DC09RH.NSJ"]),
        ],
        C::WaterHeater => &[
            ("A.O. Smith", &["E60VN3", "E80VJ5", "JSQ31-VJ"]),
            ("Vaillant", &["ecoTEC plus 835", "ecoTEC pro 28", "uniSTOR VIH R 150"]),
            ("Worcester Bosch", &["Greenstar 4000 30kW", "Greenstar 8000 Life 35kW"]),
            ("Haier", &["EC6002-MC3", "JSQ25-13WN3S"]),
            ("Midea", &["F6021-X1(S)", "JSQ30-16HWB"]),
            ("Ariston", &["Velis Evo 80", "Andris Lux 30"]),
            ("Rinnai", &["RUS-16E32FRF", "JSQ31-C05"]),
        ],
        C::WashingMachine => &[
            ("Haier", &["EG100MATE2S", "XQG100-B12026"]),
            ("Little Swan", &["TG100V88WMUIADY5", "TD100V86WMADY5"]),
            ("Bosch", &["WAN28281GB", "WGG244A9GB", "WAU28PH9GB"]),
            ("Siemens", &["WM14N202GB", "WG44G2F9GB"]),
            ("Miele", &["WWD320 WCS", "WEA025 WCS"]),
            ("Samsung", &["WW90T534DAW", "WW11BB744DGB"]),
            ("LG", &["F4V310WNE", "FWY996WCTN4"]),
            ("Whirlpool", &["FFD 9448 BV UK", "W6 W945WB UK"]),
            ("Midea", &["MG100V11F", "MD100VT13DS5"]),
        ],
        C::Refrigerator => &[
            ("Haier", &["BCD-470WDPG", "HB20FPAAA"]),
            ("Midea", &["BCD-521WKPZM(E)", "MDRF632FGE"]),
            ("Bosch", &["KGN36VLEAG", "KIV86VSE0G"]),
            ("Siemens", &["KG36NXIDF", "KI86SADE0"]),
            ("Samsung", &["RS68A8840S9", "RB38T602CSA"]),
            ("LG", &["GSLV71PZTM", "GBB92STAXP"]),
            ("Hisense", &["RF540N4WIE1", "BCD-610WMK1DPUJ"]),
            ("Liebherr", &["CNef 4815", "ICBN 3376"]),
        ],
        C::Dishwasher => &[
            ("Bosch", &["SMS4HVI33E", "SMV4HTX28G", "SPS2IKW04G"]),
            ("Siemens", &["SN23EI14CG", "SN85TX00CE"]),
            ("Miele", &["G 5210 SC", "G 7110 SCi"]),
            ("Midea", &["WQP12-J7209", "RX600"]),
            ("Beko", &["DVN05320W", "DIN15X20"]),
            ("Whirlpool", &["WFC 3C26 P UK"]),
        ],
        C::Oven => &[
            ("Bosch", &["HBS534BS0B", "HBG7764B1"]),
            ("Siemens", &["HB578A0S6B", "HB676G0S1"]),
            ("Miele", &["H 2265-1 BP", "H 7264 BP"]),
            ("Neff", &["B57CR22N0B", "B3ACE4HN0B"]),
            ("Fotile", &["E5-C1T", "KQD58F-E2"]),
            ("AEG", &["BPK556260M", "BPS355020M"]),
        ],
        C::RangeHood => &[
            ("Fotile", &["CXW-258-JQG7501", "CXW-200-EMC5"]),
            ("Robam", &["CXW-260-27A7", "CXW-200-8229"]),
            ("Bosch", &["DWB97IM50B", "DWK97JQ60B"]),
            ("Siemens", &["LC97BHM50B", "LC67BHM50B"]),
            ("Elica", &["Haiku 90", "Stripe 60"]),
            ("Midea", &["CXW-280-J25", "CXW-230-TJ8055"]),
        ],
        C::Kitchen => &[
            ("IKEA", &["METOD base cabinet 60x60", "METOD wall cabinet 80x40", "KNOXHULT 220"]),
            ("Oppein", &["OP-K2210", "OP-K1806"]),
            ("Howdens", &["Greenwich Shaker", "Clerkenwell Gloss"]),
            ("Magnet", &["Integra Tatton", "Nordic Nature"]),
        ],
        C::Furniture => &[
            ("IKEA", &["PAX 200x236", "KIVIK 3-seat", "MALM 6-drawer", "HEMNES daybed"]),
            ("KUKA Home", &["KUKA 2138 recliner sofa", "KUKA 9015 bed frame"]),
            ("Quanyou", &["QY-121301 wardrobe", "QY-102201 sofa"]),
            ("DFS", &["Ella 3 seater", "Zinc corner sofa"]),
        ],
        C::SmartHome => &[
            ("Xiaomi", &["XMZNMS08LM", "XMZNMST02YD"]),
            ("Aqara", &["D100", "A100 Pro", "Hub M2"]),
            ("Dessmann", &["Q50FMAX", "V7"]),
            ("Yale", &["Conexis L2", "Linus L2"]),
            ("Google Nest", &["T3028GB Learning Thermostat", "Nest Thermostat E"]),
            ("Philips Hue", &["Bridge v2 BSB002"]),
        ],
    }
}

/// Characters used in serial numbers (no I or O, which are misread as 1 and 0).
const SERIAL_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A random appliance: a category, a realistic brand and model for it, and a serial number of
/// 12–16 letters and digits.
pub fn appliance<R: Rng>(rng: &mut R) -> Appliance {
    let category =
        EquipmentCategory::ALL.choose(rng).copied().unwrap_or(EquipmentCategory::WashingMachine);
    let (brand, model) = match brand_models(category).choose(rng) {
        Some(&(brand, models)) => (brand, pick(rng, models)),
        None => ("Haier", "EG100MATE2S"),
    };
    let len = rng.gen_range(12..=16usize);
    let serial = (0..len)
        .map(|_| {
            let i = rng.gen_range(0..SERIAL_CHARS.len());
            char::from(SERIAL_CHARS.get(i).copied().unwrap_or(b'0'))
        })
        .collect();
    Appliance { category, brand, model: model.to_string(), serial }
}

// ---------------------------------------------------------------------------------------------
// Problems, requests, diagnoses, resolutions
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
pub(crate) fn problem_texts(category: EquipmentCategory) -> Texts {
    use EquipmentCategory as C;
    match category {
        C::AirConditioner => (&[
            "Air conditioner not cooling, blowing warm air",
            "Indoor unit dripping water onto the floor", "Outdoor unit very noisy and vibrating",
            "Display shows error E1 and the unit stops after a few minutes",
            "Remote control not responding, unit won't switch on",
            "Bad smell when the air conditioner starts", "Heating mode blows cold air",
        ], &[
            "空调不制冷，出风口吹热风", "空调室内机漏水，滴到地板上", "空调外机噪音很大，震动明显",
            "空调显示E1故障码，开机几分钟后停机", "空调遥控器没反应，无法开机", "空调开机有异味",
            "空调制热模式吹冷风",
        ]),
        C::WaterHeater => (&[
            "No hot water, boiler shows fault F28", "Water heater leaking from the bottom",
            "Hot water only lukewarm", "Pressure relief valve dripping constantly",
            "Boiler losing pressure every few days", "Loud banging noise when heating",
        ], &[
            "热水器不出热水，显示E4故障码", "热水器底部漏水", "热水器水温不够，只有温水",
            "热水器安全阀一直滴水", "燃气热水器点不着火", "热水器加热时有很响的异响",
        ]),
        C::WashingMachine => (&[
            "Washing machine won't spin, shows E21",
            "Washing machine not draining, water left in the drum",
            "Door will not open after the cycle", "Water leaking from under the washing machine",
            "Drum very loud during spin, machine moves across the floor",
            "Washing machine fills very slowly", "Drum not turning, motor hums",
        ], &[
            "洗衣机不脱水，显示E21故障码", "洗衣机不排水，桶里有积水", "洗衣机洗完后门打不开",
            "洗衣机底部漏水", "洗衣机脱水时剧烈晃动、移位", "洗衣机进水很慢，提示E1",
            "洗衣机滚筒不转，电机嗡嗡响",
        ]),
        C::Refrigerator => (&[
            "Fridge not cold, freezer still working",
            "Ice building up on the back wall of the fridge",
            "Water pooling under the salad drawers", "Fridge freezer making a loud buzzing noise",
            "Freezer not freezing, food thawing", "Ice maker stopped producing ice",
        ], &[
            "冰箱冷藏室不制冷，冷冻室正常", "冰箱后壁结冰严重", "冰箱冷藏室底部有积水",
            "冰箱噪音大，嗡嗡响", "冰箱冷冻室不冻，食物化了", "冰箱制冰机不出冰",
        ]),
        C::Dishwasher => (&[
            "Dishwasher not draining, error E24", "Dishes still dirty after the cycle",
            "Dishwasher leaking at the front", "Dishwasher not heating water",
            "Dishwasher stops mid-cycle", "Door won't latch properly",
        ], &[
            "洗碗机不排水，显示E24", "洗碗机洗不干净，碗上有残渣", "洗碗机门前漏水", "洗碗机不加热",
            "洗碗机运行中途停止", "洗碗机门关不严",
        ]),
        C::Oven => (&[
            "Oven not heating up", "Fan oven fan not turning",
            "Oven temperature much hotter than set", "Oven door glass cracked",
            "Oven trips the electrics when switched on",
            "Oven light not working and clock flashing",
        ], &[
            "烤箱不加热", "烤箱热风风扇不转", "烤箱实际温度比设定高很多", "烤箱门玻璃裂了",
            "烤箱一开就跳闸", "烤箱照明灯不亮，时钟一直闪",
        ]),
        C::RangeHood => (&[
            "Cooker hood not extracting, smells stay in the kitchen",
            "Extractor fan very noisy on high speed", "Cooker hood lights not working",
            "Grease dripping from the hood", "Hood controls unresponsive",
        ], &[
            "油烟机吸力不足，厨房油烟很大", "油烟机高速档噪音很大", "油烟机照明灯不亮",
            "油烟机滴油", "油烟机按键没反应",
        ]),
        C::Kitchen => (&[
            "Kitchen cabinet door hanging crooked", "Drawer runner broken, drawer won't close",
            "Worktop joint lifting near the sink", "Water damage to the cabinet under the sink",
            "Plinth keeps falling off",
        ], &[
            "橱柜门下垂，关不严", "橱柜抽屉滑轨坏了，抽屉关不上", "橱柜台面接缝处开裂",
            "水槽下方橱柜受潮变形", "橱柜踢脚板总是掉",
        ]),
        C::Furniture => (&[
            "Wardrobe sliding door keeps coming off the track", "Sofa recliner mechanism stuck",
            "Bed frame creaking and wobbly", "Wardrobe door hinge broken", "Sofa leg snapped",
            "Chest of drawers unstable, needs wall fixing",
        ], &[
            "衣柜推拉门经常脱轨", "功能沙发电动躺位卡住不动", "床架松动，有吱吱声",
            "衣柜门铰链坏了", "沙发脚断了", "衣柜晃动，需要固定在墙上",
        ]),
        C::SmartHome => (&[
            "Smart lock not recognising fingerprints", "Smart lock keeps going offline in the app",
            "Thermostat not talking to the boiler", "Smart hub lost connection to all sensors",
            "Smart lock battery drains within a week",
        ], &[
            "智能门锁指纹识别不了", "智能门锁在App里经常离线", "智能门锁电池一周就没电",
            "智能网关连接不上传感器", "智能门锁反锁后无法用密码开门",
        ]),
    }
}

/// A problem as the customer reported it, in the customer's language.
pub fn problem<R: Rng>(rng: &mut R, category: EquipmentCategory, chinese: bool) -> String {
    let text = pick_lang(rng, problem_texts(category), chinese);
    if rng.gen_bool(0.25) {
        let years = rng.gen_range(2..=9u32);
        if chinese {
            format!("{text}（机器已使用约{years}年）")
        } else {
            format!("{text} (unit about {years} years old)")
        }
    } else {
        text
    }
}

#[rustfmt::skip]
fn installation_texts(category: EquipmentCategory) -> Texts {
    use EquipmentCategory as C;
    match category {
        C::AirConditioner => (&[
            "Install new split air conditioner in the bedroom",
            "Fit wall-mounted AC, outdoor unit on bracket",
            "Move air conditioner to the living room and reinstall",
        ], &["新购空调上门安装", "卧室挂机安装，外机需打支架", "空调移机并重新安装"]),
        C::WaterHeater => (&[
            "Install new combi boiler replacing the old one",
            "Fit electric water heater in the bathroom",
            "Install unvented hot water cylinder",
        ], &["新购热水器上门安装", "更换旧燃气热水器", "卫生间电热水器安装"]),
        C::WashingMachine => (&[
            "Install new washing machine and remove transit bolts",
            "Replace old washing machine and take the old one away",
            "Install washer-dryer in the utility room",
        ], &["新购洗衣机上门安装", "洗衣机安装，拆除运输螺栓", "以旧换新，安装新洗衣机并回收旧机"]),
        C::Refrigerator => (&[
            "Install integrated fridge freezer into housing",
            "Deliver and install American-style fridge with water connection",
        ], &["新购冰箱上门安装调试", "对开门冰箱安装，连接净水管"]),
        C::Dishwasher => (&[
            "Install new dishwasher under worktop",
            "Fit integrated dishwasher and door panel",
        ], &["新购洗碗机上门安装", "嵌入式洗碗机安装并装门板"]),
        C::Oven => (&[
            "Install built-in oven in tall housing",
            "Fit double oven and connect to the cooker circuit",
        ], &["嵌入式烤箱上门安装", "新购烤箱安装，需接专用电源"]),
        C::RangeHood => (&[
            "Install chimney cooker hood and duct to outside",
            "Replace old extractor hood",
        ], &["新购油烟机上门安装", "更换旧油烟机并接烟道"]),
        C::Kitchen => (&[
            "Fit new kitchen base and wall units",
            "Install replacement worktops and sink",
            "Fit new cabinet doors and handles",
        ], &["整体橱柜上门安装", "橱柜台面及水槽安装", "更换橱柜门板和拉手"]),
        C::Furniture => (&[
            "Assemble PAX wardrobe and fix to wall",
            "Assemble and position new sofa",
            "Assemble bed frame and chest of drawers",
        ], &["衣柜上门组装并固定", "新购沙发送货安装", "床架和五斗柜组装"]),
        C::SmartHome => (&[
            "Fit smart lock to front door",
            "Install smart thermostat and connect to boiler",
            "Set up smart hub and door sensors",
        ], &["智能门锁上门安装", "智能网关及传感器安装调试", "智能门锁安装并录入指纹"]),
    }
}

/// What the customer booked when they want something installed.
pub fn installation_request<R: Rng>(
    rng: &mut R,
    category: EquipmentCategory,
    chinese: bool,
) -> String {
    pick_lang(rng, installation_texts(category), chinese)
}

#[rustfmt::skip]
fn diagnosis_texts(category: EquipmentCategory) -> Texts {
    use EquipmentCategory as C;
    match category {
        C::AirConditioner => (&[
            "Run capacitor on the outdoor unit failed, compressor not starting",
            "Refrigerant low, leak found at the flare joint",
            "Condensate drain blocked with debris",
            "Indoor coil temperature sensor reading open circuit",
        ], &["外机运行电容损坏，压缩机不启动", "冷媒不足，喇叭口处有泄漏", "排水管堵塞", "室内管温传感器开路"]),
        C::WaterHeater => (&[
            "Heating element burnt out", "Anode rod fully corroded, tank sediment heavy",
            "Expansion vessel lost its charge", "Ignition electrode worn, no spark",
        ], &["加热管烧坏", "镁棒已耗尽，内胆水垢严重", "膨胀罐压力不足", "点火针磨损，无法打火"]),
        C::WashingMachine => (&[
            "Drain pump blocked by a coin, pump impeller damaged", "Drum bearings worn",
            "Door interlock faulty", "Inlet valve coil open circuit", "Carbon brushes worn down",
        ], &["排水泵被硬币卡住，叶轮损坏", "滚筒轴承磨损", "门锁开关故障", "进水阀线圈开路", "电机碳刷磨损"]),
        C::Refrigerator => (&[
            "Defrost heater open circuit, evaporator iced up", "Evaporator fan motor seized",
            "Door gasket torn, warm air getting in", "Defrost drain blocked",
        ], &["化霜加热器开路，蒸发器结冰", "蒸发器风扇电机卡死", "门封条破损漏冷", "化霜排水孔堵塞"]),
        C::Dishwasher => (&[
            "Filter and sump blocked with food debris", "Circulation pump heater failed",
            "Spray arm cracked", "Aqua-stop triggered by a small leak at the hose",
        ], &["过滤网和集水槽堵塞", "循环泵加热器损坏", "喷淋臂开裂", "进水管微漏触发防漏保护"]),
        C::Oven => (&[
            "Fan oven element open circuit", "Fan motor bearings seized",
            "Temperature probe out of tolerance", "Element shorting to earth",
        ], &["热风加热管开路", "风扇电机轴承卡死", "温度探头阻值偏差", "加热管对地短路"]),
        C::RangeHood => (&[
            "Non-return flap stuck closed", "Grease filters saturated", "Motor capacitor failed",
            "Duct crushed behind the wall unit",
        ], &["止回阀卡死", "油网油污饱和", "电机电容损坏", "烟管在吊柜后被压扁"]),
        C::Kitchen => (&[
            "Hinge screws pulled out of chipboard", "Drawer runner bent",
            "Sealant failed behind the sink, water ingress",
        ], &["铰链螺丝孔松脱", "抽屉滑轨变形", "水槽后方密封胶失效，渗水"]),
        C::Furniture => (&[
            "Sliding door track misaligned",
            "Recliner motor not receiving power, transformer faulty", "Cam fittings loose",
        ], &["推拉门轨道不平", "电动沙发变压器故障，电机无电", "偏心连接件松动"]),
        C::SmartHome => (&[
            "Fingerprint sensor scratched and dirty", "Hub too far from the lock, weak signal",
            "Lock mortise misaligned with the strike plate",
        ], &["指纹模块表面划伤脏污", "网关距离门锁太远，信号弱", "锁体与锁扣板错位"]),
    }
}

/// What the technician found on site.
pub fn diagnosis<R: Rng>(rng: &mut R, category: EquipmentCategory, chinese: bool) -> String {
    pick_lang(rng, diagnosis_texts(category), chinese)
}

#[rustfmt::skip]
fn resolution_texts(category: EquipmentCategory) -> Texts {
    use EquipmentCategory as C;
    match category {
        C::AirConditioner => (&[
            "Replaced run capacitor, unit cooling normally",
            "Repaired flare joint, pressure tested and recharged with R32",
            "Cleared condensate drain and flushed the tray",
        ], &["更换运行电容，试机制冷正常", "重新扩口焊接，保压检漏后补充R32冷媒", "疏通排水管并清洗接水盘"]),
        C::WaterHeater => (&[
            "Replaced heating element, hot water restored",
            "Fitted new anode and descaled the tank", "Recharged expansion vessel to 1 bar",
        ], &["更换加热管，热水恢复正常", "更换镁棒并清洗内胆水垢", "膨胀罐重新充气至1bar"]),
        C::WashingMachine => (&[
            "Replaced drain pump, spin and drain tested OK", "Replaced drum bearings and seal",
            "Fitted new door interlock, full cycle tested",
        ], &["更换排水泵，脱水排水测试正常", "更换滚筒轴承和油封", "更换门锁开关，整机测试正常"]),
        C::Refrigerator => (&[
            "Replaced defrost heater, manual defrost done", "Fitted new evaporator fan motor",
            "Replaced door gasket",
        ], &["更换化霜加热器，手动化霜", "更换蒸发器风扇电机", "更换门封条"]),
        C::Dishwasher => (&[
            "Cleaned filters and sump, drain tested OK", "Replaced circulation pump",
            "Replaced spray arm and reset aqua-stop",
        ], &["清洗过滤网和集水槽，排水正常", "更换循环泵", "更换喷淋臂，复位防漏保护"]),
        C::Oven => (&[
            "Replaced fan oven element, temperature checked", "Replaced fan motor",
            "Fitted new temperature probe and calibrated",
        ], &["更换热风加热管，温度测试正常", "更换风扇电机", "更换温度探头并校准"]),
        C::RangeHood => (&[
            "Freed non-return flap, extraction restored",
            "Replaced grease filters and cleaned the hood", "Replaced motor capacitor",
        ], &["修复止回阀，吸力恢复", "更换油网并清洁油烟机", "更换电机电容"]),
        C::Kitchen => (&[
            "Re-fixed hinges with new inserts and adjusted doors", "Replaced drawer runners",
            "Resealed sink and worktop joint",
        ], &["重新固定铰链并调整门板", "更换抽屉滑轨", "水槽及台面接缝重新打胶"]),
        C::Furniture => (&[
            "Realigned sliding door track and adjusted rollers", "Replaced recliner transformer",
            "Tightened all fittings and fixed wardrobe to the wall",
        ], &["调平推拉门轨道并调整滑轮", "更换电动沙发变压器", "紧固所有连接件并将衣柜固定在墙上"]),
        C::SmartHome => (&[
            "Cleaned sensor and re-enrolled fingerprints",
            "Moved hub and added a repeater, lock online",
            "Adjusted strike plate, lock operating smoothly",
        ], &["清洁指纹模块并重新录入指纹", "调整网关位置并加装中继，门锁恢复在线", "调整锁扣板，开关锁顺畅"]),
    }
}

/// What the technician did to fix it.
pub fn resolution<R: Rng>(rng: &mut R, category: EquipmentCategory, chinese: bool) -> String {
    pick_lang(rng, resolution_texts(category), chinese)
}

// ---------------------------------------------------------------------------------------------
// Notes, holds, feedback
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
const TECHNICIAN_NOTES: Texts = (&[
    "Customer asked for a call 30 min before arrival",
    "Confirmed part number with the customer by phone",
    "Nameplate photographed, serial matches the order",
    "Customer not home at first attempt, rebooked for the afternoon",
    "Advised customer to descale every six months",
    "Access via the rear garden, side gate unlocked",
    "Unit out of warranty, customer approved the quote before work",
    "Old appliance taken away for recycling",
    "Customer will send a photo of the receipt for the warranty claim",
    "Showed customer how to clean the filter", "Isolation valve stiff, recommended replacement",
], &[
    "已与客户确认配件型号", "客户要求到达前30分钟电话联系", "已拍摄铭牌照片，序列号与工单一致",
    "首次上门客户不在家，改约下午", "已提醒客户每半年清洗一次", "已过保，客户确认报价后开始维修",
    "旧机已回收", "客户稍后补发购机发票照片", "已教客户如何清洗过滤网", "角阀老化，建议更换",
    "小区物业要求登记，已办理",
]);

/// A short working note a technician adds to a job.
pub fn technician_note<R: Rng>(rng: &mut R, chinese: bool) -> String {
    pick_lang(rng, TECHNICIAN_NOTES, chinese)
}

#[rustfmt::skip]
const HOLD_REASONS: Texts = (&[
    "Awaiting parts from the manufacturer", "Drain pump on back order, ETA 5 working days",
    "Customer to confirm the quote", "Awaiting proof of purchase for warranty claim",
    "Needs a second technician for lifting", "Customer unavailable until next week",
    "Gas supply needs checking by the utility first",
], &[
    "等待厂家配件", "排水泵缺货，预计5个工作日到货", "等待客户确认报价", "等待客户提供购机凭证",
    "需两名师傅搬运，另约时间", "客户下周才有空", "需燃气公司先检查供气",
]);

/// Why a job is on hold.
pub fn hold_reason<R: Rng>(rng: &mut R, chinese: bool) -> String {
    pick_lang(rng, HOLD_REASONS, chinese)
}

#[rustfmt::skip]
const FEEDBACK_GOOD: Texts = (&[
    "Excellent service, on time and very tidy", "Very professional, explained everything clearly",
    "Fixed first time, thank you!", "Friendly technician, protected the floor and cleaned up",
    "Quick response and a good job",
], &[
    "师傅准时上门，服务很专业", "一次修好，非常感谢！", "师傅很耐心，讲解清楚",
    "干活利索，走的时候还打扫干净了", "响应很快，满意",
]);

#[rustfmt::skip]
const FEEDBACK_OK: Texts = (&[
    "Job done but had to wait a week for parts", "Fine in the end, arrival window was very long",
    "Technician was fine, booking was confusing",
], &[
    "修好了，但等配件等了一周", "还可以，就是预约时间段太长", "师傅不错，但预约流程有点麻烦",
]);

#[rustfmt::skip]
const FEEDBACK_BAD: Texts = (&[
    "Technician arrived two hours late without calling", "Problem not fixed, still leaking",
    "Left a mess and scratched the floor", "Charged more than the quote",
    "Third visit for the same fault",
], &[
    "师傅迟到两个小时也没打电话", "没修好，还在漏水", "走后地上很脏，还刮花了地板", "收费比报价高",
    "同一个问题已经上门三次了",
]);

/// A customer comment matching the rating's sentiment, or `None` (customers often leave none).
pub fn feedback_comment<R: Rng>(rng: &mut R, rating: u8, chinese: bool) -> Option<String> {
    let (texts, p_comment) = match rating {
        0..=2 => (FEEDBACK_BAD, 0.9),
        3 => (FEEDBACK_OK, 0.7),
        _ => (FEEDBACK_GOOD, 0.6),
    };
    rng.gen_bool(p_comment).then(|| pick_lang(rng, texts, chinese))
}

// ---------------------------------------------------------------------------------------------
// Job types and checklists
// ---------------------------------------------------------------------------------------------

/// A job type as the seed generator installs it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobTypeTemplate {
    pub code: &'static str,
    pub name: &'static str,
    pub name_zh: &'static str,
    pub required_photo_kinds: Vec<PhotoKind>,
    pub checklist: Vec<ChecklistItem>,
}

fn item(
    key: &str,
    label: &str,
    label_zh: &str,
    kind: ChecklistItemKind,
    required: bool,
) -> ChecklistItem {
    ChecklistItem {
        key: key.to_string(),
        label: label.to_string(),
        label_zh: label_zh.to_string(),
        kind,
        required,
        unit: None,
        options: Vec::new(),
        categories: Vec::new(),
    }
}

/// `item` asked only on jobs for these kinds of product.
fn only(categories: &[EquipmentCategory], item: ChecklistItem) -> ChecklistItem {
    ChecklistItem { categories: categories.to_vec(), ..item }
}

use EquipmentCategory as Cat;
/// Products on mains power (and gas, for water heaters and ovens).
const APPLIANCES: &[EquipmentCategory] = &[
    Cat::AirConditioner,
    Cat::WaterHeater,
    Cat::WashingMachine,
    Cat::Refrigerator,
    Cat::Dishwasher,
    Cat::Oven,
    Cat::RangeHood,
];
/// Appliances with a water supply or a drain.
const WET: &[EquipmentCategory] = &[
    Cat::AirConditioner,
    Cat::WaterHeater,
    Cat::WashingMachine,
    Cat::Dishwasher,
    Cat::Refrigerator,
];
/// Appliances with a refrigerant circuit.
const COOLING: &[EquipmentCategory] = &[Cat::AirConditioner, Cat::Refrigerator];
/// Products that are furniture or fitted cabinetry.
const FURNISHING: &[EquipmentCategory] = &[Cat::Furniture, Cat::Kitchen];

fn check(key: &str, label: &str, label_zh: &str, required: bool) -> ChecklistItem {
    item(key, label, label_zh, ChecklistItemKind::Checkbox, required)
}

fn number(key: &str, label: &str, label_zh: &str, unit: &str, required: bool) -> ChecklistItem {
    ChecklistItem {
        unit: Some(unit.to_string()),
        ..item(key, label, label_zh, ChecklistItemKind::Number, required)
    }
}

fn choice(
    key: &str,
    label: &str,
    label_zh: &str,
    options: &[&str],
    required: bool,
) -> ChecklistItem {
    ChecklistItem {
        options: options.iter().map(|o| (*o).to_string()).collect(),
        ..item(key, label, label_zh, ChecklistItemKind::Choice, required)
    }
}

fn text(key: &str, label: &str, label_zh: &str, required: bool) -> ChecklistItem {
    item(key, label, label_zh, ChecklistItemKind::Text, required)
}

const PASS_FAIL: &[&str] = &["Pass", "Fail"];
const PASS_ADVISORY_FAIL: &[&str] = &["Pass", "Advisory", "Fail"];
const YES_NO_PARTLY: &[&str] = &["Yes", "No", "Partly"];
const YES_NO_NA: &[&str] = &["Yes", "No", "Not applicable"];
const CONDITION: &[&str] = &["Good", "Fair", "Poor"];
const SATISFACTION: &[&str] = &["Satisfied", "Neutral", "Dissatisfied"];
const FURTHER_ACTION: &[&str] = &["None", "Repair", "Replace unit", "Escalate"];
const ROOT_CAUSES: &[&str] =
    &["Component failure", "Wear", "Misuse", "Installation fault", "No fault found"];

/// The five standard job types. No photos are required yet (photo import is not built).
#[rustfmt::skip]
pub fn job_type_templates() -> Vec<JobTypeTemplate> {
    vec![
        JobTypeTemplate {
            code: "installation",
            name: "Installation",
            name_zh: "安装",
            required_photo_kinds: Vec::new(),
            checklist: vec![
                check("unpack_inspect", "Unpack and inspect for transport damage", "开箱检查运输损坏", true),
                check("position_level", "Position and level the unit", "就位并调平", true),
                only(APPLIANCES, check("connect_services", "Connect power, water and drain", "连接电源、进水和排水", true)),
                only(APPLIANCES, choice("grounding_safety", "Grounding and safety check", "接地及安全检查", PASS_FAIL, true)),
                only(APPLIANCES, number("supply_voltage", "Supply voltage", "电源电压", "V", false)),
                only(&[Cat::SmartHome], check("pair_network", "Paired with the customer's network and app", "已连接客户网络及应用", true)),
                only(FURNISHING, check("anchor_fitted", "Anti-tip anchor or wall fixing fitted", "已安装防倾倒固定件", true)),
                only(APPLIANCES, check("power_on_test", "Power-on test", "通电测试", true)),
                check("function_test", "Function test", "功能测试", true),
                check("explain_use", "Explain use and care to the customer", "向客户讲解使用与保养", true),
                check("clean_up", "Clean up and remove packaging", "清理现场并带走包装", false),
            ],
        },
        JobTypeTemplate {
            code: "repair",
            name: "Repair",
            name_zh: "维修",
            required_photo_kinds: Vec::new(),
            checklist: vec![
                text("fault_code", "Fault code read", "读取的故障码", false),
                check("symptom_confirmed", "Reported symptom confirmed", "确认报修故障现象", true),
                choice("root_cause", "Root cause", "故障原因", ROOT_CAUSES, true),
                check("parts_replaced", "Parts replaced", "已更换配件", false),
                choice("test_after_repair", "Test after repair", "维修后测试", PASS_FAIL, true),
                only(APPLIANCES, check("safety_check", "Electrical and gas safety check", "电气及燃气安全检查", true)),
                only(FURNISHING, check("mechanism_test", "Mechanism, hinges and fixings operated through full travel", "机构、铰链及紧固件全行程测试", true)),
                check("customer_informed", "Cause and fix explained to customer", "已向客户说明原因及处理", true),
                check("clean_up", "Work area cleaned", "清理现场", false),
            ],
        },
        JobTypeTemplate {
            code: "maintenance",
            name: "Maintenance",
            name_zh: "保养",
            required_photo_kinds: Vec::new(),
            checklist: vec![
                only(APPLIANCES, check("filter_cleaned", "Filters cleaned or replaced", "清洗或更换过滤网", true)),
                only(FURNISHING, check("fixings_lubricated", "Fixings tightened and moving parts lubricated", "紧固件已拧紧、活动部件已润滑", true)),
                only(&[Cat::SmartHome], check("firmware_updated", "Firmware updated", "固件已更新", false)),
                only(COOLING, number("refrigerant_pressure", "Refrigerant pressure", "冷媒压力", "bar", false)),
                only(WET, check("drain_cleared", "Drain cleared and flushed", "疏通并冲洗排水", true)),
                only(APPLIANCES, check("connections_tightened", "Electrical connections tightened", "检查紧固电气接线", true)),
                only(APPLIANCES, number("operating_current", "Operating current", "运行电流", "A", false)),
                choice("overall_condition", "Overall condition", "整体状况", CONDITION, true),
                text("advice", "Advice for the customer", "给客户的建议", false),
            ],
        },
        JobTypeTemplate {
            code: "inspection",
            name: "Inspection",
            name_zh: "检测",
            required_photo_kinds: Vec::new(),
            checklist: vec![
                check("nameplate_recorded", "Nameplate and serial recorded", "记录铭牌及序列号", true),
                choice("installation_compliant", "Installed to manufacturer's spec", "安装符合厂家要求", YES_NO_NA, true),
                only(WET, choice("leak_check", "Water and gas leak check", "漏水漏气检查", PASS_FAIL, true)),
                only(APPLIANCES, number("insulation_resistance", "Insulation resistance", "绝缘电阻", "MΩ", false)),
                only(APPLIANCES, number("clearance", "Ventilation clearance", "通风间距", "mm", false)),
                text("defects_found", "Defects found", "发现的问题", false),
                choice("overall_result", "Overall result", "检测结论", PASS_ADVISORY_FAIL, true),
            ],
        },
        JobTypeTemplate {
            code: "return_visit",
            name: "Return visit",
            name_zh: "回访",
            required_photo_kinds: Vec::new(),
            checklist: vec![
                choice("previous_fault_resolved", "Previous fault resolved", "上次故障已解决", YES_NO_PARTLY, true),
                check("fault_recurred", "Fault has recurred since the last visit", "上次维修后故障复发", false),
                check("function_test", "Function test", "功能测试", true),
                choice("customer_satisfied", "Customer satisfaction", "客户满意度", SATISFACTION, true),
                choice("further_action", "Further action needed", "后续处理", FURTHER_ACTION, true),
                text("notes", "Notes", "备注", false),
            ],
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// Parts
// ---------------------------------------------------------------------------------------------

/// The part-number prefix for parts of one category; catalogue parts start with it and a `-`.
pub fn part_prefix(category: EquipmentCategory) -> &'static str {
    use EquipmentCategory as C;
    match category {
        C::AirConditioner => "AC",
        C::WaterHeater => "WH",
        C::WashingMachine => "WM",
        C::Refrigerator => "RF",
        C::Dishwasher => "DW",
        C::Oven => "OV",
        C::RangeHood => "RH",
        C::Kitchen => "KT",
        C::Furniture => "FN",
        C::SmartHome => "SH",
    }
}

/// (part number, description, Chinese description, unit price in cents). Parts used across
/// categories (hoses, screws, sealant) start with `GEN-`.
#[rustfmt::skip]
const PARTS: &[(&str, &str, &str, i64)] = &[
    ("AC-CAP-35UF", "Compressor run capacitor 35µF", "压缩机运行电容 35µF", 1_800),
    ("AC-CAP-45UF", "Compressor run capacitor 45µF", "压缩机运行电容 45µF", 2_100),
    ("AC-FAN-IDU", "Indoor unit fan motor", "室内机风扇电机", 8_900),
    ("AC-FAN-ODU", "Outdoor unit fan motor", "室外机风扇电机", 12_500),
    ("AC-PCB-IDU", "Indoor unit control board", "室内机主控板", 15_800),
    ("AC-SNS-NTC", "Coil temperature sensor (NTC)", "管温传感器", 1_200),
    ("AC-GAS-R32", "R32 refrigerant, per kg", "R32冷媒（每公斤）", 6_500),
    ("AC-FLT-SET", "Air filter set", "空气过滤网套装", 1_500),
    ("AC-REMOTE", "Remote control", "遥控器", 2_500),
    ("AC-PIPE-KIT-3M", "Copper pipe kit, 3 m", "铜管连接套件（3米）", 9_800),
    ("AC-BRKT-ODU", "Outdoor unit wall bracket", "室外机支架", 4_500),
    ("AC-PUMP-CND", "Condensate pump", "冷凝水提升泵", 7_900),
    ("WH-ANODE-MG", "Magnesium anode rod", "镁棒", 2_800),
    ("WH-ELEM-2KW", "Heating element 2 kW", "加热管 2kW", 4_500),
    ("WH-THERM", "Thermostat", "温控器", 3_200),
    ("WH-PRV-07", "Pressure relief valve 0.7 MPa", "安全阀 0.7MPa", 1_900),
    ("WH-IGN-ELEC", "Ignition electrode", "点火针", 1_500),
    ("WH-FAN-FLUE", "Flue fan", "排烟风机", 11_000),
    ("WH-PCB-MAIN", "Main control board", "主控板", 15_000),
    ("WH-EXP-8L", "Expansion vessel 8 L", "膨胀罐 8升", 5_500),
    ("WH-SNS-FLOW", "Water flow sensor", "水流传感器", 2_600),
    ("WM-PUMP-DRN-01", "Drain pump", "排水泵", 3_800),
    ("WM-BELT-1270J5", "Drive belt 1270 J5", "传动皮带 1270 J5", 1_200),
    ("WM-DOOR-SEAL", "Door seal", "门封圈", 4_200),
    ("WM-DOOR-LOCK", "Door interlock", "门锁开关", 2_400),
    ("WM-BRG-KIT-6205", "Drum bearing and seal kit", "滚筒轴承油封套件", 5_600),
    ("WM-VLV-INLET", "Inlet valve, double", "双路进水阀", 2_200),
    ("WM-PCB-MAIN", "Main control board", "电脑板", 16_800),
    ("WM-BRUSH-PAIR", "Motor carbon brushes (pair)", "电机碳刷（一对）", 1_500),
    ("WM-SHOCK-PAIR", "Shock absorbers (pair)", "减震器（一对）", 3_000),
    ("WM-FLT-DRN", "Drain filter", "排水过滤器", 800),
    ("RF-THERM", "Thermostat", "温控器", 2_900),
    ("RF-HTR-DEF", "Defrost heater", "化霜加热器", 3_500),
    ("RF-FAN-EVAP", "Evaporator fan motor", "蒸发器风扇电机", 4_800),
    ("RF-GASKET", "Door gasket", "门封条", 5_200),
    ("RF-RLY-PTC", "Compressor start relay (PTC)", "压缩机启动器", 1_600),
    ("RF-FLT-WATER", "Water filter cartridge", "滤水器滤芯", 3_900),
    ("RF-ICE-MKR", "Ice maker assembly", "制冰机组件", 12_800),
    ("RF-SNS-DEF", "Defrost sensor", "化霜传感器", 1_100),
    ("DW-PUMP-CIRC", "Circulation pump with heater", "带加热循环泵", 9_500),
    ("DW-PUMP-DRN", "Drain pump", "排水泵", 4_200),
    ("DW-ARM-LOWER", "Lower spray arm", "下喷淋臂", 2_100),
    ("DW-FLT-SET", "Filter set", "过滤网组件", 1_900),
    ("DW-HOSE-AQUA", "Aqua-stop inlet hose", "防漏进水管", 4_500),
    ("DW-HINGE-KIT", "Door hinge kit", "门铰链套件", 2_700),
    ("OV-ELEM-FAN", "Fan oven element 2500 W", "热风加热管 2500W", 3_400),
    ("OV-ELEM-GRILL", "Grill element", "上烧烤加热管", 3_800),
    ("OV-FAN-MTR", "Fan motor", "风扇电机", 4_200),
    ("OV-GLASS-INNER", "Inner door glass", "内门玻璃", 5_800),
    ("OV-SNS-TEMP", "Temperature probe", "温度探头", 2_200),
    ("OV-LAMP-25W", "Oven lamp 25 W", "炉灯 25W", 600),
    ("RH-MTR", "Extractor motor", "油烟机电机", 13_800),
    ("RH-FLT-GREASE", "Grease filter", "油网", 2_800),
    ("RH-VLV-CHECK", "Non-return flap", "止回阀", 1_500),
    ("RH-DUCT-150", "Ducting 150 mm, 1.5 m", "排烟管 150mm（1.5米）", 1_200),
    ("RH-PANEL", "Control panel", "控制面板", 4_600),
    ("RH-LED", "LED lamp", "LED照明灯", 900),
    ("KT-HINGE-110", "Soft-close hinge 110°", "阻尼铰链 110°", 450),
    ("KT-RUNNER-500", "Drawer runner 500 mm (pair)", "抽屉滑轨 500mm（一对）", 1_600),
    ("KT-PLINTH-CLIP", "Plinth clips (4)", "踢脚板卡扣（4个）", 300),
    ("KT-WORKTOP-JNT", "Worktop joint strip", "台面拼接条", 700),
    ("KT-HANDLE-160", "Bar handle 160 mm", "拉手 160mm", 550),
    ("KT-LEG-ADJ", "Adjustable cabinet leg", "橱柜调节脚", 250),
    ("FN-SOFA-LEG", "Sofa leg", "沙发脚", 800),
    ("FN-HINGE-WARD", "Wardrobe door hinge", "衣柜门铰链", 400),
    ("FN-CAM-LOCK-10", "Cam lock fittings (10)", "偏心连接件（10套）", 350),
    ("FN-RECL-PSU", "Recliner power supply", "电动沙发变压器", 4_900),
    ("FN-RECL-MECH", "Recliner mechanism", "功能沙发电动机构", 18_500),
    ("FN-TRACK-SLIDE", "Sliding door track", "推拉门轨道", 3_200),
    ("FN-SHELF-PIN-16", "Shelf pins (16)", "层板托（16个）", 200),
    ("SH-LOCK-MORTISE", "Smart lock mortise", "智能锁锁体", 9_800),
    ("SH-LOCK-FP", "Fingerprint module", "指纹模块", 6_500),
    ("SH-LOCK-BATT", "Lithium battery pack for smart lock", "门锁锂电池", 2_500),
    ("SH-HUB-ZB", "Zigbee hub", "智能网关", 9_900),
    ("SH-SNS-DOOR", "Door and window sensor", "门窗传感器", 1_900),
    ("SH-THERM-BASE", "Thermostat wall plate", "温控器底座", 2_500),
    ("GEN-HOSE-IN-15", "Inlet hose 1.5 m", "进水管 1.5米", 900),
    ("GEN-HOSE-DRN-20", "Drain hose extension 2 m", "排水管加长 2米", 1_100),
    ("GEN-SCREW-KIT", "Screw and wall plug kit", "螺丝膨胀管套装", 500),
    ("GEN-SILICONE-W", "White sanitary silicone", "白色防霉密封胶", 850),
    ("GEN-PTFE-TAPE", "PTFE tape", "生料带", 150),
    ("GEN-CABLE-25", "Cable 2.5 mm², per metre", "电线 2.5平方（每米）", 300),
];

/// The demo parts catalogue: category parts (`AC-…`, `WM-…`) and generic parts (`GEN-…`).
pub fn parts_catalogue() -> Vec<Part> {
    PARTS
        .iter()
        .map(|&(part_no, description, description_zh, unit_price_cents)| Part {
            part_no: part_no.to_string(),
            description: description.to_string(),
            description_zh: description_zh.to_string(),
            unit_price_cents,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn sample(seed: u64) -> Vec<String> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut out = Vec::new();
        for i in 0..50 {
            let chinese = i % 2 == 0;
            let a = appliance(&mut rng);
            let addr = address(&mut rng, chinese);
            out.push(customer_name(&mut rng, chinese));
            out.push(phone(&mut rng, chinese));
            out.push(format!("{addr:?}"));
            out.push(format!("{a:?}"));
            out.push(problem(&mut rng, a.category, chinese));
            out.push(installation_request(&mut rng, a.category, chinese));
            out.push(diagnosis(&mut rng, a.category, chinese));
            out.push(resolution(&mut rng, a.category, chinese));
            out.push(technician_note(&mut rng, chinese));
            out.push(hold_reason(&mut rng, chinese));
            out.push(format!("{:?}", feedback_comment(&mut rng, (i % 5 + 1) as u8, chinese)));
        }
        out
    }

    #[test]
    fn same_seed_same_output() {
        assert_eq!(sample(7), sample(7));
        assert_ne!(sample(7), sample(8));
        assert!(sample(7).iter().all(|s| !s.is_empty()));
    }

    #[test]
    fn job_types_have_required_items_and_unique_keys() {
        let types = job_type_templates();
        let codes: Vec<_> = types.iter().map(|t| t.code).collect();
        assert_eq!(codes, ["installation", "repair", "maintenance", "inspection", "return_visit"]);
        for t in &types {
            assert!(t.required_photo_kinds.is_empty(), "{}", t.code);
            assert!(t.checklist.len() <= 14, "{}", t.code);
            // Whatever the product, a job asks a few items, some of them required.
            for &category in EquipmentCategory::ALL {
                let asked: Vec<_> =
                    t.checklist.iter().filter(|i| i.applies_to(Some(category))).collect();
                assert!((3..=10).contains(&asked.len()), "{} on {category}", t.code);
                assert!(asked.iter().any(|i| i.required), "{} on {category}", t.code);
            }
            let keys: HashSet<_> = t.checklist.iter().map(|i| i.key.as_str()).collect();
            assert_eq!(keys.len(), t.checklist.len(), "{}", t.code);
            for i in &t.checklist {
                assert!(
                    i.key.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                    "{}: {}",
                    t.code,
                    i.key
                );
                assert!(!i.label.is_empty() && !i.label_zh.is_empty());
                assert_eq!(i.kind == ChecklistItemKind::Choice, !i.options.is_empty(), "{}", i.key);
                assert_eq!(i.kind == ChecklistItemKind::Number, i.unit.is_some(), "{}", i.key);
            }
        }
    }

    #[test]
    fn parts_have_known_prefixes_and_unique_numbers() {
        let parts = parts_catalogue();
        assert!(parts.len() >= 50);
        let mut prefixes: Vec<&str> =
            EquipmentCategory::ALL.iter().map(|&c| part_prefix(c)).collect();
        prefixes.push("GEN");
        let mut seen = HashSet::new();
        for p in &parts {
            let prefix = p.part_no.split('-').next().unwrap();
            assert!(prefixes.contains(&prefix), "{}", p.part_no);
            assert!(p.part_no.len() > prefix.len() + 1, "{}", p.part_no);
            assert!(seen.insert(p.part_no.clone()), "duplicate {}", p.part_no);
            assert!(p.unit_price_cents > 0);
            assert!(!p.description.is_empty() && !p.description_zh.is_empty());
        }
        for &prefix in &prefixes {
            assert!(parts.iter().any(|p| p.part_no.starts_with(&format!("{prefix}-"))), "{prefix}");
        }
    }

    #[test]
    fn chinese_washing_machine_problems_name_the_machine() {
        let (_, zh) = problem_texts(EquipmentCategory::WashingMachine);
        assert!(zh.iter().all(|p| p.contains("洗衣机")));
        assert!(zh.contains(&"洗衣机不脱水，显示E21故障码"));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..50 {
            assert!(problem(&mut rng, EquipmentCategory::WashingMachine, true).contains("洗衣机"));
        }
    }

    #[test]
    fn phones_have_the_right_shape() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..200 {
            let cn = phone(&mut rng, true);
            assert_eq!(cn.len(), 11, "{cn}");
            assert!(cn.chars().all(|c| c.is_ascii_digit()), "{cn}");
            assert!(["13", "15", "18", "19"].contains(&&cn[..2]), "{cn}");
            let en = phone(&mut rng, false);
            assert!(en.starts_with("+44 7700 900"), "{en}");
            assert_eq!(en.len(), "+44 7700 900123".len(), "{en}");
        }
    }

    #[test]
    fn content_is_language_matched_and_well_formed() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let has_han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for _ in 0..100 {
            let zh = address(&mut rng, true);
            assert!(has_han(&zh.line) && zh.line.starts_with(&zh.city), "{zh:?}");
            assert_eq!(zh.postal_code.len(), 6);
            let en = address(&mut rng, false);
            assert!(!has_han(&en.line) && en.postal_code.contains(' '), "{en:?}");
            assert!(has_han(&customer_name(&mut rng, true)));
            assert!(customer_name(&mut rng, false).contains(' '));
            let a = appliance(&mut rng);
            assert!((12..=16).contains(&a.serial.len()), "{a:?}");
            assert!(a.serial.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
            for &c in EquipmentCategory::ALL {
                assert!(has_han(&problem(&mut rng, c, true)));
                assert!(!has_han(&problem(&mut rng, c, false)));
            }
        }
        let names = technician_names();
        let distinct: HashSet<_> = names.iter().map(|(n, _)| n).collect();
        assert_eq!(distinct.len(), names.len());
        assert!(names.len() >= 35);
        assert!(names.iter().any(|(_, c)| *c) && names.iter().any(|(_, c)| !*c));
    }
}
